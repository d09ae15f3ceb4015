"""Evidence files over the network: each device puts the files its record names into a JetStream object store bucket
of its own, the hub's copy of that bucket sources it through the device's leaf link, and the hub's ingest takes a
file from there into the agency's evidence store once it has checked its SHA-256 and size against the event that
registers it, committing it only after that event.

Why a bucket on the device, sourced by the hub, rather than a put into a hub bucket through the link: the put is
local (it completes, and the app can be closed, with the hub down or the link cut, as an event's publish does), the
link's part is JetStream's own source, which resumes where it stopped after a cut (design note: a device bucket
sourced by the hub arrived whole through two cuts), and the device needs no right on the hub's JetStream API: its link
carries only deliveries to its own sources, as for ``OUT``. Each device's bucket has a name of its own,
``EVIDENCE_<device>`` (stream ``OBJ_EVIDENCE_<device>``, subjects ``$O.EVIDENCE_<device>.>``), and the hub keeps one
stream per device of the same name, whose only source is that device's bucket filtered to those subjects: nothing
another device sends can reach it, and a device's objects are read only from its own. The one subject the link must
newly let down to the device is the flow control of that source (``$JS.FC.OBJ_EVIDENCE_<device>.>``): without it the
source stalls after its first few chunks (:func:`.hub.device_permissions`).

Objects are named by the file's SHA-256 (hex) and cut in chunks of :data:`CHUNK` (512 KiB: measured faster than the
client's 128 KiB through a leaf); they are written in the object store's own layout (chunks on
``$O.<bucket>.C.<nuid>``, then the object's description on ``$O.<bucket>.M.<name>``, the latter rolled up), so the
nats tools read them. Files are read and written a chunk at a time, never whole.

Device (:class:`Uploader`, run by the sync thread after the outbox): the add_evidence events after the evidence mark
(the outbox table's ``EVIDENCE`` row) are taken in order; a file the bucket already holds whole is skipped, any other
is put; the mark moves over what is done. A bucket found holding less than the mark says sends the mark back to the
start (each file is then only looked up again). A put cut short (the app killed) leaves chunks no description names:
the first round after a start purges them, and the file is put again whole: a local put of 200 MB takes about a
second, the slow part is the link, which the source resumes by itself.

Hub (:class:`Receiver`, called by the ingest before it decides which events are ready): for each waiting add_evidence
event whose file is neither in the agency's store nor staged, it looks in its sender's bucket at the hub; a file that
has arrived whole is fetched in the background into a staging folder of the evidence store (hashed as it is written),
and kept only if its SHA-256 and size are the event's; else it is refused, with the reason, and never reaches the
store (that copy is not fetched again; the event waits for a good one). The ingest counts a staged file as present;
once the events naming it have committed, it is moved into the store and its chunks and description are purged from
the hub's bucket (the store holds it now; the hub's buckets hold only files on their way, so the ingest reads each
sender's list of descriptions once a round rather than looking up every waiting file). The staging folder is the evidence store's own kind (:meth:`..store.evidence.EvidenceStore.open_staging`):
should the ingest be killed between an event's commit and its file's move, the next opening of the agency's database
puts the file in place; any other staged file is removed then. So the store never holds a file no event names.

The way back: a desk (and any device the fan-out sends a case's events) must have the files its add_evidence events
register, or those events and all that follow them would wait. The hub puts them, with the same :class:`Uploader`,
into a bucket of its own for each device, ``EVIDENCE_to<device>`` (only the files of the events the fan-out sends
that device, each bucket its own mark in the hub's outbox table), the device's server sources that bucket once its
link is up (:func:`ensure_device_inbound`; the link may create only that consumer and carry its flow control), and the
device's receiver takes the files from there exactly as the hub takes a device's: checked, staged, committed after
their events, purged from the device's copy. The hub's copy for a device goes (:func:`take_out`, db/0025) once the
device says it holds the file (it stored the file's event, and a device holds an add_evidence event only with its
file: :func:`.outbox.tell_held`, a message in its ``OUT``), or, should that word have been lost (the app killed
first), once the device records a step of the case that builds on the file's event: it held that event then.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import nats.errors
from nats.js import JetStreamContext
from nats.js.api import (
    DeliverPolicy,
    DiscardPolicy,
    ExternalStream,
    Header,
    ObjectInfo,
    ObjectMetaOptions,
    StorageType,
    StreamConfig,
    StreamSource,
)
from nats.js.errors import NotFoundError

from ..services.bundle_format import WireEvent
from ..store import outbox as outbox_store
from ..store.database import evidence_dir
from ..store.evidence import STAGED_PREFIX, EvidenceStore

CHUNK = 512 << 10
WINDOW = 8  # chunks published before their acknowledgements are awaited (4 MiB in flight)
ACK_TIMEOUT = 10.0  # seconds the local bucket may take to acknowledge a window of chunks
MARK = "EVIDENCE"  # the outbox table's row for how far the record's evidence files have gone into the bucket
LISTED = 500  # add_evidence events read at a time
FETCHES = 2  # files fetched at once at the hub
FETCH_IDLE = 10.0  # seconds a fetch may wait for its next chunk before it is given up (tried again later)
_DIGEST = "SHA-256="


def bucket(device: str) -> str:
    return f"EVIDENCE_{device}"


def inbound(device: str) -> str:
    """The name under which the files the hub sends ``device`` travel (bucket ``EVIDENCE_to<device>``): the hub
    puts them into a bucket of that name on its server, ``device``'s server sources it (:func:`device_inbound_config`)
    and its receiver takes them as the hub's receiver takes a device's (see the module's docstring, "The way back")."""
    return f"to{device}"


def stream_name(device: str) -> str:
    """The stream of ``device``'s bucket: on the device, and its copy at the hub (each in its own domain)."""
    return f"OBJ_{bucket(device)}"


def subjects(device: str) -> str:
    return f"$O.{bucket(device)}.>"


def flow_control(device: str) -> str:
    """The flow control replies the hub's source of ``device``'s bucket sends down its link."""
    return f"$JS.FC.{stream_name(device)}.>"


def meta_subject(device: str, sha256: str) -> str:
    return f"$O.{bucket(device)}.M.{base64.urlsafe_b64encode(sha256.encode('ascii')).decode('ascii')}"


def chunk_subject(device: str, nuid: str) -> str:
    return f"$O.{bucket(device)}.C.{nuid}"


def digest_of(sha256: str) -> str:
    """The object store's way of writing a SHA-256 (``SHA-256=`` and the digest in URL-safe base64)."""
    return _DIGEST + base64.urlsafe_b64encode(bytes.fromhex(sha256)).decode("ascii")


def _valid(sha256: object, size: object) -> bool:
    return (isinstance(sha256, str) and len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256)
            and type(size) is int and size >= 0)


def device_bucket_config(device: str) -> StreamConfig:
    """As the client makes an object store's stream (chunks and descriptions, roll-ups, direct gets), on file."""
    return StreamConfig(name=stream_name(device), subjects=[f"$O.{bucket(device)}.C.>", f"$O.{bucket(device)}.M.>"],
                        storage=StorageType.FILE, discard=DiscardPolicy.NEW, allow_rollup_hdrs=True, allow_direct=True)


def hub_bucket_config(device: str) -> StreamConfig:
    """The hub's copy of ``device``'s bucket: no subjects of its own (design note, pitfall 4), one source, the device's
    bucket through its JetStream domain, filtered to its subjects, delivered on ``dlv.<device>.…``."""
    source = StreamSource(name=stream_name(device), filter_subject=subjects(device),
                          external=ExternalStream(api=f"$JS.{device}.API", deliver=f"dlv.{device}"))
    return StreamConfig(name=stream_name(device), storage=StorageType.FILE, allow_rollup_hdrs=True, allow_direct=True,
                        sources=[source])


def device_inbound_config(device: str) -> StreamConfig:
    """On ``device``: its copy of the hub's bucket of the files for it, sourced through the hub's domain, filtered
    to that bucket's subjects, delivered on ``dlv.hub.<device>.…`` (what its link may receive)."""
    name = inbound(device)
    source = StreamSource(name=stream_name(name), filter_subject=subjects(name),
                          external=ExternalStream(api="$JS.hub.API", deliver=f"dlv.hub.{device}"))
    return StreamConfig(name=stream_name(name), storage=StorageType.FILE, allow_rollup_hdrs=True, allow_direct=True,
                        sources=[source])


async def ensure_device_inbound(js: JetStreamContext, device: str):
    """The device's copy of the hub's bucket for it (on a connection to its own server; once its link is up)."""
    try:
        return await js.stream_info(stream_name(inbound(device)))
    except NotFoundError:
        return await js.add_stream(device_inbound_config(device))


async def ensure_device_bucket(js: JetStreamContext, device: str):
    """The device's bucket (on a connection to its own server), made if missing; its stream's info."""
    try:
        return await js.stream_info(stream_name(device))
    except NotFoundError:
        return await js.add_stream(device_bucket_config(device))


async def ensure_hub_buckets(js: JetStreamContext, devices: Iterable[str]) -> set[str]:
    """At the hub: each device's copy of its bucket, made if missing (only once the device's link is up: a source made
    without its link waits 30 s before it tries again). Returns the devices that have one now."""
    done = set()
    for device in devices:
        try:
            await js.stream_info(stream_name(device))
        except NotFoundError:
            await js.add_stream(hub_bucket_config(device))
        done.add(device)
    return done


async def object_info(js: JetStreamContext, device: str, sha256: str) -> ObjectInfo | None:
    """The description of object ``sha256`` in ``device``'s bucket (on the server ``js`` talks to), or None."""
    try:
        msg = await js.get_last_msg(stream_name(device), meta_subject(device, sha256))
    except NotFoundError:
        return None
    try:  # a device writes its bucket's descriptions: anything may be there (a list, a string for a count)
        data = json.loads(msg.data)
        info = ObjectInfo.from_response(data) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if info is None or info.deleted or not _well_formed(info):
        return None
    return info


def _well_formed(info: ObjectInfo) -> bool:
    """The description's parts this code reads, of the types it reads them as (else the copy is ignored)."""
    return (isinstance(info.nuid, str) and 0 < len(info.nuid) <= 64 and info.nuid.replace("-", "").replace("_", "").isalnum()
            and type(info.size) is int and info.size >= 0 and type(info.chunks or 0) is int and (info.chunks or 0) >= 0
            and isinstance(info.digest, str))


async def chunks_held(js: JetStreamContext, device: str, nuid: str) -> int:
    subject = chunk_subject(device, nuid)
    state = (await js.stream_info(stream_name(device), subjects_filter=subject)).state
    return int((state.subjects or {}).get(subject, 0))


async def holds_whole(js: JetStreamContext, device: str, sha256: str, size: int) -> ObjectInfo | None:
    """The object's description if ``device``'s bucket holds it whole as described: its size and digest those of the
    file, and every chunk it counts there. (Whether the chunks' bytes are the file's is what the hub checks.)"""
    info = await object_info(js, device, sha256)
    if info is None or info.size != size or info.digest != digest_of(sha256) or not info.nuid:
        return None
    return info if await chunks_held(js, device, info.nuid) >= (info.chunks or 0) else None


# --- the device ---------------------------------------------------------------------------------------------------


class UploadError(RuntimeError):
    """The local bucket did not take a file (the message is for the user)."""


@dataclass(frozen=True)
class Uploaded:
    put: int = 0  # files put into the bucket this round
    held: int = 0  # files the bucket already held whole
    bytes: int = 0  # bytes put
    upto: int = 0  # the evidence mark after: every file named up to this local seq is in the bucket
    missing: tuple[str, ...] = ()  # files the record names that this device's evidence store lacks (or holds damaged)
    more: bool = False  # the round stopped early to let events go first: files wait


HELD, PUT = "held", "put"


class Uploader:
    """Puts the evidence files of the database at ``path`` (its store beside it) into ``device``'s bucket. One per sync
    thread: :meth:`round` on the thread's own connection to the database."""

    def __init__(self, path: str | Path, device: str, *, mark: str = MARK,
                 only: Callable[[list[tuple[int, str, int]]], set[int]] | None = None,
                 held: Callable[[str], None] | None = None):
        """``mark``: the outbox table's row of this bucket; ``only``: of the add_evidence rows ``(seq, sha256, size)``
        read, the seqs whose files go into this bucket (all unless given: the hub's bucket for one device takes the
        files of the events the fan-out sends that device); ``held(sha256)``: told of each file the bucket holds after
        a put or a look (the hub notes what it may take out again: db/0025)."""
        self.store = EvidenceStore(evidence_dir(path))
        self.device, self.mark, self.only, self.held = device, mark, only, held
        self._tidied = False  # the unfinished puts of an earlier run purged

    async def round(self, db: outbox_store.Connection, js: JetStreamContext, *, stop: Callable[[], bool] = lambda: False,
                    pause: Callable[[], bool] = lambda: False) -> Uploaded:
        """Put what the bucket lacks. ``stop()`` ends a put between two chunks (what was put of it is purged);
        ``pause()`` ends the round between two files (the sync thread has events to send first)."""
        info = await ensure_device_bucket(js, self.device)
        mark = outbox_store.mark(db, self.mark)
        if info.state.last_seq < mark.stream_seq:  # the bucket lost what the mark says it holds: look at every file again
            mark = outbox_store.Mark(0, info.state.last_seq)
            outbox_store.rewind(db, self.mark, mark)
        if not self._tidied:
            await self._purge_unfinished(js)
            self._tidied = True
        put = held = size_put = 0
        missing: list[str] = []
        # the mark moves over the files done up to the first that could not go; the later ones still go
        upto = outbox_store.Mark(mark.seq, max(mark.stream_seq, info.state.last_seq))
        after, gap = mark.seq, False
        while rows := outbox_store.evidence_after(db, after, LISTED):
            chosen = None if self.only is None else self.only(rows)
            for seq, sha, size in rows:
                after = seq
                how, ack_seq, problem = ("", 0, "") if chosen is not None and seq not in chosen else await self._file(js, sha, size, stop)
                if how == HELD:
                    held += 1
                elif problem:
                    missing.append(problem)
                    gap = True
                elif how == PUT:
                    put, size_put = put + 1, size_put + size
                    upto = outbox_store.Mark(upto.seq, max(upto.stream_seq, ack_seq))
                if not gap:
                    upto = outbox_store.Mark(seq, upto.stream_seq)
                if put and pause():
                    self._advance(db, mark, upto)
                    return Uploaded(put, held, size_put, upto.seq, tuple(missing), more=True)
        self._advance(db, mark, upto)
        return Uploaded(put, held, size_put, upto.seq, tuple(missing))

    async def put_these(self, js: JetStreamContext, rows: list[tuple[int, str, int]], *,
                        stop: Callable[[], bool] = lambda: False) -> tuple[int, tuple[str, ...]]:
        """Put the files of these add_evidence rows ``(seq, sha256, size)`` that the bucket lacks, whatever its mark
        (the fan-out's catch-up of a case: files the mark passed while they were not for this bucket); returns the
        bytes put and why some could not go. ``stop()`` ends a put between two chunks, as in :meth:`round`."""
        await ensure_device_bucket(js, self.device)
        size_put, problems = 0, []
        for _seq, sha, size in rows:
            how, _ack, problem = await self._file(js, sha, size, stop)
            if problem:
                problems.append(problem)
            elif how == PUT:
                size_put += size
        return size_put, tuple(problems)

    async def _file(self, js: JetStreamContext, sha: str, size: int, stop: Callable[[], bool]) -> tuple[str, int, str]:
        """Put one file unless the bucket holds it: (what was done — :data:`HELD`, :data:`PUT` or '' —, the sequence
        of its description in the bucket's stream, why it could not go or '')."""
        if not _valid(sha, size):
            return "", 0, ""  # refused at the hub as it stands (malformed_evidence): nothing to send
        if await holds_whole(js, self.device, sha, size):
            how, ack_seq = HELD, 0
        elif not self.store.has(sha):
            return "", 0, f"证据文件 {sha[:12]}… 不在本机证据库中，无法发往汇聚节点（请运行 verify）"
        else:
            ack_seq, problem = await self._put(js, sha, size, stop)
            if problem:
                return "", 0, problem
            how = PUT
        if self.held is not None:
            self.held(sha)
        return how, ack_seq, ""

    def tidy_again(self) -> None:
        """Purge the chunks no description names at the next round (a take-out that failed half way)."""
        self._tidied = False

    def _advance(self, db, mark: outbox_store.Mark, upto: outbox_store.Mark) -> None:
        if upto != mark:
            outbox_store.advance(db, self.mark, upto)

    async def _put(self, js: JetStreamContext, sha: str, size: int, stop: Callable[[], bool]) -> tuple[int, str]:
        """Put the stored file ``sha`` in chunks, then its description; returns the description's sequence in the
        bucket's stream and '', or 0 and why the file could not go (the store's copy is damaged). Raises on the
        bucket's failures, with what was put of the file purged."""
        nuid = secrets.token_urlsafe(16)
        subject = chunk_subject(self.device, nuid)
        loop = asyncio.get_running_loop()
        digest = hashlib.sha256()
        total = chunks = 0
        pending: list[asyncio.Future] = []
        try:
            with open(self.store.path_for(sha), "rb") as fh:
                while data := await loop.run_in_executor(None, _read_hashed, fh, digest):
                    if stop():
                        raise InterruptedError("证据文件的发送已停止")
                    pending.append(await js.publish_async(subject, data, wait_stall=ACK_TIMEOUT, stream=stream_name(self.device)))
                    total, chunks = total + len(data), chunks + 1
                    if len(pending) >= WINDOW:
                        await _acknowledged(pending)
            await _acknowledged(pending)
            if digest.hexdigest() != sha or total != size:
                await _purge(js, self.device, subject)
                return 0, (f"本机证据库中的证据文件 {sha[:12]}… 已损坏（SHA-256 为 {digest.hexdigest()[:12]}…，{total} 字节）："
                           "未发往汇聚节点（请运行 verify）")
            before = await object_info(js, self.device, sha)
            info = ObjectInfo(name=sha, bucket=bucket(self.device), nuid=nuid, size=total, chunks=chunks,
                              digest=digest_of(sha), options=ObjectMetaOptions(max_chunk_size=CHUNK))
            ack = await js.publish(meta_subject(self.device, sha), json.dumps(info.as_dict()).encode("utf-8"),
                                   timeout=ACK_TIMEOUT, stream=stream_name(self.device), headers={Header.ROLLUP: "sub"})
        except BaseException:
            for future in pending:
                future.cancel()
            with contextlib.suppress(Exception):
                await asyncio.shield(_purge(js, self.device, subject))
            raise
        if before is not None and before.nuid and before.nuid != nuid:  # an earlier copy, damaged or partial: its chunks go
            await _purge(js, self.device, chunk_subject(self.device, before.nuid))
        return ack.seq, ""

    async def _purge_unfinished(self, js: JetStreamContext) -> None:
        """Purge the chunks no object's description names: puts of an earlier run cut short. Each file the bucket
        holds is told to ``held`` on the way (a hub whose buckets were filled before it noted them: db/0025)."""
        name, prefix = stream_name(self.device), f"$O.{bucket(self.device)}"
        chunks = (await js.stream_info(name, subjects_filter=f"{prefix}.C.>")).state.subjects or {}
        nuids = {s.rsplit(".", 1)[1] for s in chunks}
        if not nuids:
            return
        metas = len((await js.stream_info(name, subjects_filter=f"{prefix}.M.>")).state.subjects or {})
        if metas:  # each object's last description, in one pass
            sub = await js.subscribe(f"{prefix}.M.>", stream=name, ordered_consumer=True, deliver_policy=DeliverPolicy.LAST_PER_SUBJECT)
            try:
                for _ in range(metas):
                    msg = await sub.next_msg(timeout=ACK_TIMEOUT)
                    with contextlib.suppress(ValueError, TypeError, AttributeError):
                        described = json.loads(msg.data)
                        nuids.discard(described.get("nuid"))
                        if self.held is not None and _valid(described.get("name"), described.get("size")) and not described.get("deleted"):
                            self.held(described["name"])
            finally:
                await sub.unsubscribe()
        for nuid in nuids:
            await _purge(js, self.device, chunk_subject(self.device, nuid))


def _read_hashed(fh: BinaryIO, digest) -> bytes:
    data = fh.read(CHUNK)
    digest.update(data)
    return data


async def _acknowledged(pending: list[asyncio.Future]) -> None:
    """Wait for every chunk's acknowledgement (in order); the first failure raises."""
    if not pending:
        return
    _done, late = await asyncio.wait(pending, timeout=ACK_TIMEOUT)
    if late:
        raise UploadError(f"本机网络服务 {ACK_TIMEOUT:g} 秒内没有收下证据文件的 {len(late)} 块；稍后会重发")
    for future in pending:
        future.result()
    pending.clear()


async def _purge(js: JetStreamContext, device: str, subject: str) -> None:
    await js.purge_stream(stream_name(device), subject=subject)


async def take_out(js: JetStreamContext, device: str, sha256: str) -> None:
    """Take file ``sha256`` out of ``device``'s bucket: its description first, then its chunks (a stop or a failure
    in between leaves chunks no description names, which an uploader's tidying purges: :meth:`Uploader.tidy_again`,
    and the first round of each hub run)."""
    info = await object_info(js, device, sha256)
    await _purge(js, device, meta_subject(device, sha256))
    if info is not None and info.nuid:
        await _purge(js, device, chunk_subject(device, info.nuid))


# --- the hub ------------------------------------------------------------------------------------------------------


@dataclass
class _Fetched:
    sha: str
    path: Path | None  # staged and checked, else None
    refusal: str = ""


class Receiver:
    """The hub's side, for the ingest: evidence files fetched from the devices' buckets at the hub (``js``, the hub's
    own client) into a staging folder of ``store`` (the agency's evidence store), checked, and committed after their
    events (see the module's docstring)."""

    def __init__(self, store: EvidenceStore, js: JetStreamContext, *, fetches: int = FETCHES):
        self.store, self.js, self.fetches = store, js, fetches
        self.staged: dict[str, Path] = {}  # sha -> its staged, checked file
        self.refused: dict[str, str] = {}  # sha -> why the last copy that came was refused
        self._folder: Path | None = None
        self._fetching: dict[str, asyncio.Task] = {}
        self._sources: dict[str, tuple[str, str]] = {}  # sha -> (device, nuid) of the copy fetched
        self._copies_refused: set[tuple[str, str, str]] = set()  # (device, sha, nuid): not fetched again
        self._new_refusals: list[str] = []
        self._unplaced: dict[str, Path] = {}  # sha -> a staged file whose event is committed, not yet moved into the store

    async def present(self, waiting: Iterable[tuple[WireEvent, str]]) -> set[str]:
        """Of the files the add_evidence events among ``waiting`` (each with the device that sent it) register, those
        here now: in the store or staged and checked. Starts fetching those that have arrived whole in their sender's
        bucket at the hub (they count in a later round). The hub's copy of a bucket holds only the files on their way
        (a file's chunks and description are purged once the store holds it), so its list of descriptions, read once a
        round for each sender, stays short however many files wait; only the files it names are looked up."""
        here: set[str] = set()
        wanted: dict[str, dict[str, int]] = {}  # sender -> sha -> size
        for event, sender in waiting:
            if event.kind != "add_evidence":
                continue
            sha, size = event.payload.get("sha256"), event.payload.get("size")
            if not _valid(sha, size):
                continue
            if sha in self.staged or self.store.has(sha):
                here.add(sha)
            elif sha not in self._fetching:
                wanted.setdefault(sender, {})[sha] = size
        for device, files in wanted.items():
            if len(self._fetching) >= self.fetches:
                break
            try:
                described = (await self.js.stream_info(stream_name(device), subjects_filter=f"$O.{bucket(device)}.M.>")).state.subjects or {}
                for sha, size in files.items():
                    if len(self._fetching) >= self.fetches:
                        break
                    if meta_subject(device, sha) in described and sha not in self._fetching:
                        await self._start(sha, size, device)
            except (NotFoundError, nats.errors.Error):
                continue  # the device's bucket is not made at the hub yet, or the server did not answer: looked at again later
            except Exception as exc:  # noqa: BLE001 — whatever a device put in its bucket, the ingest goes on
                self._new_refusals.append(f"设备 {device[:12]} 的证据桶无法读取（{type(exc).__name__}: {exc}）：其证据文件暂不接收")
        return here

    async def _start(self, sha: str, size: int, device: str) -> None:
        """Fetch ``sha`` from ``device``'s bucket at the hub if its copy there is whole and not one already refused."""
        info = await object_info(self.js, device, sha)
        if info is None or not info.nuid or (device, sha, info.nuid) in self._copies_refused:
            return
        held = await chunks_held(self.js, device, info.nuid)
        if held < (info.chunks or 0):  # the source keeps the device's order, a description after its chunks: never whole
            self._refuse(device, info.nuid, sha, f"证据文件 {sha[:12]}…（设备 {device[:12]} 发来）只到了 {held} 块，"
                                                 f"其描述却说有 {info.chunks} 块：未放入证据库，等待完好的文件")
            return
        if self._folder is None:
            self._folder = self.store.open_staging()
        self._sources[sha] = (device, info.nuid)
        self._fetching[sha] = asyncio.create_task(self._fetch(sha, size, device, info), name=f"evidence-{sha[:12]}")
        self._fetching[sha].add_done_callback(lambda task, sha=sha: self._fetched(sha, task))

    async def _fetch(self, sha: str, size: int, device: str, info: ObjectInfo) -> _Fetched:
        assert self._folder is not None
        partial = self._folder / f"{STAGED_PREFIX}{sha}.part"  # not a hash's name: a dead ingest's is removed at the next opening
        loop = asyncio.get_running_loop()
        digest = hashlib.sha256()
        got = 0
        sub = await self.js.subscribe(chunk_subject(device, info.nuid), stream=stream_name(device), ordered_consumer=True)
        try:
            with open(partial, "wb") as out:
                for _ in range(info.chunks or 0):
                    msg = await sub.next_msg(timeout=FETCH_IDLE)
                    got += len(msg.data)
                    if got > size:
                        break
                    await loop.run_in_executor(None, _write_hashed, out, digest, msg.data)
                await loop.run_in_executor(None, _synced, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        actual = digest.hexdigest()
        if got != size:
            partial.unlink(missing_ok=True)
            return _Fetched(sha, None, f"证据文件 {sha[:12]}…（设备 {device[:12]} 发来）的大小不是登记的 {size} 字节"
                                       f"（{'超过' if got > size else f'只有 {got} 字节'}）：未放入证据库，等待完好的文件")
        if actual != sha:
            partial.unlink(missing_ok=True)
            return _Fetched(sha, None, f"证据文件 {sha[:12]}…（设备 {device[:12]} 发来）内容的 SHA-256 为 {actual[:12]}…，"
                                       "与记录登记的不符：途中或存储中被改动，未放入证据库，等待完好的文件")
        staged = partial.with_name(STAGED_PREFIX + sha)
        os.replace(partial, staged)
        return _Fetched(sha, staged)

    def _fetched(self, sha: str, task: asyncio.Task) -> None:
        self._fetching.pop(sha, None)
        if task.cancelled() or task.exception() is not None:
            self._sources.pop(sha, None)
            return  # cut off, or the server did not answer: fetched again when its event comes back
        result = task.result()
        if result.path is not None:
            self.staged[sha] = result.path
            self.refused.pop(sha, None)
            return
        self._refuse(*self._sources.pop(sha), sha=sha, reason=result.refusal)

    def _refuse(self, device: str, nuid: str, sha: str, reason: str) -> None:
        """That copy of ``sha`` is not fetched again; the event naming it waits for another."""
        self._copies_refused.add((device, sha, nuid))
        self.refused[sha] = reason
        self._new_refusals.append(reason)

    def refusals(self) -> list[str]:
        """The copies refused since the last call."""
        new, self._new_refusals = self._new_refusals, []
        return new

    async def settle(self, ready: Iterable[WireEvent], stored: Iterable[str]) -> None:
        """After the ingest's transaction: the staged files of the events ``stored`` (their hashes) go into the store
        (and out of the hub's bucket); those of the events of ``ready`` that were refused are removed. A file that cannot
        be moved now (its event is committed) is tried again at each call, and its folder is never removed while it
        is there: failing that, the next opening of the agency's database puts it in place."""
        stored = set(stored)
        for event in ready:
            sha = event.payload.get("sha256") if event.kind == "add_evidence" else None
            path = self.staged.pop(sha, None) if isinstance(sha, str) else None
            if path is None:
                continue
            if event.hash in stored:
                self._unplaced[sha] = path
            else:
                path.unlink(missing_ok=True)
                self._sources.pop(sha, None)
        placed, problem = self._place()
        for sha in placed:
            source = self._sources.pop(sha, None)
            if source is not None:
                with contextlib.suppress(Exception):  # the store holds it now; a copy left in the bucket only costs disk
                    await _purge(self.js, source[0], chunk_subject(*source))
                    await _purge(self.js, source[0], meta_subject(source[0], sha))
        if problem:
            raise OSError(f"证据文件的记录已入库，但文件未能放入证据库（{problem}）：稍后再试，最迟下次打开数据库时放入")

    def _place(self) -> tuple[list[str], str]:
        """Move the files whose events are committed into the store: those moved, and why one was not ('' if none)."""
        placed = []
        for sha, path in list(self._unplaced.items()):
            try:
                self.store.commit(path, sha)
            except OSError as exc:
                return placed, str(exc)
            del self._unplaced[sha]
            placed.append(sha)
        return placed, ""

    async def close(self) -> None:
        """Stop the fetches under way and remove what is staged for events not stored; a file whose event is committed
        but could not be moved into the store stays, its folder with it, for the next opening to put in place."""
        for task in list(self._fetching.values()):
            task.cancel()
        for task in list(self._fetching.values()):
            with contextlib.suppress(BaseException):
                await task
        self._fetching.clear()
        self._place()
        for path in self.staged.values():
            path.unlink(missing_ok=True)
        self.staged.clear()
        if self._folder is not None and not self._unplaced:
            self.store.remove_staging(self._folder)
            self._folder = None


def _write_hashed(out: BinaryIO, digest, data: bytes) -> None:
    digest.update(data)
    out.write(data)


def _synced(out: BinaryIO) -> None:
    out.flush()
    os.fsync(out.fileno())
