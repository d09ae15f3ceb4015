"""The agency's signing certificates: the key this device signs exported case files with, and the
certificates ``verify-pdf`` trusts.

The private key (RSA-2048, see :mod:`..domain.agency_certificate`) lives in the device's keystore beside the
device key, never in the database: whoever has the database file cannot sign a case file as the agency. The
certificate is public and is recorded as an event (``issue_agency_certificate`` on the agency's stream, by the
system on this device), so it is hashed, chained and sealed like the rest of the record, travels to other
machines in every bundle (which carry the agency's stream), and ``verify-pdf`` on any machine holding the
record trusts exactly the certificates the record issued. A certificate in a table or a file elsewhere grants
nothing.

The certificate is issued the first time this device needs it (its first case-file export), and again when
the agency's name has changed since (its certificate names the agency), with the same key. Older
certificates stay in the record, so files signed with them keep verifying.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from ..domain import agency_certificate as certificates
from ..store import events as event_store
from ..store.database import device_key_name
from ..store.keystore import KeystoreLocked
from .core import SYSTEM_ACTOR, ServicesCore, SessionCore

ISSUE_KIND = "issue_agency_certificate"


@dataclass(frozen=True)
class AgencySigner:
    """What the case file is signed with: the agency's key on this device and its certificate (DER)."""

    key: RSAPrivateKey
    certificate: bytes
    fingerprint: str
    agency_name: str


def key_name(device_id: str) -> str:
    return f"{device_key_name(device_id)}-agency-signing"


@lru_cache(maxsize=4)
def _loaded(raw: bytes) -> RSAPrivateKey:
    """Loading an RSA key checks it (about 40 ms): once per process, not once per export."""
    return certificates.load_key(raw)


def recorded_certificates(services: ServicesCore) -> list[bytes]:
    """Every certificate the record issued the agency (DER), oldest first: those ``verify-pdf`` trusts."""
    agency = services.agency()
    if agency is None:
        return []
    return [base64.b64decode(e.payload["certificate"]) for e in event_store.events_of(services.db, f"agency/{agency.id}")
            if e.kind == ISSUE_KIND and isinstance(e.payload.get("certificate"), str)]


def signer(services: ServicesCore) -> AgencySigner | None:
    """This device's signer for case files, issuing its key and certificate on first use; None when this
    device cannot sign for the record (no agency set, or the database's device key is not in this keystore:
    a copy opened elsewhere can be read and exported, but not signed, as it cannot be recorded in either).
    The first call on a device records the certificate (its own transaction): an export is otherwise a read,
    and this one write is noted like any other (the agency's table), so the views that care refresh."""
    agency = services.agency()
    if agency is None or services.device_anchor() is None:
        return None
    store = services.keystore
    try:
        raw = store.get(key_name(services.device_id))
    except KeystoreLocked:
        return None
    if raw is None:
        key = certificates.new_key()
        store.put(key_name(services.device_id), certificates.key_bytes(key))
    else:
        key = _loaded(raw)
    public = certificates.public_key_bytes(key)
    for der in reversed(recorded_certificates(services)):
        if certificates.public_key_of(der) == public and certificates.subject(der) == agency.name:
            return AgencySigner(key, der, certificates.fingerprint(der), agency.name)
    der = certificates.issue(key, agency.name, services.device_id)
    with services.transaction():
        SessionCore(services, SYSTEM_ACTOR).record(f"agency/{agency.id}", ISSUE_KIND, {
            "certificate": base64.b64encode(der).decode("ascii"), "fingerprint": certificates.fingerprint(der),
            "subject": agency.name, "device": services.device_id, "algorithm": "rsa-2048-pkcs1v15-sha256"})
    return AgencySigner(key, der, certificates.fingerprint(der), agency.name)
