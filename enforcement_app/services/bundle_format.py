"""The ``.ecb`` file itself: writing one, and reading one back checked. No database here.

A bundle is a zip file:

- ``events.txt`` — the events, each as its canonical bytes (the exact bytes its hash is taken over, see
  :mod:`..domain.record`) followed by a newline. The receiver recomputes every hash from the bytes that
  arrived and stores those same bytes, so nothing is serialised twice and nothing can drift;
- ``evidence/<sha256>`` — each evidence file the events register, stored uncompressed;
- ``manifest.json`` — format, bundle id, sending device and its public key, the cases, and the SHA-256
  and size of every other file in the bundle; ``manifest.sig`` — a small JSON object: the format, the
  sending device, its name and public key, and its Ed25519 signature over the manifest's bytes.

A bundle comes from outside, so nothing of it is inflated before it has been checked: first the zip's
central directory (only the members this format writes, each once, the manifest and its signature within
their caps), then the signature — whose signer ``manifest.sig`` names, so that a device that is not
trusted is refused before its manifest is even parsed — then the manifest, whose signed sizes cap every
other member. Every member is read in chunks into a buffer of its declared size and never past it, since
a zip's headers can understate what its deflated data inflates to.

Reading is built for speed as much as for suspicion, because an import should cost little more than
hashing the bundle once. Evidence files are read straight from their place in the zip (``pread``), hashed
and staged beside the evidence store by worker threads while the calling thread parses the events;
hashing and file I/O release the interpreter lock, so the two run on separate cores.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import struct
import subprocess
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..domain.record import FORMAT as EVENT_FORMAT
from ..domain.record import header_bytes
from ..domain.refusals import InvalidInput, Refusal
from ..store import evidence_stage, sealed, workers
from ..store.evidence import STAGING_PREFIX, EvidenceStore

FORMAT = "ecr-bundle/3"
EVENTS = "events.txt"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
EVIDENCE_PREFIX = "evidence/"
_MEMBER = re.compile(r"events\.txt|manifest\.json|manifest\.sig|evidence/[0-9a-f]{64}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
# What a bundle may hold, checked before anything of it is inflated. A manifest lists each evidence file in
# about 190 bytes and each case in 37: a bundle of 100,000 events in 20,000 cases with 50,000 evidence files
# has a manifest of about 10 MiB, so 16 MiB is room enough and bounds what an untrusted sender makes us read.
MANIFEST_CAP = 16 << 20
SIGNATURE_CAP = 4 << 10  # a JSON object of a device id, its name, a key and a signature
MAX_MEMBERS = 100_000  # more evidence files than a manifest within its cap can list
DIRECTORY_CAP = 16 << 20  # the zip's central directory: about 130 bytes per member as zipfile writes it
# events.txt is read whole (its hash must be checked before it is parsed) at the size the signed manifest
# gives; past this, about 1.4 million events, the exporter refuses and asks for several bundles
EVENTS_CAP = 1 << 30
READ_CHUNK = 1 << 20
STREAM = re.compile(r"(?:[0-9a-f]{32}|evaluation/[0-9a-f]{32}|(?:party|officer|agency|device)/[^\s,/]+|config/(?:policy|calendar|benchmarks|power_list))")
DEVICE = re.compile(r"[^\s,/]{1,64}")
_TOKEN = re.compile(r"[^\s,]+")
# one event: the canonical header lines and the payload line. The shape is checked here, in C, for all
# events at once; what a pattern cannot say (the moment is a real one, parents sorted) is checked after.
_EVENT_BODY = (
    rb"%s\nstream:([^\s,]+)\nparents:((?:[0-9a-f]{64}(?:,[0-9a-f]{64})*)?)\nactor:([^\s,]+)\ndevice:([^\s,]+)\n"
    rb"at:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d)\nkind:([^\s,]+)\n(\{[^\n]*\})" % re.escape(EVENT_FORMAT.encode())
)
_EVENT = re.compile(_EVENT_BODY + rb"\n")
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature … file name length, extra field length
_END = struct.Struct("<4s4H2LH")  # end of central directory: …, members, directory size, its offset, comment length
_LOCATOR = struct.Struct("<4sLQL")  # zip64 end of central directory locator: …, the record's offset, …
_END64 = struct.Struct("<4sQ2H2L4Q")  # zip64 end of central directory: …, members, directory size, its offset


class BundleError(InvalidInput):
    """A bundle refused whole; each refusal names what is wrong (file, event or parent)."""

    def __init__(self, path: Path, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__([Refusal("bundle_refused", f"{path.name}：{p}", field="bundle") for p in self.problems])


class WireEvent(NamedTuple):
    """An event as it arrived. The first eight fields are its stored columns, exactly as they will be
    written; the rest are parsed from them, under the names a :class:`RecordedEvent` has, so that a case
    can be folded straight from what arrived."""

    hash: str
    stream: str
    parents_text: str  # comma-joined, sorted
    actor: str
    device: str
    at_text: str
    kind: str
    payload_bytes: bytes
    parents: tuple[str, ...]
    at: datetime
    payload: dict[str, Any]


# --- writing ---------------------------------------------------------------------------------------------


def encode_events(rows: Iterable[tuple]) -> bytes:
    """``rows``: (stream, parents, actor, device, at, kind, payload) as stored. Raises ValueError for a
    row that could not be read back as written (a payload that is not one line holding one object, a
    field with a line break): better refused here, with its hash, than by every receiver."""
    out = []
    for stream, parents, actor, device, at, kind, payload in rows:
        payload = payload if isinstance(payload, bytes) else str(payload).encode("utf-8")
        header = header_bytes(stream, parents, actor, device, at, kind)
        if header.count(b"\n") != 7 or b"\n" in payload or payload[:1] != b"{" or payload[-1:] != b"}":
            digest = hashlib.sha256(header + payload).hexdigest()
            raise ValueError(f"记录 {digest[:12]}…（{kind}）的格式无法写入案件包，请先运行 verify 检查本机数据")
        out += (header, payload, b"\n")
    return b"".join(out)


class Recipient(NamedTuple):
    """The device a bundle is sealed to (:mod:`..store.sealed`)."""

    device: str
    name: str
    agreement_key: str  # X25519, hex


def write_bundle(path: Path, events: bytes, evidence: Mapping[str, Path], manifest: dict[str, Any], key: Ed25519PrivateKey,
                 recipient: Recipient | None = None) -> int:
    """Write the bundle to ``path``, sealed to ``recipient`` if one is given (as it is written: the bundle's
    bytes in the clear are never on disk); ``manifest`` (its ``from_device``, ``from_name`` and
    ``public_key`` name the signer) gets the files' hashes and sizes. Returns the file's size. Raises
    ValueError for a bundle larger than a receiver reads (:data:`MANIFEST_CAP`, :data:`EVENTS_CAP`,
    :data:`MAX_MEMBERS`)."""
    files = {EVENTS: {"sha256": hashlib.sha256(events).hexdigest(), "size": len(events)}}
    for sha, source in evidence.items():
        files[f"{EVIDENCE_PREFIX}{sha}"] = {"sha256": sha, "size": source.stat().st_size}
    manifest_bytes = json.dumps({"format": FORMAT, **manifest, "files": files}, ensure_ascii=False, indent=1).encode("utf-8")
    if len(manifest_bytes) > MANIFEST_CAP or len(events) > EVENTS_CAP or len(files) + 2 > MAX_MEMBERS:
        raise ValueError(f"案件包过大（{len(evidence):,} 个证据文件，记录 {len(events):,} 字节），接收方无法读取：请按案件分批导出")
    signature = {"format": FORMAT, "device": manifest["from_device"], "name": manifest["from_name"],
                 "public_key": manifest["public_key"], "signature": key.sign(manifest_bytes).hex()}
    with ExitStack() as stack:
        out: Any = path
        if recipient is not None:
            out = stack.enter_context(sealed.SealedWriter(path.open("wb"), bytes.fromhex(recipient.agreement_key), {
                "to_device": recipient.device, "to_name": recipient.name,
                "from_device": manifest["from_device"], "from_name": manifest["from_name"]}))
        with zipfile.ZipFile(out, "w") as bundle:
            bundle.writestr(EVENTS, events, compress_type=zipfile.ZIP_DEFLATED)
            for sha, source in evidence.items():
                bundle.write(source, f"{EVIDENCE_PREFIX}{sha}", compress_type=zipfile.ZIP_STORED)
            bundle.writestr(MANIFEST, manifest_bytes, compress_type=zipfile.ZIP_DEFLATED)
            # the signer is named beside the signature, so that a receiver checks it before parsing the manifest
            bundle.writestr(SIGNATURE, json.dumps(signature, ensure_ascii=False))
    return path.stat().st_size


# --- reading ---------------------------------------------------------------------------------------------


def decode_events(data: bytes, problems: list[str]) -> list[WireEvent]:
    """The events in ``data``, each hash computed over the bytes as they arrived. Problems are appended
    (numbered by event); events with a problem are left out."""
    arrived: list[tuple] = []  # the fields of a WireEvent but its payload, parsed below all at once
    view = memoryview(data)
    sha256, fromisoformat = hashlib.sha256, datetime.fromisoformat
    # each distinct stream, actor, device and kind is decoded and checked once: a bundle has few of them
    streams: dict[bytes, str | None] = {}
    tokens: dict[bytes, str | None] = {}
    offsets: dict[str, bool] = {}
    seen: set[str] = set()
    position = 0
    for n, match in enumerate(_EVENT.finditer(data), 1):
        start, end = match.span()
        if start != position:
            problems.append(f"第{n}条记录格式错误（第 {position} 字节起不是本系统写出的记录）")
            return []
        position = end
        raw_stream, raw_parents, raw_actor, raw_device, raw_at, raw_kind, payload = match.groups()
        try:
            stream, actor, device, kind = streams[raw_stream], tokens[raw_actor], tokens[raw_device], tokens[raw_kind]
        except KeyError:
            stream = _name(streams, raw_stream, STREAM)
            actor, device, kind = (_name(tokens, raw, _TOKEN) for raw in (raw_actor, raw_device, raw_kind))
        if stream is None or actor is None or device is None or kind is None:
            problems.append(f"第{n}条记录的记录流、人员、设备或类别不是本系统所写")
            continue
        parents = raw_parents.decode("ascii")
        hashes = [parents]
        if len(parents) > 64:
            hashes = parents.split(",")
            if hashes != sorted(set(hashes)):
                problems.append(f"第{n}条记录（{kind}）的前序记录不是规范写法")
                continue
        at = raw_at.decode("ascii")
        try:  # the pattern fixed the shape; this checks the values (no 30 February, no hour 24)
            moment = fromisoformat(at)
        except ValueError:
            moment = None
        # and the offset must be written as isoformat writes it ("+00:60" and "-00:00" are not): once per offset
        canonical = offsets.get(at[-6:]) if moment is not None else False
        if canonical is None:
            canonical = offsets[at[-6:]] = moment.isoformat(timespec="microseconds") == at
        if not canonical:
            problems.append(f"第{n}条记录（{kind}）的时间 {at} 不是规范写法")
            continue
        digest = sha256(view[start:end - 1]).hexdigest()
        if digest in seen:
            problems.append(f"第{n}条记录重复出现")
            continue
        seen.add(digest)
        arrived.append((digest, stream, parents, actor, device, at, kind, payload, tuple(hashes) if parents else (), moment))
    if position != len(data):
        problems.append(f"第{len(arrived) + 1}条记录格式错误（第 {position} 字节起不是本系统写出的记录）")
        return []
    return _with_payloads(arrived, problems)


def _name(cache: dict[bytes, str | None], raw: bytes, pattern: re.Pattern[str]) -> str | None:
    """``raw`` as text if it is valid UTF-8 and matches ``pattern``, else None. Strict: a column stored as
    anything but the bytes that were hashed would never verify again."""
    if raw not in cache:
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        cache[raw] = text if text is not None and pattern.fullmatch(text) else None
    return cache[raw]


def _with_payloads(arrived: list[tuple], problems: list[str]) -> list[WireEvent]:
    """Each payload parsed on its own — one JSON object exactly filling its line, in strict UTF-8 — so no
    payload can borrow another's text.

    orjson parses a payload about five times as fast as the standard library (a 笔录's drawn signatures are
    thousands of numbers), and is used wherever it reads exactly what the standard library reads: a payload it
    refuses (NaN, a lone surrogate, nesting past 1024, …) is read by the standard library as before, and so is
    one with a run of 19 digits or more, which orjson would read as a float where the standard library reads an
    integer. Either way the payload is what the device that recorded it meant (tests/test_payload_reading.py)."""
    decode = _raw_decode
    events = []
    for e in arrived:
        try:
            raw = e[7]
            payload = _fast(raw) if _orjson is not None and _LONG_DIGITS not in raw.translate(_DIGITS) else None
            if payload is None:
                text = raw.decode("utf-8")
                payload, end = decode(text)
                if end != len(text):
                    raise ValueError(f"第 {end} 个字符后还有内容")
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            problems.append(f"记录 {e[0][:12]}…（{e[6]}）的内容不是有效的 JSON：{exc}")
            continue
        if type(payload) is not dict:
            problems.append(f"记录 {e[0][:12]}…（{e[6]}）的内容不是本系统所写")
            continue
        events.append(WireEvent(*e, payload))
    return events


try:
    import orjson as _orjson
except ImportError:  # the standard library alone reads every payload the same
    _orjson = None
_raw_decode = json.JSONDecoder().raw_decode  # made once: a hub decodes each message's event on its own
_DIGITS = bytes.maketrans(b"0123456789", b"\0" * 10)  # every digit as NUL (a NUL in the payload: read as if a digit)
_LONG_DIGITS = b"\0" * 19


def _fast(raw: bytes) -> Any:
    """The payload by orjson, or None where only the standard library's reading counts (see _with_payloads)."""
    try:
        return _orjson.loads(raw)
    except ValueError:  # orjson.JSONDecodeError: the standard library decides, and says why if it refuses too
        return None


class Staging:
    """The bundle's evidence files being hashed and staged beside the evidence store by a worker process
    (:mod:`..store.evidence_stage`) while this process parses and stores the events; in a thread of this
    process where no worker can start."""

    POLL_SECONDS = 0.05

    def __init__(self, reader: BundleReader, store: EvidenceStore, names: list[str], cancelled: Callable[[], bool] | None):
        self.reader, self.store, self.cancelled = reader, store, cancelled
        self.token = ""  # the staging folder's, once there is one
        self.stop = threading.Event()
        self.early: list[str] = []  # files whose zip headers are already unreadable
        self.members: list[tuple[str, int, int]] = []
        for info in sorted((reader.zip.getinfo(n) for n in names), key=lambda i: -i.file_size):
            name = info.filename
            try:
                stored = info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 1
                self.members.append((name, reader.data_offset(info) if stored else -1, info.file_size))
            except (OSError, ValueError, zipfile.BadZipFile) as exc:
                self.early.append(f"文件 {name} 已损坏：{exc}")
        self.sizes = {name: size for name, _offset, size in self.members}
        self.outcomes: list[evidence_stage.Outcome] = []
        self.process: subprocess.Popen | None = None
        self.thread: threading.Thread | None = None
        self.folder: Path | None = None
        if not self.members:
            return
        # the staging folder names this process as its owner: killed, it is settled when the database is next opened
        self.folder = store.open_staging()
        self.token = self.folder.name[len(STAGING_PREFIX):]
        job = self.folder / ".job.json"
        key = reader.content_key
        job.write_text(json.dumps({"bundle": str(reader.path.resolve()), "root": str(store.root.resolve()), "token": self.token,
                                   "members": self.members, "sealed": key is not None}), encoding="utf-8")
        try:
            # a sealed bundle's key goes through the worker's input, not into a file
            self.process = workers.start("enforcement_app.store.evidence_stage", str(job), str(os.getpid()), merge_stderr=True,
                                         packages=("cryptography",) if key else (), stdin=key is not None)
            if key is not None and self.process.stdin is not None:
                self.process.stdin.write(key.hex().encode("ascii") + b"\n")
                self.process.stdin.close()
        except OSError:  # no worker can start, or it died before it took the key
            if self.process is not None:
                self._stop_process()
            self._in_this_process()
            return
        # read as the worker writes: a full pipe would stop it
        self.reader_thread = threading.Thread(target=self._read_outcomes, args=(self.process,), name="bundle-staging-reader",
                                              daemon=True)
        self.reader_thread.start()

    def _in_this_process(self) -> None:
        evidence_stage.remove_staged(self.store.root, self.token)
        self.outcomes = []
        self.thread = threading.Thread(target=evidence_stage.stage_members_reporting, name="bundle-staging", daemon=True,
                                       args=(str(self.reader.path), str(self.store.root), self.token, self.members,
                                             self.outcomes.append, self.stop, self.reader.content_key))
        self.thread.start()

    def _read_outcomes(self, process: subprocess.Popen) -> None:
        """The worker's outcomes as it reports them, one line per file (a thread of its own, so that the
        importer can show how far the checking has got)."""
        try:
            for line in process.stdout:  # type: ignore[union-attr]
                try:
                    outcome = json.loads(line)
                except ValueError:
                    continue  # a traceback (stderr comes this way too): drained, not parsed
                if isinstance(outcome, dict):
                    self.outcomes.append(outcome)
        except (OSError, ValueError):  # the pipe closed under us: the worker was stopped
            return

    def checked_bytes(self) -> int:
        """How many of the evidence bytes have been checked so far."""
        return sum(self.sizes.get(str(outcome.get("name")), 0) for outcome in list(self.outcomes))

    def _wait(self, progress: Callable[[int], None] | None = None) -> None:
        """Until every file is staged; asks ``cancelled`` meanwhile and tells ``progress`` the bytes checked.
        A worker that dies is replaced by the same work in this process."""
        if self.process is not None:
            self._follow(self.reader_thread, progress)
            if self.process.wait() != 0 or len(self.outcomes) != len(self.members):
                self._stop_process()
                self._in_this_process()
        if self.thread is not None:
            self._follow(self.thread, progress)

    def _follow(self, thread: threading.Thread, progress: Callable[[int], None] | None) -> None:
        while thread.is_alive():
            self._check_cancelled()
            if progress is not None:
                progress(self.checked_bytes())
            thread.join(self.POLL_SECONDS)

    def _check_cancelled(self) -> None:
        if self.stop.is_set() or (self.cancelled is not None and self.cancelled()):
            self.cancel()
            raise InterruptedError("已取消导入，数据库未作任何改动")

    def result(self, progress: Callable[[int], None] | None = None) -> tuple[dict[str, Path], list[str]]:
        """Wait for every file to be staged and on disk: (sha256 → staged path, problems). Raises
        InterruptedError when cancelled. Nothing staged is left behind when cancelled or refused."""
        self._wait(progress)
        staged: dict[str, Path] = {}
        problems = list(self.early)
        reported = {str(outcome.get("name")) for outcome in self.outcomes}
        problems += [f"文件 {name} 未能完成检查（暂存中断）" for name, _offset, _size in self.members if name not in reported]
        for outcome in self.outcomes:
            name = str(outcome.get("name"))
            if "error" in outcome:
                problems.append(str(outcome["error"]))
                continue
            staged[name[len(EVIDENCE_PREFIX):]] = Path(outcome["tmp"])
            expected = self.reader.listed.get(name) or {}
            if outcome.get("sha256") != expected.get("sha256") or outcome.get("size") != expected.get("size"):
                problems.append(f"文件 {name} 与清单不符（SHA-256 或大小不同），可能已被改动")
            elif outcome.get("sha256") != name[len(EVIDENCE_PREFIX):]:
                problems.append(f"证据文件 {name} 的内容与其名称（SHA-256）不符")
        if problems:
            self.discard()
        return staged, problems

    def _stop_process(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self.process.stdout.close()  # type: ignore[union-attr]
            self.process = None
        self.outcomes = []

    def cancel(self) -> None:
        """Stop the work and remove whatever it staged."""
        self.stop.set()
        self._stop_process()
        if self.thread is not None:
            self.thread.join()
        self.discard()

    def discard(self) -> None:
        """Remove the staging folder and whatever is still in it."""
        if self.folder is not None:
            self.store.remove_staging(self.folder)


class Signer(NamedTuple):
    """Who says they signed a bundle, as ``manifest.sig`` names them: known before the manifest is parsed, so
    that a device this database does not trust is refused before anything else of its bundle is read."""

    device: str
    name: str
    public_key: str  # Ed25519, hex


class BundleReader:
    """An open bundle. On opening, before any member is inflated, the zip's central directory is checked
    (every member one this format writes, each name once, sizes within their caps) and the manifest's
    signature is verified with the key ``manifest.sig`` names (else BundleError); :attr:`signer` says whose
    it is. :meth:`read_manifest` then parses the manifest and checks the members against it.

    ``source``: the bundle's file, or a seekable binary file object over its bytes (a sealed bundle being
    decrypted as it is read), with ``path`` naming it in messages."""

    def __init__(self, path: Path, source: BinaryIO | None = None, content_key: bytes | None = None):
        """``content_key``: for a sealed bundle, the key ``source`` decrypts with (the staging worker opens
        the file again with it)."""
        self.path, self.content_key = path, content_key
        opened: list[Any] = []
        try:
            self.raw = source if source is not None else path.open("rb")  # the members' local headers, and the directory
            opened.append(self.raw)
        except OSError as exc:
            raise BundleError(path, [f"无法读取：{exc}"]) from None
        try:
            try:
                _check_directory_size(path, self.raw)
                self.zip = zipfile.ZipFile(self.raw)
            except sealed.SealedError as exc:
                raise BundleError(path, [str(exc)]) from None
            except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
                raise BundleError(path, [f"不是有效的案件包（zip）：{exc}"]) from None
            opened.append(self.zip)
            self.infos = self._check_members()
            self.signer = self._check_signature()
        except BaseException:
            for thing in reversed(opened):
                thing.close()
            raise
        self.manifest: dict[str, Any] = {}
        self.listed: dict[str, Any] = {}
        self.problems: list[str] = []
        self.present: list[str] = []

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()
        self.raw.close()

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        """Each member by name: only the members this format writes, each once, neither encrypted nor
        packed with another method than storing or deflating; the manifest and its signature within their caps."""
        infos: dict[str, zipfile.ZipInfo] = {}
        for info in self.zip.infolist():
            name = info.orig_filename  # zipfile cuts a name at a NUL byte; the name as stored is what counts
            if name != info.filename or not _MEMBER.fullmatch(name):
                raise BundleError(self.path, [f"包内有不属于案件包的文件 {name[:80]!r}"])
            if name in infos:
                raise BundleError(self.path, [f"包内文件 {name} 出现不止一次"])
            if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise BundleError(self.path, [f"包内文件 {name} 的压缩或加密方式不是本系统所写"])
            infos[name] = info
        for name, cap in ((SIGNATURE, SIGNATURE_CAP), (MANIFEST, MANIFEST_CAP)):
            if name not in infos:
                raise BundleError(self.path, [f"缺少 {name}"])
            if infos[name].file_size > cap:
                raise BundleError(self.path, [f"{name} 声称有 {infos[name].file_size:,} 字节，超过上限 {cap:,} 字节，未读取"])
        return infos

    def _read(self, name: str, cap: int) -> bytearray:
        """A member's bytes, read in chunks into a buffer of its declared size, never past ``cap`` nor past
        that size, whatever its deflated data would inflate to. Raises BundleError."""
        info = self.infos[name]
        if info.file_size > cap:
            raise BundleError(self.path, [f"{name} 声称有 {info.file_size:,} 字节，超过上限 {cap:,} 字节，未读取"])
        data = bytearray(info.file_size)
        view, done = memoryview(data), 0
        try:
            with self.zip.open(info) as member:
                while done < info.file_size:
                    got = member.readinto(view[done:done + READ_CHUNK])
                    if not got:
                        raise zipfile.BadZipFile("数据比登记的短")
                    done += got
                if member.read(1):
                    raise zipfile.BadZipFile("数据比登记的长")
        except (OSError, ValueError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error) as exc:
            raise BundleError(self.path, [f"文件 {name} 已损坏：{exc}"]) from None
        finally:
            view.release()
        return data

    def _check_signature(self) -> Signer:
        raw = self._read(SIGNATURE, SIGNATURE_CAP)
        if re.fullmatch(rb"[0-9a-f]{128}", raw):  # ecr-bundle/2 kept only the signature there
            raise BundleError(self.path, [f"这是旧版程序导出的案件包（ecr-bundle/2），本程序读取 {FORMAT}：请发送方升级程序后重新导出"])
        try:
            sig = json.loads(raw)
            if type(sig) is not dict:
                raise ValueError("不是一个对象")
        except (ValueError, RecursionError) as exc:
            raise BundleError(self.path, [f"{SIGNATURE} 无法读取：{exc}"]) from None
        if sig.get("format") != FORMAT:
            raise BundleError(self.path, [f"案件包格式 {str(sig.get('format'))[:40]!r} 不是本程序能读取的（本程序读取 {FORMAT}）："
                                          "请用同一版本的程序导出"])
        signer = Signer(str(sig.get("device", "")), str(sig.get("name", ""))[:200], str(sig.get("public_key", "")))
        signature = str(sig.get("signature", ""))
        if not DEVICE.fullmatch(signer.device) or not _HEX64.fullmatch(signer.public_key) or not re.fullmatch(r"[0-9a-f]{128}", signature):
            raise BundleError(self.path, [f"{SIGNATURE} 的设备ID、公钥或签名格式错误"])
        self.manifest_bytes = self._read(MANIFEST, MANIFEST_CAP)
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(signer.public_key)).verify(bytes.fromhex(signature), self.manifest_bytes)
        except (ValueError, InvalidSignature):
            raise BundleError(self.path, ["清单的签名不符：案件包不是由其所称的设备生成，或清单已被改动"]) from None
        return signer

    def read_manifest(self) -> dict[str, Any]:
        """The signed manifest, parsed, and the members checked against its list of files: the problems
        found are in :attr:`problems`, the members present as listed in :attr:`present`."""
        try:
            manifest = json.loads(self.manifest_bytes)
        except (ValueError, RecursionError) as exc:
            raise BundleError(self.path, [f"{MANIFEST} 无法读取：{exc}"]) from None
        del self.manifest_bytes
        signer = self.signer
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
            raise BundleError(self.path, [f"{MANIFEST} 不是 {FORMAT} 格式（请用同一版本的程序导出）"])
        if (manifest.get("from_device"), str(manifest.get("from_name", ""))[:200], manifest.get("public_key")) != signer:
            raise BundleError(self.path, [f"{MANIFEST} 与 {SIGNATURE} 所称的发送设备不一致"])
        if not _HEX64.fullmatch(str(manifest.get("agreement_key") or "0" * 64)):
            raise BundleError(self.path, [f"{MANIFEST} 中发送设备的加密公钥格式错误"])
        listed: dict[str, Any] = manifest["files"]
        if not all(isinstance(v, dict) and type(v.get("size")) is int and v["size"] >= 0 for v in listed.values()):
            raise BundleError(self.path, [f"{MANIFEST} 的文件清单格式错误"])
        names = set(self.infos)
        problems = [f"包内文件 {name} 未登记在清单中" for name in sorted(names - set(listed) - {MANIFEST, SIGNATURE})]
        problems += [f"清单中的文件 {name[:80]} 缺失" for name in listed if name not in names]
        for name in listed:
            if name in names and self.infos[name].file_size != listed[name]["size"]:
                problems.append(f"文件 {name} 的大小与清单不符")  # checked before reading anything: no zip bomb
        if listed.get(EVENTS, {}).get("size", 0) > EVENTS_CAP:
            problems.append(f"{EVENTS} 有 {listed[EVENTS]['size']:,} 字节，超过上限 {EVENTS_CAP:,} 字节：请分批导出")
        self.manifest, self.listed, self.problems = manifest, listed, problems
        self.present = [n for n in listed if n in names and self.infos[n].file_size == listed[n]["size"]]
        return manifest

    def data_offset(self, info: zipfile.ZipInfo) -> int:
        """Where a member's bytes start: after its local header, whose name and extra field lengths can
        differ from the central directory's."""
        self.raw.seek(info.header_offset)
        header = self.raw.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("本地文件头损坏")
        _signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length

    def events_bytes(self) -> int:
        return int(self.listed[EVENTS]["size"]) if EVENTS in self.present else 0

    def evidence_bytes(self) -> int:
        return sum(int(self.listed[n]["size"]) for n in self.present if n.startswith(EVIDENCE_PREFIX))

    def start_staging(self, store: EvidenceStore, cancelled: Callable[[], bool] | None = None) -> Staging:
        store.root.mkdir(parents=True, exist_ok=True)
        return Staging(self, store, [n for n in self.present if n.startswith(EVIDENCE_PREFIX)], cancelled)

    def events(self, problems: list[str]) -> list[WireEvent]:
        if EVENTS not in self.present or self.listed[EVENTS]["size"] > EVENTS_CAP:
            return []
        try:
            data = self._read(EVENTS, EVENTS_CAP)  # the size the signed manifest gives, checked against the directory's
        except BundleError as exc:
            problems += exc.problems
            return []
        expected = self.listed[EVENTS]
        if hashlib.sha256(data).hexdigest() != expected.get("sha256") or len(data) != expected["size"]:
            problems.append(f"文件 {EVENTS} 与清单不符（SHA-256 或大小不同），可能已被改动")
            return []
        return decode_events(data, problems)


def _check_directory_size(path: Path, fh: BinaryIO) -> None:
    """Refuse a zip whose central directory (which zipfile reads whole, and makes an object of per member)
    is larger than any bundle this format writes: read from the end-of-directory record as zipfile finds it."""
    fh.seek(0, 2)
    size = fh.tell()
    fh.seek(max(0, size - _END.size - 0xFFFF))
    tail = fh.read()
    at = len(tail) - _END.size if tail[-_END.size:-_END.size + 4] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END.size:
        return  # not a zip: zipfile says so
    *_ignored, members, directory_size, _offset, _comment = _END.unpack_from(tail, at)
    locator = at - _LOCATOR.size
    if locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":  # zip64: the counts are in its own record
        fh.seek(_LOCATOR.unpack_from(tail, locator)[2])
        record = fh.read(_END64.size)
        if len(record) == _END64.size and record[:4] == b"PK\x06\x06":
            members, directory_size = _END64.unpack(record)[7:9]
    if members > MAX_MEMBERS or directory_size > DIRECTORY_CAP:
        raise BundleError(path, [f"包内登记了 {members:,} 个文件（目录 {directory_size:,} 字节），超过案件包的上限 "
                                 f"{MAX_MEMBERS:,} 个文件（{DIRECTORY_CAP:,} 字节），未读取"])


def fingerprint(public_key: str) -> str:
    digest = hashlib.sha256(bytes.fromhex(public_key)).hexdigest()[:20].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 20, 4))


class _GcPauses:
    lock = threading.Lock()
    depth = 0
    was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while an import runs: it would walk the tens of thousands of payload
    dictionaries the import has just made (none of which form cycles) again and again. Counted, so that
    overlapping pauses (two threads) end only when the last one does."""
    with _GcPauses.lock:
        if _GcPauses.depth == 0:
            _GcPauses.was_enabled = gc.isenabled()
            gc.disable()
        _GcPauses.depth += 1
    try:
        yield
    finally:
        with _GcPauses.lock:
            _GcPauses.depth -= 1
            if _GcPauses.depth == 0 and _GcPauses.was_enabled:
                gc.enable()
