"""A device's NATS identity is its existing Ed25519 device key: the raw 32-byte private key is the nkey seed,
so the public key the hub enrols is the one other machines already trust the device by."""

from __future__ import annotations

import base64
import re

import nkeys

_HEX_KEY = re.compile(r"[0-9a-f]{64}")


def user_nkey(public_key_hex: str) -> str:
    """The NATS user nkey (``U…``, 56 characters) of a raw Ed25519 public key given in hex."""
    if not _HEX_KEY.fullmatch(public_key_hex):
        raise ValueError(f"设备公钥应为 64 位十六进制：{public_key_hex[:80]!r}")
    raw = bytearray([nkeys.PREFIX_BYTE_USER]) + bytes.fromhex(public_key_hex)
    raw += nkeys.crc16(raw).to_bytes(2, "little")
    return base64.b32encode(bytes(raw)).decode("ascii")


def user_seed(private_key_raw: bytes) -> str:
    """The nkey seed (``SU…``) of a raw 32-byte Ed25519 private key: what the device's leaf connection signs with."""
    return nkeys.encode_seed(bytes(private_key_raw), nkeys.PREFIX_BYTE_USER).decode("ascii")
