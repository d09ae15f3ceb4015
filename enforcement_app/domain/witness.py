"""The hub as a witness (issue #16): a receipt is the hub's signed statement that it holds certain events of a
device's record, and with each everything it follows. A device keeps the receipts it is sent; ``verify`` checks
each and that every event it names is still in the record, so a record cut back, rewritten or swapped for an older
copy is found even by someone who holds the device's own key (they do not hold the hub's).

The hub signs with its database's Ed25519 device key; that key is vouched for by the hub's CA (the ECDSA P-256 CA
a device joins with, which also signs the hub's TLS certificate): the CA's signature over the hub's device id and
key travels in every receipt, so a device needs nothing but the CA it joined with to check one.

A receipt's body is canonical JSON (sorted keys, no spaces, UTF-8); the signatures are over its exact bytes.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
ENDORSEMENT_CONTEXT = b"enforcement-hub witness key\x00"
RECEIPT_CONTEXT = b"enforcement-hub receipt\x00"


class ReceiptError(ValueError):
    """A receipt that is malformed or whose signatures do not hold (the message says which)."""


@dataclass(frozen=True)
class Receipt:
    device: str  # whose record it witnesses
    hub_device: str
    hub_key: str  # hex Ed25519 public key
    at: str
    events: tuple[tuple[str, str], ...]  # (stream, hash): the hub holds each, and all it follows


def _endorsed(hub_device: str, hub_key: str) -> bytes:
    return ENDORSEMENT_CONTEXT + hub_device.encode("ascii") + b"\x00" + hub_key.encode("ascii")


def endorse(ca_key: ec.EllipticCurvePrivateKey, hub_device: str, hub_key: str) -> str:
    """The CA's signature (base64 DER) vouching that ``hub_key`` is the key of the hub's database ``hub_device``."""
    return base64.b64encode(ca_key.sign(_endorsed(hub_device, hub_key), ec.ECDSA(hashes.SHA256()))).decode("ascii")


def make(key: Ed25519PrivateKey, endorsement: str, hub_device: str, device: str, at: str,
         events: list[tuple[str, str]]) -> tuple[str, str]:
    """A receipt for ``device``: its body (canonical JSON) and the hub's signature over it (hex)."""
    hub_key = key.public_key().public_bytes_raw().hex()
    body = json.dumps({"v": VERSION, "device": device, "hub_device": hub_device, "hub_key": hub_key, "endorsement": endorsement,
                       "at": at, "events": sorted([s, h] for s, h in events)},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return body, key.sign(RECEIPT_CONTEXT + body.encode("utf-8")).hex()


def check(body: str, signature: str, ca_pem: bytes, device: str) -> Receipt:
    """The receipt, once its body is well formed and for ``device``, the CA (``ca_pem``) vouches for its key and
    the key signed it; else :class:`ReceiptError`."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("v") != VERSION:
            raise ReceiptError("回执格式不对")
        hub_device, hub_key, endorsement = str(data["hub_device"]), str(data["hub_key"]), str(data["endorsement"])
        events = tuple((str(s), str(h)) for s, h in data["events"])
        receipt = Receipt(str(data["device"]), hub_device, hub_key, str(data["at"]), events)
    except (ValueError, KeyError, TypeError) as exc:
        raise ReceiptError(f"回执无法读取：{exc}") from None
    if receipt.device != device:
        raise ReceiptError(f"回执是给设备 {receipt.device[:12]} 的，不是本机的")
    try:
        ca = x509.load_pem_x509_certificate(ca_pem).public_key()
        ca.verify(base64.b64decode(endorsement, validate=True), _endorsed(hub_device, hub_key), ec.ECDSA(hashes.SHA256()))
    except (ValueError, TypeError, InvalidSignature):
        raise ReceiptError("回执中的汇聚节点密钥未经本机加入时的汇聚节点证书颁发机构认可") from None
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(hub_key)).verify(bytes.fromhex(signature), RECEIPT_CONTEXT + body.encode("utf-8"))
    except (ValueError, InvalidSignature):
        raise ReceiptError("回执的签名无效：回执被改动") from None
    return receipt
