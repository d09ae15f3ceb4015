"""Registering officers and changing their roles, qualification, account and certificates.

The forms are checked by the domain (:func:`~enforcement_app.domain.officers.build_officer`,
:func:`~enforcement_app.domain.officers.officer_update`); here they are recorded and projected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.officers import Officer, build_officer, officer_record, officer_update
from ..domain.refusals import NotFound, Refusal
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
    with services.transaction():
        session.record(f"officer/{officer.id}", "register_officer", record)
        reference_store.project_officer(services.db, record, password_hash)
    return services.officers()[officer.id]


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
