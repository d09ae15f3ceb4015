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


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    actual = hashlib.scrypt(
        password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(actual, base64.b64decode(key))
