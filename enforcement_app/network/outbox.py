"""The outbox: events go into SQLite first, then onto the device's ``OUT`` stream, which the hub sources.

:func:`publish_pending` reads the events after the outbox mark (:mod:`..store.outbox`) in the order stored,
publishes each to ``dev.<device>.<hex of its stream>`` with ``Nats-Msg-Id`` = its hash (the stream also holds the
device's words that it holds files from the hub, :func:`tell_held`, which name no event) and, as the message,
its canonical bytes and a newline: exactly one event as a bundle's ``events.txt`` carries it
(:func:`..services.bundle_format.encode_events`), so the receiver checks it as it checks a bundle's. Every
event of the table goes, whoever recorded it, as a bundle of everything does: an event of this device may
follow one that came here from another device on a USB stick, and the hub needs both.

Only once the stream has acknowledged a batch does the mark move, in one short transaction; nothing is held
open while waiting on the network. A crash between the acknowledgements and the mark republishes that batch:
the stream's dedup (``Nats-Msg-Id``, a 2-minute window) stores nothing twice meanwhile, and the receiver's
UNIQUE event hash is the guard after it. The mark is what the *local* stream has acknowledged, not yet what
the hub has: the hub's ingest does not answer yet, and the stream keeps every event until the hub sources it.

A stream found holding less than the mark says (its store lost, or cut short by a power failure before it
synced) sends the mark back to the last event it does hold, so that nothing is skipped.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from nats.js import JetStreamContext
from nats.js.api import StreamInfo
from nats.js.errors import NotFoundError

from ..services.bundle_format import encode_events
from ..store import outbox as outbox_store
from . import streams

BATCH = 1000  # events published before their acknowledgements are awaited and the mark moves (nats-py keeps ≤ 4000 pending)
ACK_TIMEOUT = 10.0  # seconds a batch's acknowledgements may take (a local stream answers in well under a millisecond each)


class OutboxError(RuntimeError):
    """The stream did not acknowledge every event of a batch in time; the mark holds what it did (for the user)."""


class HasPath(Protocol):
    path: Path


@dataclass(frozen=True)
class Published:
    sent: int  # events published (each acknowledged)
    duplicates: int  # of those, the ones the stream already held (its dedup window caught them)
    upto: int  # the outbox mark after: every event up to this local seq is in the stream


async def publish_pending(database: str | Path | HasPath, js: JetStreamContext, device: str, *, batch: int = BATCH,
                          timeout: float = ACK_TIMEOUT) -> Published:
    """Publish what the outbox has not yet published to ``device``'s ``OUT`` (made if missing), on ``js``, a
    JetStream context of the device's own server. ``database`` is the app's database file or its services (only
    their path is used: this opens a connection of its own on the calling thread). Raises :class:`OutboxError`
    when a batch is not wholly acknowledged within ``timeout`` seconds, the mark moved past what was."""
    db = outbox_store.connect(getattr(database, "path", database))
    try:
        return await publish_from(db, js, device, batch=batch, timeout=timeout)
    finally:
        db.close()


async def publish_from(db: outbox_store.Connection, js: JetStreamContext, device: str, *, batch: int = BATCH,
                       timeout: float = ACK_TIMEOUT) -> Published:
    """:func:`publish_pending` on a connection the caller keeps (:func:`..store.outbox.connect`, made on this thread)."""
    return await publish_rows(db, js, streams.OUT, lambda: streams.ensure_out(js, device),
                              lambda rows: [[(streams.event_subject(device, row[2]), row[1])] for row in rows],
                              batch=batch, timeout=timeout)


Route = Callable[[list[tuple]], list[list[tuple[str, str]]]]  # rows -> for each row its messages (subject, Nats-Msg-Id)


async def publish_rows(db: outbox_store.Connection, js: JetStreamContext, stream: str,
                       ensure: Callable[[], Awaitable[StreamInfo]], route: Route, *, batch: int = BATCH,
                       timeout: float = ACK_TIMEOUT) -> Published:
    """Publish the events after ``stream``'s outbox mark onto ``stream`` (``ensure()`` makes it if missing): each
    row as the messages ``route`` gives it, none or several (the hub's fan-out: one per device it is for), every
    message's ``Nats-Msg-Id`` ending in ``.`` and the event's hash or being the hash. The mark moves over the rows
    all of whose messages were acknowledged."""
    mark = await _reconciled(db, js, stream, ensure)
    sent = duplicates = 0
    while rows := outbox_store.events_after(db, mark.seq, batch):
        routed = route(rows)
        # encoded (and so refused whole) before anything of the batch goes; a row that goes nowhere is not encoded
        bodies = [encode_events([row[2:]]) if messages else b"" for row, messages in zip(rows, routed, strict=True)]
        futures = [[await js.publish_async(subject, body, wait_stall=timeout, stream=stream, headers={"Nats-Msg-Id": msg_id})
                    for subject, msg_id in messages]
                   for body, messages in zip(bodies, routed, strict=True)]
        flat = [f for fs in futures for f in fs]
        if flat:
            _done, late = await asyncio.wait(flat, timeout=timeout)
            for future in late:
                future.cancel()
        acknowledged = mark
        failure: BaseException | None = None
        for row, row_futures in zip(rows, futures, strict=True):  # the mark moves over the acknowledged start of the batch
            if any(f.cancelled() or (failure := f.exception()) is not None for f in row_futures):
                break
            acks = [f.result() for f in row_futures]
            acknowledged = outbox_store.Mark(row[0], max([acknowledged.stream_seq, *(a.seq for a in acks)]))
            sent += len(acks)
            duplicates += sum(bool(a.duplicate) for a in acks)
        if acknowledged != mark:
            outbox_store.advance(db, stream, acknowledged)
            mark = acknowledged
        if mark.seq != rows[-1][0]:
            reason = f"（{failure}）" if failure is not None else f"，{timeout:g} 秒内没有确认"
            raise OutboxError(f"网络服务没有收下第 {mark.seq} 条之后的记录{reason}；稍后会重发") from failure
    return Published(sent, duplicates, mark.seq)


async def tell_held(js: JetStreamContext, device: str, files: list[tuple[str, str]], *, timeout: float = ACK_TIMEOUT) -> None:
    """Say in ``device``'s ``OUT`` (on ``js``, its own server) that it holds the files of these add_evidence events
    (``(event hash, SHA-256)``), which came from the hub: a message each on ``dev.<device>.held`` (the SHA-256),
    which the hub sources with the events; its ingest notes it (db/0026) and the hub takes its copy for this device
    out of its bucket and puts none there again (:class:`.service._Outgoing`). ``Nats-Msg-Id`` ``held.<event hash>``:
    the same event said twice within the dedup window is stored once; the same file under another event is said
    again (the hub has nothing more to do then). A word lost (the app killed before it went) is said when the
    event comes again (it was not yet acknowledged) or, failing that, the hub's copy goes when the device records
    a step that builds on the file's event."""
    await streams.ensure_out(js, device)
    for event, sha in files:
        await js.publish(streams.held_subject(device), sha.encode("ascii"), stream=streams.OUT, timeout=timeout,
                         headers={"Nats-Msg-Id": f"{streams.HELD}.{event}"})


async def _reconciled(db: outbox_store.Connection, js: JetStreamContext, stream: str,
                      ensure: Callable[[], Awaitable[StreamInfo]]) -> outbox_store.Mark:
    """The outbox mark, sent back to the last event the stream holds if the stream holds less than it says (the
    device's words that it holds files, :func:`tell_held`, and the hub's receipts passed over: they are no event's).
    Those are written beside the outbox, so a stream that lost its tail may have grown past the mark again with them:
    the message at the mark's sequence must then be an event's, as the outbox left it."""
    mark = outbox_store.mark(db, stream)
    state = (await ensure()).state
    if state.last_seq == mark.stream_seq or state.last_seq > mark.stream_seq and await _an_event_at(js, stream, mark.stream_seq):
        return mark
    seq = 0
    at = state.last_seq if state.messages else 0
    while at >= max(state.first_seq, 1):
        try:
            msg_id = ((await js.get_msg(stream, at)).headers or {}).get("Nats-Msg-Id", "")
        except NotFoundError:  # a gap in a damaged store: the message before it
            at -= 1
            continue
        if _names_an_event(msg_id):
            seq = outbox_store.seq_of(db, msg_id.rsplit(".", 1)[-1]) or 0
            break
        at -= 1
    back = outbox_store.Mark(min(seq, mark.seq), state.last_seq)
    outbox_store.rewind(db, stream, back)
    return back


async def _an_event_at(js: JetStreamContext, stream: str, stream_seq: int) -> bool:
    """Whether the message at ``stream_seq`` of ``stream`` is one of the events the outbox publishes (0: none yet)."""
    if stream_seq == 0:
        return True
    try:
        msg = await js.get_msg(stream, stream_seq)
    except NotFoundError:
        return False
    return _names_an_event((msg.headers or {}).get("Nats-Msg-Id", ""))


def _names_an_event(msg_id: str) -> bool:
    """Whether a ``Nats-Msg-Id`` is one the outbox gives an event's message (its hash, or ``….<hash>``): not a device's
    word that it holds a file (``held.<event>``), nor anything else written into the stream beside the outbox (the
    hub's receipts in ``TODEV``, ``<device>.r<digest>``)."""
    return not msg_id.startswith(f"{streams.HELD}.") and _HASH.fullmatch(msg_id.rsplit(".", 1)[-1]) is not None


_HASH = re.compile(r"[0-9a-f]{64}")
