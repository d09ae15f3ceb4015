"""The hub's ingest: the events arriving on the hub's ``EVENTS`` stream folded into the agency's own database,
checked exactly as a bundle's events are (:func:`..services.bundles.add_events`).

A durable pull consumer on ``EVENTS`` (:data:`CONSUMER`) hands over messages a batch at a time. Each message is
one line of a bundle's ``events.txt`` (:mod:`.outbox`) on ``dev.<device>.<hex of its stream>``: the device on the
subject is the one that sent it, as the signer of a bundle is, since the hub's source of that device's ``OUT``
lets only that device's subjects through. So, as a bundle is refused from a device not trusted, a message is
refused unless its sender is an enrolled device, which the hub's database trusts (:func:`trust_enrolled`, by the
same trust event a bundle's first import records). Then, as a bundle's reader does, the event's hash is computed
from the bytes that arrived and must be the ``Nats-Msg-Id`` the device sent it under, and its stream the one its
subject names.

Relaying: a bundle may carry events another device recorded (a bundle of everything carries every event its
device holds), and so may a device's ``OUT`` (the outbox publishes its whole event table). The hub accepts
such an event, as a bundle's receiver does, when its recorder is a device the hub has no link of its own to; an
event that says an *enrolled* device recorded it comes only over that device's own link, so on another's subject
it is refused (a device passing off events as another's); one that says the hub recorded it is refused as a
bundle's receiver refuses events claimed as its own.

An event whose parents, evidence file or party are not yet here waits: its message is not acknowledged but sent
back (``nak``) to come again after :data:`RETRY` seconds. A refused message is noted with its reason
(:mod:`..store.ingest`) and acknowledged, so that it does not hold up the stream, and nothing of it reaches the
event or case tables; an event whose parent was refused by the record's checks is refused in its turn (it would
wait for ever), while one whose parent only came in a message refused (altered on the way, from the wrong
sender) keeps waiting for an honest copy. What a batch brings is written in one transaction; should one event of it be refused
there (its signature, its party's registration, the procedure), the batch is taken again one event at a time so
that the others are kept. Messages are acknowledged only after the transaction that stored them commits: a crash
in between redelivers them (after the consumer's ``ack_wait``), and the UNIQUE event hash makes a redelivered
event a no-op.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from ..domain import witness
from ..services.api import Services
from ..services.bundle_format import WireEvent, decode_events, fingerprint, gc_paused
from ..services.bundles import (
    CASE_OPENING_KINDS,
    BundleError,
    ImportSummary,
    add_events,
    claimed_as_ours,
    malformed_evidence,
    trust_device,
    trusted_keys,
)
from ..services.changes import Changes
from ..store import cases as case_store
from ..store import events as event_store
from ..store import ingest as ingest_store
from ..store import outbox as outbox_store
from ..store import receipts as receipt_store
from ..store import reference as reference_store
from . import evidence, hub, outbox, streams

CONSUMER = "ingest"
MALFORMED = ingest_store.MALFORMED
ACK_WAIT = 30.0  # seconds before a message taken but not acknowledged (the ingest died) is delivered again
RETRY = 2.0  # seconds before a waiting event (its parents not yet here) is delivered again
BATCH = 2000  # messages a hub round takes (500 made the per-round work, the reference reread and the commit, ~13 % of it)
MAX_WAITING = 100_000  # messages delivered and not yet acknowledged: waiting events count too


class IngestError(RuntimeError):
    """The hub's configuration and its database disagree (for the administrator)."""


class Stored(NamedTuple):
    """An event a round stored, as what follows the round needs it (the hub's receipts, its buckets' tidying). Not
    its payload: when the round's pause of the garbage collector ends (:meth:`Ingest.take`), the batch's payloads are
    then gone, freed by their counts, and the collection that follows has next to nothing to walk; holding them, it
    walked every list of every drawn signature of the batch (~56 ms a round of 2,000, ~8 % of the ingest)."""

    hash: str
    stream: str
    device: str
    parents: tuple[str, ...]


@dataclass
class Round:
    stored: int = 0  # new events written
    known: int = 0  # events the database already held (a redelivery, or a copy)
    refused: int = 0
    waiting: int = 0  # sent back until their parents, evidence file or party are here
    refusals: list[ingest_store.Refusal] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # reference data kept as this database holds it (as a bundle reports)
    files_refused: list[str] = field(default_factory=list)  # evidence files that came altered (:mod:`.evidence`): their events wait
    by_sender: dict[str, list[Stored]] = field(default_factory=dict)  # the events stored, by who sent them
    receipts: int = 0  # the hub's receipts kept (at a device)
    files: list[tuple[str, str]] = field(default_factory=list)  # (hash, SHA-256 of its file) of the add_evidence events here now
    held: dict[str, list[str]] = field(default_factory=dict)  # at the hub: the files each device said it holds (db/0026)
    changes: Changes = field(default_factory=Changes)  # what the stored events changed (for the client's views)

    problem: str = ""  # the hub's round failed (it is tried again): why

    def __bool__(self) -> bool:
        return bool(self.stored or self.known or self.refused or self.waiting or self.receipts or self.problem or self.files_refused
                    or self.held)


def trust_enrolled(services: Services, directory: str | Path) -> dict[str, str]:
    """Make every device enrolled at the hub in ``directory`` trusted by the hub's database (a trust event each,
    as a bundle's first import records); returns the enrolled devices with their keys. A device trusted here
    with another key than it is enrolled with is refused: the enrolment and the record disagree."""
    enrolled = {d: e["public_key"] for d, e in hub.devices(directory).items()}
    trusted = trusted_keys(services, enrolled)
    for device, key in enrolled.items():
        if trusted[device] not in (None, key):
            raise IngestError(f"设备 {device[:8]} 在汇聚节点登记的公钥（指纹 {fingerprint(key)}）"
                              f"与数据库所信任的（指纹 {fingerprint(trusted[device])}）不同，未导入")
    new = sorted(d for d in enrolled if trusted[d] is None)
    if new:
        session = services.system_session()
        with services.transaction():
            for device in new:
                trust_device(session, device, f"汇聚节点登记的设备 {device[:8]}", enrolled[device])
    return enrolled


@dataclass
class _Message:
    msg: Msg
    seq: int
    sender: str
    event: WireEvent | None = None


class Ingest:
    """The hub's ingest on ``js`` (a JetStream context of the hub's own client) into ``services`` (the agency's
    database), for the hub in ``directory``. :meth:`start` makes the durable consumer (or binds to it);
    :meth:`round` takes one batch."""

    def __init__(self, services: Services, directory: str | Path, js: JetStreamContext, *, ack_wait: float = ACK_WAIT,
                 retry: float = RETRY):
        self.services, self.directory, self.js = services, Path(directory), js
        self.ack_wait, self.retry = ack_wait, retry
        self.session = services.system_session()
        self._subscription: JetStreamContext.PullSubscription | None = None
        self._enrolled: set[str] = set()
        self._field: set[str] | None = None  # the hub's field devices, read when a round first needs them
        self.evidence = evidence.Receiver(services.evidence, js)  # the files the waiting events register

    stream, durable = streams.EVENTS, CONSUMER

    async def start(self) -> None:
        self._trust()
        config = ConsumerConfig(durable_name=self.durable, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
                                ack_wait=self.ack_wait, max_ack_pending=MAX_WAITING, max_deliver=-1)
        await self.js.add_consumer(self.stream, config)  # the same config again is accepted as it is
        self._subscription = await self.js.pull_subscribe_bind(self.durable, stream=self.stream)

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None
        await self.evidence.close()

    def _trust(self) -> None:
        self._enrolled = set(trust_enrolled(self.services, self.directory))

    async def round(self, batch: int = BATCH, timeout: float = 1.0) -> Round:
        """Take up to ``batch`` messages (waiting up to ``timeout`` seconds for the first) and fold them in."""
        assert self._subscription is not None, "start() first"
        try:
            msgs = await self._subscription.fetch(batch, timeout=timeout)
        except TimeoutError:  # nats' own, or the bare one nats-py's fetch raises when the answer comes at the deadline
            return Round()
        return await self.take(msgs)

    async def take(self, msgs: list[Msg]) -> Round:
        """Fold ``msgs`` in and answer each (ack, nak, or ack of a refusal noted). No cyclic garbage collection
        meanwhile, as a bundle's import does: it would walk the batch's payloads again and again."""
        with gc_paused():
            return await self._take(msgs)

    async def _take(self, msgs: list[Msg]) -> Round:
        result = Round()
        self._field = None
        now = self.services.clock().isoformat()
        refused: dict[int, ingest_store.Refusal] = {}
        arrived: list[_Message] = []
        held: list[tuple[Msg, str, str]] = []  # (message, device, file): a device's word that it holds a file
        for msg in msgs:
            last = msg.subject.rsplit(".", 1)[-1]
            if last == streams.RECEIPT:
                reason = self._receipt(msg, now)
                if not reason:
                    result.receipts += 1
                    await msg.ack()
                    continue
                m = _Message(msg, msg.metadata.sequence.stream, "")
            elif last == streams.HELD:
                sender, reason = self._held(msg)
                if not reason:  # noted with the refusals, acknowledged after: the hub's service takes the copies out
                    held.append((msg, sender, msg.data.decode("ascii")))
                    continue
                m = _Message(msg, msg.metadata.sequence.stream, sender)
            else:
                m, reason = self._read(msg)
            if reason:
                refused[m.seq] = ingest_store.Refusal(m.seq, msg.subject, m.event.hash if m.event else _msg_id(msg), reason, now, False)
            else:
                arrived.append(m)
        db = self.services.db
        known = event_store.known_hashes(db, sorted({m.event.hash for m in arrived}))
        done = [m for m in arrived if m.event.hash in known]
        result.known = len(done)
        fresh: dict[str, list[_Message]] = {}  # by hash: a copy published again comes under another sequence
        for m in arrived:
            if m.event.hash not in known:
                fresh.setdefault(m.event.hash, []).append(m)
        # a copy of an event already here changes nothing, whoever sent it; a new one is checked
        for h, ms in list(fresh.items()):
            for m in list(ms):
                relayed = self._relay_problems(m)
                problems = relayed or claimed_as_ours(self.services, [m.event]) or malformed_evidence([m.event])
                if problems:
                    ms.remove(m)
                    refused[m.seq] = ingest_store.Refusal(m.seq, m.msg.subject, h, problems[0], now, not relayed)
            if not ms:
                del fresh[h]
        carried = await self.evidence.present((ms[0].event, ms[0].sender) for ms in fresh.values())
        ready = _ready(db, [ms[0].event for ms in fresh.values()], known, carried)
        ready_hashes = {e.hash for e in ready}
        left = {h: ms for h, ms in fresh.items() if h not in ready_hashes}
        # what builds on an event refused by the record's checks will never have its parent: refused too
        parents = sorted({p for ms in left.values() for p in ms[0].event.parents})
        bad = ingest_store.refused_events(db, parents) if parents else set()
        for h, ms in list(left.items()):
            bad_parent = next((p for p in ms[0].event.parents if p in bad), None)
            if bad_parent:
                del left[h]
                for m in ms:
                    refused[m.seq] = ingest_store.Refusal(m.seq, m.msg.subject, h, f"所接续的记录 {bad_parent[:12]}… 已被拒收", now, True)
        waiting = [m for ms in left.values() for m in ms]
        stored, turned_down = self._store(ready, result.conflicts)
        await self.evidence.settle(ready, stored)  # the files of the events just committed go into the store
        result.files_refused = self.evidence.refusals()
        for h, reason in turned_down.items():
            for m in fresh[h]:
                refused[m.seq] = ingest_store.Refusal(m.seq, m.msg.subject, h, reason, now, True)
        if refused or held:
            with self.services.transaction():
                ingest_store.refuse(db, list(refused.values()))
                outbox_store.note_device_files(db, [(device, sha) for _, device, sha in held])
        # what this database now holds the files of: the add_evidence events stored, and those it already held (stored
        # by an earlier round that ended before it could say so)
        for e in [fresh[h][0].event for h in stored] + [m.event for m in done]:
            if e.kind == "add_evidence" and isinstance(e.payload.get("sha256"), str):
                result.files.append((e.hash, e.payload["sha256"]))
        await self._holding(result.files)
        # only now, with what they brought committed, are the messages acknowledged
        for h in stored:
            for m in fresh[h]:
                await m.msg.ack()
        for m in done:
            await m.msg.ack()
        for msg, device, sha in held:
            await msg.ack()
            result.held.setdefault(device, []).append(sha)
        for m in waiting:
            await m.msg.nak(delay=self.retry)
        by_seq = {msg.metadata.sequence.stream: msg for msg in msgs}
        for seq in refused:
            await by_seq[seq].ack()
        result.stored, result.waiting = len(stored), len(waiting)
        result.refused, result.refusals = len(refused), sorted(refused.values())
        for h in stored:
            e = fresh[h][0].event
            result.by_sender.setdefault(fresh[h][0].sender, []).append(Stored(e.hash, e.stream, e.device, e.parents))
        result.changes = self.services.changes.take()
        return result

    async def _holding(self, files: list[tuple[str, str]]) -> None:
        """After the transaction that stored a round's events and before they are acknowledged: the files of its
        add_evidence events (with their event) are here now. Nothing to do at the hub (see :class:`Receiver`)."""

    def _receipt(self, msg: Msg, now: str) -> str:
        """A receipt is only for a device from its hub (:class:`Receiver`): refused here."""
        return f"主题 {msg.subject[:80]} 不是设备记录的主题"

    def _held(self, msg: Msg) -> tuple[str, str]:
        """The device that says it holds a file the hub sent it (the message is the file's SHA-256), and why the
        message is refused ('' if it is not): on its own subject, through its own source, as its events come."""
        sender, reason = self._addressed(msg.subject.split("."))
        if reason:
            return sender, reason if sender else f"主题 {msg.subject[:80]} {reason}"
        reason = self._came_through(msg, sender)
        if reason:
            return sender, reason
        if not _SHA256.fullmatch(msg.data):
            return sender, f"设备 {sender[:12]} 所称已收到的证据文件不是 SHA-256（{msg.data[:80]!r}）"
        return sender, ""

    def _addressed(self, parts: list[str]) -> tuple[str, str]:
        """The sender a subject names, and why the message is refused ('' if it is not yet): at the hub, an
        enrolled device on ``dev.<device>.<hex>``."""
        sender = parts[1] if len(parts) == 3 and parts[0] == "dev" else ""
        if not sender:
            return "", "不是设备记录的主题"
        if sender not in self._enrolled:
            self._trust()  # enrolled since the ingest started
            if sender not in self._enrolled:
                return sender, f"发送设备 {sender[:12]} 未在汇聚节点登记"
        return sender, ""

    def _read(self, msg: Msg) -> tuple[_Message, str]:
        """The message with its sender and event, and why it is refused ('' if it is not yet)."""
        seq = msg.metadata.sequence.stream
        parts = msg.subject.split(".")
        sender, reason = self._addressed(parts)
        m = _Message(msg, seq, sender)
        if reason:
            return m, reason if sender else f"主题 {msg.subject[:80]} {reason}"
        reason = self._came_through(msg, sender)
        if reason:
            return m, reason
        problems: list[str] = []
        events = decode_events(msg.data, problems)
        if problems or len(events) != 1:
            return m, "；".join(problems) or f"消息应含一条记录，含 {len(events)} 条"
        e = m.event = events[0]
        if _msg_id(msg).rsplit(".", 1)[-1] != e.hash:
            return m, f"记录内容的哈希 {e.hash[:12]}… 与发送时标明的 {_msg_id(msg)[-64:][:12]}… 不符：途中被改动"
        if parts[2] != e.stream.encode("utf-8").hex():
            return m, f"记录流 {e.stream[:40]} 与主题 {msg.subject[:80]} 不符"
        return m, ""

    def _came_through(self, msg: Msg, sender: str) -> str:
        """Why the message did not come through ``sender``'s own source ('' if it did): the hub's server names the
        source of every message it stores from one (``Nats-Stream-Source``), so a device whose server delivered a
        message on another's subject (a server changed to ignore the source's filter) is found out. A message with no
        such header was not sourced: in EVENTS, which takes no subjects of its own, only the hub's own client can have
        put it there."""
        source = (msg.headers or {}).get("Nats-Stream-Source", "")
        if source and source.split(" ", 1)[0] != streams.source_mark(sender):
            return f"消息的主题写的是设备 {sender[:12]}，却不是从该设备的连接收到的（{source.split(' ', 1)[0][:24]}）：冒用他机身份"
        return ""

    def _relay_problems(self, m: _Message) -> list[str]:
        """An event new here that says an enrolled device other than its sender recorded it."""
        e = m.event
        if e.device == m.sender or e.device not in self._enrolled:
            return []
        return [f"记录 {e.hash[:12]}… 自称由已登记的设备 {e.device[:12]} 记录，却由设备 {m.sender[:12]} 发来："
                "已登记设备的记录只从它自己的连接接收"]

    def _store(self, ready: list[WireEvent], conflicts: list[str]) -> tuple[list[str], dict[str, str]]:
        """Write ``ready`` (parents first) in one transaction; if one of them is refused, one event at a time.
        Returns the hashes stored and the refused ones with their reason; adds to ``conflicts``."""
        if not ready:
            return [], {}
        try:
            self._add(ready, conflicts)
            return [e.hash for e in ready], {}
        except (BundleError, *MALFORMED):
            pass
        stored: list[str] = []
        refused: dict[str, str] = {}
        for e in ready:
            bad_parent = next((p for p in e.parents if p in refused), None)
            if bad_parent:
                refused[e.hash] = f"所接续的记录 {bad_parent[:12]}… 已被拒收"
                continue
            try:
                self._add([e], conflicts)
                stored.append(e.hash)
            except BundleError as exc:
                refused[e.hash] = "；".join(exc.problems)
            except MALFORMED as exc:  # a payload no check foresaw (a dict where text goes): refused, never the hub's end
                refused[e.hash] = f"记录的内容无法写入（{type(exc).__name__}: {exc}）"
        return stored, refused

    def _add(self, events: list[WireEvent], conflicts: list[str]) -> None:
        summary = ImportSummary("", "", "")
        try:
            with self.services.transaction():
                add_events(self.session, summary, events, Path(self.stream))
                self._stored(events)
        finally:
            self.services.forget_states()
        conflicts += summary.conflicts

    def _stored(self, events: list[WireEvent]) -> None:
        """In the transaction that stored ``events``: what else to note of them. At the hub, the cases a field
        device recorded its first step in while others had recorded before (it got the case by a bundle): the
        fan-out sends it their earlier steps (:func:`.fanout.catch_up_cases`)."""
        if self._field is None:  # read once a round (a batch refused whole is stored again one event at a time)
            self._field = {d for d, scope in hub.scopes(self.directory).items() if scope != hub.DESK}
        field = self._field
        if field & {e.device for e in events}:
            outbox_store.note_new_recorders(self.services.db, [(e.stream, e.device) for e in events], field)


_SHA256 = re.compile(rb"[0-9a-f]{64}")


def _msg_id(msg: Msg) -> str:
    return (msg.headers or {}).get("Nats-Msg-Id", "")


def _ready(db, events: list[WireEvent], known: set[str], carried: set[str]) -> list[WireEvent]:
    """The events that can be written now, parents first: each one's parents here or before it, its evidence
    file registered here or ``carried`` (staged from the hub's bucket) and its party here or before it (the checks
    of a bundle's, one event at a time). What the database holds is asked for once for the whole batch, by key: a
    round costs the same on a hub of a million cases as on a new one."""
    hashes = {e.hash for e in events}
    outside = {p for e in events for p in e.parents if p not in hashes and p not in known}
    have = set(known) | (event_store.known_hashes(db, sorted(outside)) if outside else set())
    files = {e.payload.get("sha256") for e in events if e.kind == "add_evidence"}
    registered = set(carried) | (case_store.registered_among(db, [f for f in files if isinstance(f, str) and f not in carried])
                                 if files else set())
    parties = {str(e.payload.get("party_id")) for e in events if e.kind in CASE_OPENING_KINDS}
    present = reference_store.party_streams_among(db, parties) if parties else set()
    ready: list[WireEvent] = []
    left = list(events)
    while True:
        later = []
        for e in left:
            if (any(p not in have for p in e.parents) or e.kind == "add_evidence" and e.payload.get("sha256") not in registered
                    or e.kind in CASE_OPENING_KINDS and f"party/{e.payload.get('party_id')}" not in present):
                later.append(e)
            else:
                ready.append(e)
                have.add(e.hash)
                if e.stream.startswith("party/"):
                    present.add(e.stream)
        if len(later) == len(left):
            return ready
        left = later


class Receiver(Ingest):
    """A device's receiving end: what the hub addressed to ``device`` (its ``IN`` stream, sourcing the hub's
    ``TODEV``) folded into the device's database with the checks of a bundle's events, and the hub's receipts for
    this device's record kept once their signatures hold against the hub's CA (``ca_pem``, the one the device
    joined with; :mod:`..domain.witness`). Everything on ``IN`` came from the hub: the device's link may create a
    consumer only on ``to.<device>.>`` of ``TODEV`` and nothing else can write there."""

    stream, durable = streams.IN, "receive"

    def __init__(self, services: Services, device: str, ca_pem: bytes, js: JetStreamContext, *, ack_wait: float = ACK_WAIT,
                 retry: float = RETRY):
        super().__init__(services, "", js, ack_wait=ack_wait, retry=retry)
        self.device, self.ca_pem = device, ca_pem
        self._to_tell: set[tuple[str, str]] = set()  # (event, file) held here and not yet said to the hub

    def _trust(self) -> None:
        """The hub's messages need no trust event: the link (the hub's CA, TLS, the subject space) is the trust."""

    def _addressed(self, parts: list[str]) -> tuple[str, str]:
        """The hub, named as its files for this device travel (:func:`.evidence.inbound`): their bucket is the
        sender's the evidence receiver looks in."""
        if len(parts) == 3 and parts[0] == "to" and parts[1] == self.device:
            return evidence.inbound(self.device), ""
        return "", "不是发给本机的主题"

    def _came_through(self, msg: Msg, sender: str) -> str:
        """What is in IN came from the hub's TODEV (the one source IN has)."""
        return ""

    def _held(self, msg: Msg) -> tuple[str, str]:
        """Only a device says it holds a file: nothing the hub sends."""
        return "", f"主题 {msg.subject[:80]} 不是发给本机的主题"

    async def _holding(self, files: list[tuple[str, str]]) -> None:
        """Tell the hub that this device holds these files (:func:`.outbox.tell_held`, on this device's own server):
        before the messages that brought their events are acknowledged, so that an app killed before it could say so
        gets the events again, finds them known and says it then. A word that cannot go now (the server not
        answering) goes with the next round's; the hub's copy stays meanwhile, and nothing here waits on it."""
        self._to_tell.update(files)
        if not self._to_tell:
            return
        try:
            await outbox.tell_held(self.js, self.device, sorted(self._to_tell))
        except Exception:  # noqa: BLE001 — kept for the next round: receiving does not wait on it
            return
        self._to_tell.clear()

    def _stored(self, events: list[WireEvent]) -> None:
        """The hub holds these: the outbox does not send them back (:func:`..store.outbox.note_from_hub`)."""
        outbox_store.note_from_hub(self.services.db, [e.hash for e in events])

    def _relay_problems(self, m: _Message) -> list[str]:
        """The hub relays every device's events (one claimed as this device's is refused as ever), but never a
        device's own bookkeeping (whom it trusts, what it exchanged): the fan-out sends none, so one that comes
        was not the fan-out's."""
        if m.event.stream.startswith("device/"):
            return [f"记录 {m.event.hash[:12]}… 是设备 {m.event.stream[7:19]} 自己的登记（{m.event.kind}）：不从汇聚节点接收"]
        return []

    def _receipt(self, msg: Msg, now: str) -> str:
        parts = msg.subject.split(".")
        if parts != ["to", self.device, streams.RECEIPT]:
            return f"主题 {msg.subject[:80]} 不是发给本机的回执"
        try:
            message = json.loads(msg.data)
            body, signature = str(message["body"]), str(message["signature"])
            witness.check(body, signature, self.ca_pem, self.device)
        except (ValueError, KeyError, TypeError) as exc:
            return f"汇聚节点的回执被拒收：{exc}"
        with self.services.transaction():
            receipt_store.add(self.services.db, body, signature, now)
        return ""
