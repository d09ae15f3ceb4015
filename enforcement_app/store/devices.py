"""This device's name, and the other devices it exchanges case bundles with: those it trusts (by public
key) and what has been sent to and received from each (the peer table). Writes run inside the caller's
``db.atomic()``."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .database import meta

PEER_COLUMNS = ("device_id", "name", "sent_upto_seq", "bundles_received", "last_received_at", "last_sent_at")


def set_device_name(db: sqlite_utils.Database, name: str) -> None:
    db.execute("UPDATE meta SET value = ? WHERE key = 'device_name'", [name])


def own_device(db: sqlite_utils.Database) -> dict[str, str]:
    """This device's id, name, public signing key and public key agreement key (hex)."""
    return {"device_id": meta(db, "device_id"), "name": meta(db, "device_name"), "public_key": meta(db, "device_public_key"),
            "agreement_key": meta(db, "device_agreement_public_key")}


def peers(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [dict(zip(PEER_COLUMNS, r, strict=True)) for r in db.execute(f"SELECT {', '.join(PEER_COLUMNS)} FROM peer")]


def sent_upto(db: sqlite_utils.Database, device: str) -> int:
    """The local event seq up to which everything has been sent to ``device`` (0 if nothing yet)."""
    row = db.execute("SELECT sent_upto_seq FROM peer WHERE device_id = ?", [device]).fetchone()
    return int(row[0]) if row else 0


def note_sent(db: sqlite_utils.Database, device: str, upto: int, at: str) -> None:
    db.execute("INSERT INTO peer (device_id, sent_upto_seq, last_sent_at) VALUES (?, ?, ?) ON CONFLICT(device_id) "
               "DO UPDATE SET sent_upto_seq = excluded.sent_upto_seq, last_sent_at = excluded.last_sent_at",
               [device, upto, at])


def note_received(db: sqlite_utils.Database, device: str, name: str, at: str) -> None:
    db.execute("INSERT INTO peer (device_id, name, bundles_received, last_received_at) VALUES (?, ?, 1, ?) "
               "ON CONFLICT(device_id) DO UPDATE SET name = excluded.name, bundles_received = bundles_received + 1, "
               "last_received_at = excluded.last_received_at",
               [device, name, at])


def trusted_key(db: sqlite_utils.Database, device: str) -> str | None:
    """The public key ``device`` is trusted with, or None if it is not trusted."""
    row = db.execute("SELECT public_key FROM trusted_device WHERE device_id = ?", [device]).fetchone()
    return row[0] if row else None


def trust(db: sqlite_utils.Database, device: str, public_key: str, name: str, at: str, by: str, agreement_key: str = "") -> None:
    db["trusted_device"].insert({"device_id": device, "public_key": public_key, "name": name, "trusted_at": at, "trusted_by": by,
                                 "agreement_key": agreement_key})


def note_agreement_key(db: sqlite_utils.Database, device: str, agreement_key: str) -> None:
    """The X25519 key a trusted device's latest signed bundle names: what bundles for it are encrypted to."""
    db.execute("UPDATE trusted_device SET agreement_key = ? WHERE device_id = ? AND agreement_key <> ?", [agreement_key, device, agreement_key])


def receiving_device(db: sqlite_utils.Database, device: str) -> tuple[str, str] | None:
    """(name, X25519 public key) of a trusted device whose key is known, else None."""
    row = db.execute("SELECT name, agreement_key FROM trusted_device WHERE device_id = ? AND agreement_key <> ''", [device]).fetchone()
    return (row[0], row[1]) if row else None


def receiving_devices(db: sqlite_utils.Database) -> list[dict[str, str]]:
    """The trusted devices a bundle can be encrypted to: ``device_id`` and ``name``."""
    return [{"device_id": r[0], "name": r[1]}
            for r in db.execute("SELECT device_id, name FROM trusted_device WHERE agreement_key <> '' ORDER BY name, device_id")]
