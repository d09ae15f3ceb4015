"""Personal sign-offs: approvals, legal reviews, collective discussions and decisions signed by the user who
made them, with that user's own Ed25519 key.

A signed event carries, in its payload, ``sign_off = {"key": <public key, hex>, "signature": <hex>}``. The
signature is over :func:`message`: a fixed prefix and the hash the event would have without its
``sign_off``. That hash covers the stream, the parents (and through them every earlier step of the case —
the request, report or proposed decision the signer saw), the actor, the device, the moment, the kind and
the rest of the payload, so the signature binds the sign-off to exactly the content it approved; a change
to any of it, even one that recomputes every hash in the file, no longer verifies.

A key is in force from the moment the event issuing it was recorded until its officer's next key was
issued (:class:`SigningKey`); a signature made with a key after that is refused. One dated before its key
was issued is accepted: the moments come from the clocks of different devices (and a record entered after
the fact carries the day the act happened), while the signature itself shows that the key's holder signed. Which events must be signed: every sign-off kind (:data:`SIGN_OFF_KINDS`,
declared with the actions) recorded by an officer who held a key at the time, and every officer event
that issues a key. A sign-off a database held when it was upgraded to personal keys is not asked for one; every later one is. The system (setting up a new database) signs nothing: the device's seals vouch for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .record import canonical_json, event_hash

SIGN_OFF = "sign_off"
PREFIX = b"ecr-sign-off/1\n"
OFFICER_KINDS = frozenset({"register_officer", "update_officer"})
"""Officer events are signed by whoever records them (an administrator, or the officer changing their own
password): they grant roles and issue the keys every other signature rests on."""


@dataclass(frozen=True)
class SigningKey:
    officer_id: str
    public_key: str  # hex
    issued_at: str  # ISO moment of the issuing event
    retired_at: str = ""  # ISO moment the officer's next key was issued; '' while in force
    issued_seq: int = 0  # the issuing event's place in this database's arrival order


def fingerprint(public_key_hex: str) -> str:
    """How people compare a key: its first 16 hex digits in groups of four."""
    head = public_key_hex[:16].upper()
    return " ".join(head[i:i + 4] for i in range(0, 16, 4))


def unsigned(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != SIGN_OFF}


def message(stream: str, parents_text: str, actor: str, device: str, at_text: str, kind: str,
            payload: Mapping[str, Any]) -> bytes:
    """What the signer signs: the hash of the event as it would be without its ``sign_off``."""
    return PREFIX + event_hash(stream, parents_text, actor, device, at_text, kind, canonical_json(unsigned(payload))).encode()


def sign(key: Ed25519PrivateKey, stream: str, parents: Sequence[str], actor: str, device: str, at_text: str, kind: str,
         payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` with its ``sign_off`` added."""
    signature = key.sign(message(stream, ",".join(sorted(parents)), actor, device, at_text, kind, payload))
    return {**unsigned(payload), SIGN_OFF: {"key": key.public_key().public_bytes_raw().hex(), "signature": signature.hex()}}


@dataclass(frozen=True)
class Signed:
    """An event as the signature check needs it (a stored row or a bundle's event)."""

    hash: str
    stream: str
    parents: str  # comma-joined, sorted
    actor: str
    device: str
    at: str
    kind: str
    payload: Mapping[str, Any]


def signature_problem(e: Signed, keys: Mapping[str, Sequence[SigningKey]], must_sign: bool, seq: int | None = None,
                      legacy_upto: int = 0) -> str:
    """What is wrong with ``e``'s signature ('' when nothing): ``keys`` are every officer's keys by officer
    id; ``must_sign`` says whether ``e`` is of a kind that is signed. ``seq``: ``e``'s place in the arrival
    order (None for an event arriving now); ``legacy_upto``: the last event a database held when it was
    upgraded to personal keys (``meta.signoffs_from_seq``; 0 for a database made with them): only those may
    lack a signature."""
    block = e.payload.get(SIGN_OFF)
    try:
        at = datetime.fromisoformat(e.at)
    except ValueError:
        return "记录时间无法识别"
    if at.tzinfo is None:
        return "记录时间没有时区：不是本程序所写的记录"
    if e.actor == "system":
        # the system registers a new database's first administrator and signs nothing else
        return "" if e.kind == "register_officer" else "系统不能作出审批、审核、讨论、决定或人员变更"
    if block is None:
        held = keys.get(e.actor, ())
        if must_sign and not (seq is not None and seq <= legacy_upto):
            if held:
                return f"签署人持有个人签名密钥（{fingerprint(held[0].public_key)}），但该签署没有签名"
            return "该签署没有签名，签署人也没有个人签名密钥"
        return ""
    if not isinstance(block, Mapping) or not isinstance(block.get("key"), str) or not isinstance(block.get("signature"), str):
        return "签名格式无效"
    own = {k.public_key: k for k in keys.get(e.actor, ())}
    key = own.get(block["key"])
    if key is None:
        return f"签名所用密钥 {fingerprint(block['key'])} 不属于签署人 {e.actor}"
    if key.retired_at and at >= datetime.fromisoformat(key.retired_at):
        return f"签名所用密钥 {fingerprint(key.public_key)} 已于 {key.retired_at[:19]} 停用（密码重置），不能再签署 {e.at[:19]} 的记录"
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(block["key"]))
        public.verify(bytes.fromhex(block["signature"]), message(e.stream, e.parents, e.actor, e.device, e.at, e.kind, e.payload))
    except (ValueError, InvalidSignature):
        return f"签名与所签内容不符（签署人 {e.actor}，密钥 {fingerprint(block['key'])}）：签署后内容被改动，或签名被伪造"
    return ""


def keys_from_events(events: Iterable[tuple[str, str, Any, int, bool, str, str]]) -> dict[str, list[SigningKey]]:
    """Every officer's keys from their officer events (kind, at, payload JSON, seq, recorded on this device,
    actor, device) in arrival order. A key counts only when issued by someone entitled to issue it:

    - an officer's first key comes with their registration (by an administrator, or by the system when it
      registers the very first officer of a new database), or, for an officer registered before personal
      keys, from the officer's own event at their first login (the system of each device registers only that
      device's first officer);
    - a new key for an officer who holds one (a password reset) comes from an administrator, on this device:
      another device's administrator cannot hand someone's signature to a new key here;
    - the same key sealed again (a changed password) changes nothing here; a registration of an officer
      already registered issues nothing.

    Who is an administrator is read from the same events (the roles they grant), so a key typed into an
    event by someone who is not one is not a key. Whether each officer event's own signature holds is
    checked with the other signatures (:func:`signature_problem`)."""
    keys: dict[str, list[SigningKey]] = {}
    roles: dict[str, set[str]] = {}
    seen: set[str] = set()
    founded: set[str] = set()  # the devices whose system has registered their first officer
    for kind, at, raw, seq, local, actor, device in events:
        if kind not in OFFICER_KINDS:
            continue
        try:
            payload = json.loads(raw) if isinstance(raw, str | bytes) else raw
        except ValueError:
            continue
        officer_id = payload.get("id") if isinstance(payload, Mapping) else None
        if not isinstance(officer_id, str):
            continue
        issued = payload.get("signing_key")
        granted = payload.get("roles")
        admin = "admin" in roles.get(actor, set())
        first = device not in founded
        new_officer = officer_id not in seen
        if kind == "register_officer" and new_officer:
            entitled = admin or (actor == "system" and first)
        elif kind == "update_officer" and not new_officer:
            entitled = actor != "system" and (admin or actor == officer_id)
        else:
            entitled = False
        if entitled and isinstance(granted, list) and (kind == "register_officer" or admin):
            roles[officer_id] = {str(r) for r in granted}
        if kind == "register_officer" and new_officer and entitled:
            seen.add(officer_id)
            founded.add(device)
        if not entitled or not isinstance(issued, Mapping) or not isinstance(issued.get("public"), str):
            continue
        held = keys.setdefault(officer_id, [])
        if any(k.public_key == issued["public"] for k in held):
            continue  # sealed again under a new password
        if kind == "update_officer" and held and not (admin and local):
            continue  # a reset needs this device's administrator
        if kind == "update_officer" and not held and actor != officer_id:
            continue  # a first key after registration is the officer's own, at their login
        held[:] = [replace(k, retired_at=k.retired_at or at) for k in held]
        held.append(SigningKey(officer_id, issued["public"], at, "", seq))
    return keys
