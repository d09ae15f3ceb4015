"""This device's name and identity, and the devices it has exchanged case bundles with."""

from __future__ import annotations

from typing import Any

from ..domain.refusals import InvalidInput
from ..store import devices as device_store
from .bundle_format import fingerprint
from .core import ServicesCore, SessionCore


def name_device(session: SessionCore, name: str) -> None:
    session.require("exchange_bundles")
    name = name.strip()
    if not name or len(name) > 60:
        raise InvalidInput.at("name", "设备名称不能为空，且不超过60字")
    services = session.services
    with services.transaction():
        session.record(f"device/{services.device_id}", "name_device", {"name": name})
        device_store.set_device_name(services.db, name)


def device_info(services: ServicesCore) -> dict[str, str]:
    """This device's id, name, public key and the key's fingerprint (what others compare before trusting it)."""
    own = device_store.own_device(services.db)
    return {**own, "fingerprint": fingerprint(own["public_key"])}


def peers(services: ServicesCore) -> list[dict[str, Any]]:
    """The devices bundles have been exchanged with: ``device_id``, ``name``, ``sent_upto_seq`` (the local
    event number up to which everything has gone), ``bundles_received``, ``last_received_at``, ``last_sent_at``."""
    return device_store.peers(services.db)


def receiving_devices(services: ServicesCore) -> list[dict[str, str]]:
    return device_store.receiving_devices(services.db)
