"""This device's name and identity, and the devices it has exchanged case bundles with."""

from __future__ import annotations

from typing import Any

from ..domain.refusals import InvalidInput
from ..store import devices as device_store
from ..store import receipts as receipt_store
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


def record_network(session: SessionCore, kind: str, payload: dict[str, str]) -> None:
    """This device joined (``join_network``: the hub's address and its CA's fingerprint) or left (``leave_network``)
    its agency's network, recorded as this device's event by whoever may trust devices (the system, on a machine
    with no users yet: its first officers come through the network, as a first bundle brings them)."""
    session.require("trust_devices")
    if kind not in ("join_network", "leave_network"):
        raise InvalidInput.at("kind", f"不是加入或退出机构网络：{kind}")
    services = session.services
    with services.transaction():
        session.record(f"device/{services.device_id}", kind, payload)


def network_status(services: ServicesCore) -> dict[str, Any]:
    """What this device's record says of its link: ``receipts`` kept from the hub, ``last_receipt_at``, and
    ``waiting``: this device's own events no receipt covers yet (recorded since, or not yet confirmed)."""
    db = services.db
    kept = receipt_store.all_receipts(db)
    return {"receipts": len(kept), "last_receipt_at": kept[-1][2] if kept else "",
            "waiting": receipt_store.waiting(db, services.device_id)}
