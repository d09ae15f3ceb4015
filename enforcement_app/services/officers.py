"""Registering officers and changing their roles, qualification, account and certificates.

The forms are checked by the domain (:func:`~enforcement_app.domain.officers.build_officer`,
:func:`~enforcement_app.domain.officers.officer_update`); here they are recorded and projected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..domain.officers import Officer, build_officer, officer_record, officer_update
from ..domain.refusals import InvalidInput, NotFound, Refusal
from ..store import reference as reference_store
from . import auth
from .clock import given_or_new_id
from .core import SessionCore


def register_officer(session: SessionCore, data: Mapping[str, Any]) -> Officer:
    session.require("register_officer")
    services = session.services
    password, password_hash, problems = data.get("password"), "", []
    if password is not None and not isinstance(password, str):
        problems.append(Refusal("invalid_input", "密码应为文字", field="password"))
    elif password:
        try:
            password_hash = auth.hash_password(password)
        except ValueError as exc:
            problems.append(Refusal("invalid_input", str(exc), field="password"))
    officer_id, id_problems = given_or_new_id(data)
    officer = build_officer(officer_id, data, login_taken=lambda login: services.officer_by_login(login) is not None,
                            more=[*id_problems, *problems])
    record = officer_record(officer)
    if password_hash:
        record["signing_key"] = new_signing_key(officer.id, password)[1]
    with services.transaction():
        _seq, _digest, at = session.record(f"officer/{officer.id}", "register_officer", record)
        reference_store.project_officer(services.db, record, password_hash)
        reference_store.project_signing_key(services.db, officer.id, record.get("signing_key"), at.isoformat(timespec="microseconds"))
    return services.officers()[officer.id]


def new_signing_key(officer_id: str, password: str) -> tuple[Ed25519PrivateKey, dict[str, str]]:
    """A new personal key, and its ``signing_key`` record: the public half and the private half sealed under ``password``."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw().hex()
    return key, {"public": public, "sealed": auth.seal_key(key.private_bytes_raw(), password, officer_id, public)}


def record_key(session: SessionCore, officer_id: str, issued: Mapping[str, str], password_hash: str) -> None:
    """One ``update_officer`` event issuing (or resealing) ``officer_id``'s key; the caller holds the transaction."""
    services = session.services
    _seq, _digest, at = session.record(f"officer/{officer_id}", "update_officer", {"id": officer_id, "signing_key": dict(issued)})
    reference_store.project_signing_key(services.db, officer_id, issued, at.isoformat(timespec="microseconds"))
    reference_store.set_password_hash(services.db, officer_id, password_hash)


def _password_hash(password: Any) -> str:
    if not isinstance(password, str):
        raise InvalidInput.at("password", "密码应为文字")
    try:
        return auth.hash_password(password)
    except ValueError as exc:
        raise InvalidInput.at("password", str(exc)) from None


def reset_password(session: SessionCore, officer_id: str, password: Any) -> None:
    """An administrator sets a new password for an officer who lost theirs. The old key cannot be opened
    without the old password, so the officer gets a new key; what they signed before stays valid under the old one."""
    session.require("update_officer")
    services = session.services
    if officer_id not in services.officers():
        raise NotFound(f"没有该人员：{officer_id}")
    password_hash = _password_hash(password)
    with services.transaction():
        record_key(session, officer_id, new_signing_key(officer_id, password)[1], password_hash)


def change_password(session: SessionCore, old: str, new: Any) -> None:
    """The officer changes their own password: the same key, sealed again under the new password."""
    services = session.services
    me = session.actor
    password_hash = _password_hash(new)
    held = services.reference.sealed_key(me.id)
    if held is None:
        raise InvalidInput.at("password", "该账户没有个人签名密钥，请由管理员重置密码")
    public, sealed = held
    private = auth.unseal_key(sealed, old, me.id, public)
    if private is None:
        raise InvalidInput.at("old_password", "原密码不正确")
    with services.transaction():
        record_key(session, me.id, {"public": public, "sealed": auth.seal_key(private, str(new), me.id, public)}, password_hash)


def update_officer(session: SessionCore, officer_id: str, changes: Mapping[str, Any]) -> Officer:
    session.require("update_officer")
    services = session.services
    officer = services.officers().get(officer_id)
    if officer is None:
        raise NotFound(f"没有该人员：{officer_id}")
    record = officer_update(officer, changes, by=session.actor.id, today=services.today(),
                            certificate_registered=lambda no: reference_store.certificate_registered(services.db, no))
    with services.transaction():
        session.record(f"officer/{officer_id}", "update_officer", record)
        reference_store.apply_officer_update(services.db, record)
    return services.officers()[officer_id]
