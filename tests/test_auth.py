"""Password hashing: production keeps its strength while the suite hashes cheaply (see conftest)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from enforcement_app.services import auth
from enforcement_app.services.auth import ScryptCost

PASSWORD = "secret-pass-1"


def _fields(stored: str) -> tuple[str, int, int, int]:
    scheme, n, r, p, _salt, _key = stored.split("$")
    return scheme, int(n), int(r), int(p)


def test_the_default_cost_is_today_s_strength():
    default = auth.DEFAULT_COST
    assert (default.n, default.r, default.p) == (2**14, 8, 1)


def test_a_hash_at_the_default_cost_records_and_uses_it():
    stored = auth.hash_password(PASSWORD, auth.DEFAULT_COST)
    assert _fields(stored) == ("scrypt", 2**14, 8, 1)
    assert auth.check_password(PASSWORD, stored)
    assert not auth.check_password("wrong-pass-1", stored)


def test_outside_the_suite_new_hashes_are_made_at_the_default_cost():
    """A fresh interpreter, untouched by the suite's cheap fixture, is what production runs."""
    code = "from enforcement_app.services import auth; print(auth.hash_password('secret-pass-1'))"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(root)})
    stored = out.stdout.strip()
    assert _fields(stored) == ("scrypt", 2**14, 8, 1)
    assert auth.check_password(PASSWORD, stored)


def test_a_cheap_hash_still_checks_against_its_own_parameters_at_any_cost_in_force(monkeypatch):
    cheap = auth.hash_password(PASSWORD, ScryptCost(n=2, r=1, p=1))
    assert _fields(cheap) == ("scrypt", 2, 1, 1)
    monkeypatch.setattr(auth, "cost_in_force", auth.DEFAULT_COST)
    assert auth.check_password(PASSWORD, cheap)
    assert not auth.check_password("wrong-pass-1", cheap)


def test_the_suite_hashes_cheaply():
    assert _fields(auth.hash_password(PASSWORD))[1:] == (2, 1, 1)


def test_short_passwords_are_refused():
    with pytest.raises(ValueError):
        auth.hash_password("short")


@pytest.mark.parametrize("cost", ["-1$8$1", "16384$-1$1", "16384$8$-1", "1048576$8$1", "16384$8$64", "x$8$1"])
def test_a_hash_or_sealed_key_with_a_forged_cost_is_refused_quickly(cost):
    from enforcement_app.services import auth

    salt = "AAAAAAAAAAAAAAAAAAAAAA=="
    assert auth.check_password("secret-pass-1", f"scrypt${cost}${salt}$AAAA") is False
    assert auth.unseal_key(f"scrypt${cost}${salt}$AAAAAAAAAAAAAAAA$AAAA", "secret-pass-1", "o1", "ab" * 32) is None
