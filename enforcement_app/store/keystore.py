"""Where a device keeps its private keys: outside the database, so that whoever has the database file cannot
sign as the device (and so cannot re-seal a rewritten record).

The OS keyring (Windows Credential Manager, macOS Keychain, the Secret Service on a Linux desktop) through the
``keyring`` package when there is one; otherwise a file per key in the user's data folder, encrypted under a
passphrase (scrypt + AES-GCM). The passphrase comes from ``ENFORCEMENT_KEY_PASSPHRASE`` or is asked for
(the client asks at start, the command line on its terminal). ``ENFORCEMENT_KEYSTORE=file`` chooses the file
even where a keyring exists (tests, servers); ``ENFORCEMENT_KEY_DIR`` says where the files go.

Beside the keys a keystore keeps values that need no secrecy, only a place outside the database (the device's
high-water marks, :mod:`.marks`, which their writer signs): :meth:`Keystore.get_plain` and
:meth:`Keystore.put_plain`. They cost no scrypt, are read afresh each time (another program may have written
them since) and are written whole or not at all.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from platformdirs import user_data_dir

from ..domain.refusals import Refusal, RuleViolation

SERVICE = "enforcement-app"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}


class KeystoreLocked(RuleViolation):
    """The device's keys cannot be reached: no keyring, and no passphrase (or a wrong one) for the key file."""

    def __init__(self, message: str):
        super().__init__([Refusal("keystore_locked", message)])


class Keystore(Protocol):
    where: str

    def get(self, name: str) -> bytes | None: ...

    def put(self, name: str, secret: bytes) -> None: ...

    def get_plain(self, name: str) -> str | None: ...

    def put_plain(self, name: str, value: str) -> None: ...


class KeyringStore:
    """The OS keyring; secrets as hex under the service name."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self.where = f"系统钥匙串（{type(backend).__name__}）"

    def get(self, name: str) -> bytes | None:
        value = self._backend.get_password(SERVICE, name)
        return bytes.fromhex(value) if value else None

    def put(self, name: str, secret: bytes) -> None:
        self._backend.set_password(SERVICE, name, secret.hex())

    def get_plain(self, name: str) -> str | None:
        return self._backend.get_password(SERVICE, name)

    def put_plain(self, name: str, value: str) -> None:
        self._backend.set_password(SERVICE, name, value)


class FileStore:
    """One file per key, encrypted under a passphrase. ``passphrase`` is called only when a key is read or
    written, so a process that never signs never asks."""

    def __init__(self, folder: Path, passphrase: Callable[[], str | None]):
        self.folder = folder
        self._passphrase = passphrase
        self._cache: dict[str, bytes] = {}
        self.where = f"密钥文件（{folder}）"

    def _secret(self) -> str:
        passphrase = self._passphrase()
        if not passphrase:
            raise KeystoreLocked("本机没有可用的系统钥匙串，设备密钥保存在口令保护的文件中：请设置 ENFORCEMENT_KEY_PASSPHRASE 或在提示时输入设备密钥口令")
        return passphrase

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.key"

    def get(self, name: str) -> bytes | None:
        if name in self._cache:
            return self._cache[name]
        path = self._path(name)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            kdf = Scrypt(salt=bytes.fromhex(data["salt"]), length=32, **data["scrypt"])
            key = kdf.derive(self._secret().encode("utf-8"))
            secret = AESGCM(key).decrypt(bytes.fromhex(data["nonce"]), bytes.fromhex(data["ciphertext"]), name.encode())
        except InvalidTag:
            raise KeystoreLocked(f"设备密钥口令不正确（{path}）") from None
        except (KeyError, ValueError, TypeError) as exc:
            raise KeystoreLocked(f"设备密钥文件已损坏：{path}（{exc}）") from None
        self._cache[name] = secret
        return secret

    def put(self, name: str, secret: bytes) -> None:
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        key = Scrypt(salt=salt, length=32, **_SCRYPT).derive(self._secret().encode("utf-8"))
        body = {"format": "ecr-key/1", "scrypt": _SCRYPT, "salt": salt.hex(), "nonce": nonce.hex(),
                "ciphertext": AESGCM(key).encrypt(nonce, secret, name.encode()).hex()}
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(name)
        partial = path.with_suffix(".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(body, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
        self._cache[name] = secret

    def _plain_path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def get_plain(self, name: str) -> str | None:
        try:
            return self._plain_path(name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def put_plain(self, name: str, value: str) -> None:
        """Written under a name of this call's own, flushed, then renamed over the old value: two programs
        writing at once leave one value whole, and a program killed midway leaves the old one (and a ``.part``
        file that nothing reads)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(value)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, self._plain_path(name))
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise


_asked: dict[str, str] = {}
passphrase_prompt: Callable[[], str | None] | None = None  # set by the client or the CLI to ask the user


def _passphrase() -> str | None:
    if os.environ.get("ENFORCEMENT_KEY_PASSPHRASE"):
        return os.environ["ENFORCEMENT_KEY_PASSPHRASE"]
    if "value" not in _asked and passphrase_prompt is not None:
        answer = passphrase_prompt()
        if answer:
            _asked["value"] = answer
    return _asked.get("value")


_stores: dict[tuple[str, Path], Keystore] = {}


def default_keystore() -> Keystore:
    """The keyring when the OS has one (and ``ENFORCEMENT_KEYSTORE`` does not say ``file``), else the key files."""
    choice = os.environ.get("ENFORCEMENT_KEYSTORE", "")
    folder = Path(os.environ.get("ENFORCEMENT_KEY_DIR") or Path(user_data_dir(SERVICE, appauthor=False)) / "keys")
    if (choice, folder) not in _stores:
        backend = None if choice == "file" else _keyring()
        _stores[choice, folder] = KeyringStore(backend) if backend is not None else FileStore(folder, _passphrase)
    return _stores[choice, folder]


def _keyring():
    try:
        import keyring
        from keyring.backends import fail

        candidate = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring installation is no keyring
        return None
    if isinstance(candidate, fail.Keyring) or getattr(candidate, "priority", 0) <= 0:
        return None
    return candidate
