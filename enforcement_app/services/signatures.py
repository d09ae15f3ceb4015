"""Checking the personal signatures of sign-offs (see :mod:`..domain.signoff`), for ``verify`` and for
bundles received from other devices.

``verify`` checks every signature in its deep form. In its ordinary form it checks those of the events no
valid device seal covers yet: a seal is signed with the device key after the events it covers were recorded
or received here, and both paths check signatures before anything is written — the recording session signs
with the key the password unlocked, the bundle import refuses a sign-off whose signature does not hold. So a
sealed event was checked when it came in, and a rewrite of it breaks the seal. Someone who has the device key
as well as the file (a laptop stolen while unlocked) can re-seal a rewritten record, but cannot forge an
officer's signature: ``verify --deep`` checks every one again, at about 80 µs a signature.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..domain import signoff
from ..domain.procedure import signed_kinds, title_of
from ..domain.record import RecordedEvent
from ..domain.signoff import Signed, SigningKey
from ..store import events as event_store
from ..store import projection, seals
from ..store.database import meta
from ..store.integrity import Problem


def officer_keys(db, device: str) -> dict[str, list[SigningKey]]:
    """Every officer's keys as the officer events in the record issued them (``device``: this one)."""
    return signoff.keys_from_events((e.kind, e.at, e.payload, e.seq, e.device == device, e.actor, e.device)
                                    for e in projection.events_for_rebuild(db, ("officer/",)))


def legacy_upto(db) -> int:
    """The last event the database held when it was upgraded to personal keys (see db/0012)."""
    return int(meta(db, "signoffs_from_seq", "0") or 0)


def problems_in(events: Iterable[tuple[int | None, Signed]], keys: Mapping[str, Sequence[SigningKey]],
                legacy: int = 0) -> list[tuple[Signed, str]]:
    """Each event of ``events`` (seq, event; seq None for one arriving now) whose signature does not hold,
    with what is wrong."""
    kinds = signed_kinds()
    out = []
    for seq, e in events:
        problem = signoff.signature_problem(e, keys, e.kind in kinds, seq, legacy)
        if problem:
            out.append((e, problem))
    return out


@dataclass(frozen=True)
class SignOff:
    """A sign-off as the case file prints it: who signed, with which key, and whether the signature holds."""

    hash: str
    signer: str  # officer id
    fingerprint: str  # '' when the sign-off carries no signature (a record older than personal keys)
    valid: bool
    problem: str = ""


def case_sign_offs(db, keys: Mapping[str, Sequence[SigningKey]], events: Sequence[RecordedEvent]) -> dict[str, SignOff]:
    """The sign-offs among one case's ``events``, by event hash, each checked against the officers' ``keys``
    (the services' cached :meth:`~.reference.Reference.signing_keys`)."""
    kinds = signed_kinds()
    signed = [(e.seq, Signed(e.hash, e.stream, ",".join(sorted(e.parents)), e.actor, e.device, e.at.isoformat(timespec="microseconds"),
                             e.kind, e.payload)) for e in events if e.kind in kinds]
    if not signed:
        return {}
    legacy = legacy_upto(db)
    out = {}
    for seq, e in signed:
        problem = signoff.signature_problem(e, keys, True, seq, legacy)
        block = e.payload.get(signoff.SIGN_OFF)
        key = block.get("key", "") if isinstance(block, Mapping) and isinstance(block.get("key"), str) else ""
        out[e.hash] = SignOff(e.hash, e.actor, signoff.fingerprint(key) if key else "", not problem and bool(key), problem)
    return out


def signature_problems(db, device: str, label: Callable[[str], str], *, deep: bool) -> list[Problem]:
    """The sign-offs whose signature does not hold: every one (``deep``), or those after the last seal."""
    sealed = seals.last(db)
    after = 0 if deep or sealed is None else sealed.seq
    rows = event_store.rows_of_kinds(db, signed_kinds(), after)
    found = []
    for seq, digest, stream, parents, actor, by_device, at, kind, payload in rows:
        try:
            p = json.loads(payload)
        except (TypeError, ValueError):
            continue  # the hash check reports an unreadable payload
        if not isinstance(p, dict):
            continue
        found.append((seq, Signed(digest, stream, parents, actor, by_device, at, kind, p)))
    if not found:
        return []
    keys = officer_keys(db, device)
    seq_of = {e.hash: seq for seq, e in found}
    return [Problem("signature_invalid", f"{signoff_title(e.kind)}的签名无效：{problem}", label(e.stream), seq=seq_of[e.hash], hash=e.hash)
            for e, problem in problems_in(found, keys, legacy_upto(db))]


def signoff_title(kind: str) -> str:
    return {"register_officer": "人员登记", "update_officer": "人员变更"}.get(kind) or title_of(kind)
