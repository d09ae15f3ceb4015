"""A sealed file: a case bundle encrypted to the one device that is to open it (``ecr-sealed/1``).

Bundles travel on removable media and hold parties' full identity numbers, so by default they are
sealed to their receiving device's X25519 key. The file::

    ecr-sealed/1\\n
    header length (4 bytes, big-endian) and the header: a JSON object naming the format, the cipher, the
        chunk size, the receiving device (id, name, X25519 public key), the sending device and the
        ephemeral X25519 public key of this file
    chunks: the bundle's bytes in pieces of CHUNK bytes (the last one 1 to CHUNK bytes), each sealed with
        AES-256-GCM under nonce = its index (11 bytes, big-endian) and a last-chunk flag (1 byte), with
        everything before the first chunk (the prefix) as associated data

The content key is HKDF-SHA256 over X25519(ephemeral, receiver), salted with both public keys, with the
prefix in its info: a changed header yields another key, and every chunk authenticates the header too.
Each chunk decrypts on its own and only at its own index, so :class:`SealedReader` is a seekable file
over the bundle's bytes (zipfile and the staging worker read it as they read a plain bundle, and no
plaintext is written anywhere); reordered, dropped or appended chunks fail, and so does a file cut at a
chunk boundary (its last chunk does not carry the flag).

AES-GCM rather than ChaCha20-Poly1305: with AES instructions (any x86 laptop of the last ten years) it
decrypts 200 MB in 0.02 s here against ChaCha's 0.06 s, which keeps a sealed import near a plain one.
"""

from __future__ import annotations

import io
import json
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "ecr-sealed/1"
MAGIC = FORMAT.encode() + b"\n"
CIPHER = "AES-256-GCM"
KEY_AGREEMENT = "X25519-HKDF-SHA256"
CHUNK = 64 << 10
TAG = 16
HEADER_CAP = 16 << 10
_LENGTH = struct.Struct(">I")
_UNREADABLE = "加密案件包无法解密：不是用本机的密钥加密的，或文件已损坏、被改动"


class SealedError(ValueError):
    """A sealed file that cannot be opened: not sealed, another format, damaged or changed."""


def is_sealed(path: Path) -> bool:
    """Whether ``path`` starts as a sealed file of any version does."""
    with path.open("rb") as fh:
        return fh.read(len(b"ecr-sealed/")) == b"ecr-sealed/"


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _content_key(shared: bytes, ephemeral: bytes, receiver: bytes, prefix: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + receiver, info=MAGIC + prefix).derive(shared)


def read_header(fh: BinaryIO) -> tuple[dict[str, Any], bytes]:
    """The header of the sealed file open at ``fh`` (read from its start) and the prefix its chunks are
    sealed with. Raises SealedError."""
    magic = fh.read(len(MAGIC))
    if magic != MAGIC:
        if magic.startswith(b"ecr-sealed/"):
            raise SealedError(f"加密案件包的格式 {magic.strip().decode('ascii', 'replace')[:24]} 不是本程序能打开的（本程序读取 {FORMAT}）")
        raise SealedError("不是加密的案件包")
    raw_length = fh.read(_LENGTH.size)
    (length,) = _LENGTH.unpack(raw_length) if len(raw_length) == _LENGTH.size else (HEADER_CAP + 1,)
    if length > HEADER_CAP:
        raise SealedError("加密案件包的文件头损坏")
    raw = fh.read(length)
    try:
        header = json.loads(raw)
    except (ValueError, RecursionError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("cipher") != CIPHER \
            or header.get("key_agreement") != KEY_AGREEMENT or header.get("chunk") != CHUNK \
            or not all(isinstance(header.get(k), str) for k in ("to_device", "to_name", "to_key", "from_device", "from_name", "ephemeral")):
        raise SealedError("加密案件包的文件头损坏")
    return header, magic + raw_length + raw


def content_key(receiver: X25519PrivateKey, header: dict[str, Any], prefix: bytes) -> bytes:
    """The key the chunks are sealed with, from the receiving device's private key. Raises SealedError
    (a header whose keys are not keys)."""
    try:
        ephemeral = X25519PublicKey.from_public_bytes(bytes.fromhex(header["ephemeral"]))
        shared = receiver.exchange(ephemeral)
    except ValueError:
        raise SealedError("加密案件包的文件头损坏") from None
    return _content_key(shared, ephemeral.public_bytes_raw(), receiver.public_key().public_bytes_raw(), prefix)


class SealedWriter(io.RawIOBase):
    """Writes a sealed file to ``out`` (which it closes) as bytes are written to it; not seekable, so
    zipfile writes through it in streaming mode. :meth:`close` seals the last chunk."""

    def __init__(self, out: BinaryIO, receiver: bytes, header: dict[str, Any]):
        """``receiver``: the receiving device's X25519 public key (raw bytes); ``header``: its ``to_device``,
        ``to_name``, ``from_device`` and ``from_name``."""
        ephemeral = X25519PrivateKey.generate()
        public = ephemeral.public_key().public_bytes_raw()
        full = {"format": FORMAT, "cipher": CIPHER, "key_agreement": KEY_AGREEMENT, "chunk": CHUNK, **header,
                "to_key": receiver.hex(), "ephemeral": public.hex()}
        raw = json.dumps(full, ensure_ascii=False, sort_keys=True).encode("utf-8")
        self.prefix = MAGIC + _LENGTH.pack(len(raw)) + raw
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(receiver))
        self._aead = AESGCM(_content_key(shared, public, receiver, self.prefix))
        self._out, self._buffer, self._index, self._written = out, bytearray(), 0, 0
        out.write(self.prefix)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("写入已关闭的加密文件")
        self._buffer += data
        # a chunk is sealed once more bytes follow it: only the last one carries the flag
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        n = len(memoryview(data).cast("B"))
        self._written += n
        return n

    def _seal(self, plain: bytes, last: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._index, last), plain, self.prefix))
        self._index += 1

    def tell(self) -> int:
        return self._written

    def seek(self, offset: int, whence: int = 0) -> int:
        raise io.UnsupportedOperation("a sealed file is written in one pass")

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        if not self.closed:
            try:
                self._seal(bytes(self._buffer), last=True)
            finally:
                self._out.close()
        super().close()


class SealedReader(io.RawIOBase):
    """A seekable, read-only file over the bundle sealed in ``path``, decrypting the chunks it is asked
    for (one kept decrypted). Opening checks the header and that the file ends with its last chunk.
    Raises SealedError, on opening or on reading a chunk that fails to authenticate."""

    def __init__(self, path: str | Path, key: bytes):
        self._fh = open(path, "rb")  # noqa: SIM115 — closed by close()
        try:
            _header, self._prefix = read_header(self._fh)
            self._start = len(self._prefix)
            self._aead = AESGCM(key)
            self._decrypt_into = getattr(self._aead, "decrypt_into", None)  # cryptography 45 and later
            body = os.fstat(self._fh.fileno()).st_size - self._start
            self._chunks = max(1, -(-body // (CHUNK + TAG)))
            self.size = body - self._chunks * TAG
            last_size = body - (self._chunks - 1) * (CHUNK + TAG)
            if body < TAG or last_size < TAG + (1 if self._chunks > 1 else 0):
                raise SealedError("加密案件包不完整（文件被截断）")
            self._cached: tuple[int, bytes] = (-1, b"")
            self._position = 0
            self._chunk(self._chunks - 1)  # the last chunk must be the last one sealed: no file cut short
        except BaseException:
            self._fh.close()
            raise

    def _chunk(self, index: int) -> bytes:
        if self._cached[0] != index:
            self._fh.seek(self._start + index * (CHUNK + TAG))
            sealed = self._fh.read(CHUNK + TAG)
            try:
                plain = self._aead.decrypt(_nonce(index, index == self._chunks - 1), sealed, self._prefix)
            except InvalidTag:
                raise SealedError(_UNREADABLE) from None
            self._cached = (index, plain)
        return self._cached[1]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise OSError("seek before the start of the file")
        self._position = base + offset
        return self._position

    def read(self, n: int = -1) -> bytes:
        end = self.size if n is None or n < 0 else min(self.size, self._position + n)
        pieces = []
        while self._position < end:
            index, within = divmod(self._position, CHUNK)
            piece = self._chunk(index)[within:within + end - self._position]
            pieces.append(piece)
            self._position += len(piece)
        return b"".join(pieces)

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        """Like :meth:`read`, into ``buffer``: whole chunks are decrypted straight into it where the
        cryptography package can (``decrypt_into``), saving a copy of every byte staged."""
        view = memoryview(buffer).cast("B")
        end = min(self.size, self._position + len(view))
        done = 0
        while self._position < end:
            index, within = divmod(self._position, CHUNK)
            length = min(CHUNK - within, end - self._position)
            if within == 0 and length == self._length(index) and self._decrypt_into is not None and self._cached[0] != index:
                self._fh.seek(self._start + index * (CHUNK + TAG))
                try:
                    self._decrypt_into(_nonce(index, index == self._chunks - 1), self._fh.read(length + TAG), self._prefix,
                                       view[done:done + length])
                except (InvalidTag, ValueError):  # ValueError: fewer bytes than the chunk has (a file cut short)
                    raise SealedError(_UNREADABLE) from None
            else:
                view[done:done + length] = self._chunk(index)[within:within + length]
            done += length
            self._position += length
        return done

    def _length(self, index: int) -> int:
        """How many of the bundle's bytes chunk ``index`` holds."""
        return CHUNK if index < self._chunks - 1 else self.size - index * CHUNK

    def close(self) -> None:
        if not self.closed:
            self._fh.close()
        super().close()
