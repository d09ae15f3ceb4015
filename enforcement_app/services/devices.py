"""This device's name, shown to the devices it exchanges case bundles with."""

from __future__ import annotations

from ..domain.refusals import InvalidInput
from ..store import devices as device_store
from .core import SessionCore


def name_device(session: SessionCore, name: str) -> None:
    session.require("exchange_bundles")
    name = name.strip()
    if not name or len(name) > 60:
        raise InvalidInput.at("name", "设备名称不能为空，且不超过60字")
    services = session.services
    with services.db.atomic():
        session.record(f"device/{services.device_id}", "name_device", {"name": name})
        device_store.set_device_name(services.db, name)

