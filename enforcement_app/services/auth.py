"""Password hashing with scrypt (hashlib): passwords are never stored plain.

A stored hash reads ``scrypt$N$r$p$salt$key`` (salt and key in base64): it records the cost it was made
with, so a hash checks against its own parameters whatever the cost in force when it is checked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's work factors: ``n`` (CPU/memory cost, a power of two above 1), block size ``r``, parallelism ``p``."""

    n: int
    r: int
    p: int


DEFAULT_COST = ScryptCost(n=2**14, r=8, p=1)
"""Production strength: about 16 MiB and a few tens of milliseconds per hash on a laptop."""

cost_in_force: ScryptCost = DEFAULT_COST
"""The cost new hashes are made with unless the caller names one. Only the test suite lowers it (``tests/conftest.py``), because it
registers hundreds of officers and the hashing would otherwise be most of its set-up time."""


def hash_password(password: str, cost: ScryptCost | None = None) -> str:
    """A new salted hash of ``password`` at ``cost`` (by default the cost in force)."""
    if len(password) < 8:
        raise ValueError("密码至少8位")
    cost = cost or cost_in_force
    n, r, p = cost.n, cost.r, cost.p
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def _bounded(n: int, r: int, p: int) -> bool:
    """A cost no higher than four times production's (what a hash or sealed key typed into the file may ask)."""
    return 1 < n <= 2**16 and 0 < r <= 16 and 0 < p <= 4 and n * r * p <= 4 * DEFAULT_COST.n * DEFAULT_COST.r * DEFAULT_COST.p


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt" or not _bounded(int(n), int(r), int(p)):
            return False
        actual = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
        return hmac.compare_digest(actual, base64.b64decode(key))
    except (ValueError, TypeError, OverflowError):
        return False


# --- personal signing keys, sealed under the password ----------------------------------------------------

def _sealing_key(password: str, salt: bytes, cost: ScryptCost) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=cost.n, r=cost.r, p=cost.p, dklen=32)


def seal_key(private: bytes, password: str, officer_id: str, public_hex: str, cost: ScryptCost | None = None) -> str:
    """``private`` (an Ed25519 key's 32 raw bytes) encrypted under ``password``: ``scrypt$N$r$p$salt$nonce$ciphertext``.
    AES-GCM's associated data is the officer and the public key, so a sealed key cannot be moved to another officer."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    cost = cost or cost_in_force
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_sealing_key(password, salt, cost)).encrypt(nonce, private, f"{officer_id}\n{public_hex}".encode())
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${cost.n}${cost.r}${cost.p}${b64(salt)}${b64(nonce)}${b64(sealed)}"


def unseal_key(sealed: str, password: str, officer_id: str, public_hex: str) -> bytes | None:
    """The private key ``sealed`` holds, or None when ``password`` is not the one it was sealed under."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        scheme, n, r, p, salt, nonce, body = sealed.split("$")
        if scheme != "scrypt" or not _bounded(int(n), int(r), int(p)):  # a forged cost must not exhaust memory or time
            return None
        key = _sealing_key(password, base64.b64decode(salt), ScryptCost(int(n), int(r), int(p)))
        return AESGCM(key).decrypt(base64.b64decode(nonce), base64.b64decode(body), f"{officer_id}\n{public_hex}".encode())
    except (ValueError, TypeError, OverflowError, InvalidTag):
        return None
