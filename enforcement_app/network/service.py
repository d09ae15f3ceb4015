"""The hub at work (``enforcement-hub run``): its nats-server, the sources of ``EVENTS`` and the ingest into the
agency's database, until told to stop.

Each device's source is added to ``EVENTS`` once that device's leaf link is up (a source made while its link is
down waits 30 s before it tries again, design note pitfall 1), and never edited after (:func:`.streams.ensure_sources`).
The ingest (:mod:`.ingest`) starts once ``EVENTS`` exists and then takes a batch at a time. After every round the
hub sends on what devices must receive (:mod:`.fanout`, through ``TODEV``) and, to each device whose events it
stored, a receipt for them (:mod:`..domain.witness`). A receipt lost (the hub killed before it went) is made up
for by the next one: each names the newest events, which imply all they follow.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import nats
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from ..domain import witness
from ..services.api import Services
from ..store import outbox as outbox_store
from . import evidence, fanout, hub, ingest, streams
from .server import Server

POLL = 1.0  # seconds the ingest waits for a message before it looks for new links again


def database_path(directory: str | Path) -> Path:
    """Where the agency's database is kept unless another is named: in the hub's folder."""
    return Path(directory) / "agency.db"


async def serve(directory: str | Path, database: str | Path, stop: asyncio.Event, *, poll: float = POLL,
                ack_wait: float = ingest.ACK_WAIT, retry: float = ingest.RETRY, batch: int = ingest.BATCH,
                report: Callable[[ingest.Round], None] | None = None, started: Callable[[Server], None] | None = None) -> None:
    """Run the hub in ``directory`` into the agency's ``database`` (a new one is made as a new desk's) until ``stop``
    is set. ``report`` is told of every round that brought something; ``started`` is given the running server."""
    services = Services(database)
    try:
        server = hub.start(directory)
        try:
            if started is not None:
                started(server)
            nc = await nats.connect(server.client_url, nkeys_seed_str=hub.service_seed(directory), connect_timeout=5)
            try:
                await _serve(directory, services, server, nc.jetstream(), stop, poll, ack_wait, retry, report, batch)
            finally:
                await nc.close()
        finally:
            server.stop()
    finally:
        services.close()


async def _serve(directory, services: Services, server: Server, js: JetStreamContext, stop: asyncio.Event, poll: float,
                 ack_wait: float, retry: float, report: Callable[[ingest.Round], None] | None, batch: int) -> None:
    await streams.ensure_todev(js)
    turns = _Hub(directory, services, server, js, stop, poll=poll, ack_wait=ack_wait, retry=retry, report=report, batch=batch,
                 sourced=await _sourced(js))
    try:
        while not stop.is_set():
            try:
                await turns.round()
            except (hub.HubError, ingest.IngestError):
                raise  # the hub's own configuration: for the administrator, as at the start
            except Exception as exc:  # noqa: BLE001 — a round that failed is said and tried again; the hub goes on
                if report is not None:
                    report(ingest.Round(problem=f"{type(exc).__name__}: {exc}"))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), retry)
    finally:
        if turns.run is not None:
            await turns.run.stop()


class _Hub:
    """The hub's turns, and what they found out for the next: the devices ``EVENTS`` sources, those whose evidence
    bucket the hub sources (each made once its device's link is up), the ingest (made once ``EVENTS`` exists)."""

    def __init__(self, directory, services: Services, server: Server, js: JetStreamContext, stop: asyncio.Event, *,
                 poll: float, ack_wait: float, retry: float, report, batch: int, sourced: set[str] | None):
        self.directory, self.services, self.server, self.js, self.stop = directory, services, server, js, stop
        self.poll, self.ack_wait, self.retry, self.report, self.batch = poll, ack_wait, retry, report, batch
        self.sourced = sourced
        self.with_bucket: set[str] = set()
        self.run: ingest.Ingest | None = None
        self.signer = _Signer(directory, services)
        self.outgoing = _Outgoing(services)

    async def round(self) -> None:
        """One turn: the fan-out, the files for the devices, the sources of newly linked devices, one round of the
        ingest and its receipts."""
        db, js = self.services.db, self.js
        scopes = hub.scopes(self.directory)
        await fanout.publish_to_devices(db, js, scopes)
        await fanout.catch_up(db, js, scopes)
        caught_up = await fanout.catch_up_cases(db, js, scopes, lambda device, rows: self.outgoing.send(db, js, device, rows, self.stop.is_set))
        if caught_up.problems and self.report is not None:
            self.report(ingest.Round(problem="；".join(caught_up.problems[:5])))
        await self.outgoing.round(db, js, scopes)
        linked = set(streams.links(self.server)) & set(scopes)
        if linked - self.with_bucket:
            self.with_bucket |= await evidence.ensure_hub_buckets(js, sorted(linked - self.with_bucket))
        if self.sourced is None and linked or self.sourced is not None and linked - self.sourced:
            info = await streams.ensure_sources(js, sorted(linked | (self.sourced or set())))
            self.sourced = {streams.source_device(s) for s in info.config.sources or []}
        if self.run is None and self.sourced is not None:
            made = ingest.Ingest(self.services, self.directory, js, ack_wait=self.ack_wait, retry=self.retry)
            await made.start()
            self.run = made
        if self.run is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), self.poll)
            return
        result = await self.run.round(batch=self.batch, timeout=self.poll)
        for device, events in result.by_sender.items():
            await self.signer.send(js, device, events)
        if self.report is not None and result:
            self.report(result)
        problems = await self.outgoing.taken(db, js, result.by_sender)
        if problems and self.report is not None:
            self.report(ingest.Round(problem="；".join(problems[:5])))


async def _sourced(js: JetStreamContext) -> set[str] | None:
    """The devices ``EVENTS`` sources, or None while there is no ``EVENTS``."""
    try:
        info = await js.stream_info(streams.EVENTS)
    except NotFoundError:
        return None
    return {streams.source_device(s) for s in info.config.sources or []}


def newest(events: list[ingest.Stored]) -> list[tuple[str, str]]:
    """(stream, hash) of the events of ``events`` no other of them follows: holding them means holding all."""
    followed = {p for e in events for p in e.parents}
    return [(e.stream, e.hash) for e in events if e.hash not in followed]


class _Signer:
    """The hub's receipts, signed with its database's key (vouched for by its CA)."""

    def __init__(self, directory, services: Services):
        self.services = services
        self.key = services.device_signing_key()
        self.endorsement = hub.endorsement(directory, services.device_id, self.key.public_key().public_bytes_raw().hex())

    async def send(self, js: JetStreamContext, device: str, events: list[ingest.Stored]) -> None:
        body, signature = witness.make(self.key, self.endorsement, self.services.device_id, device,
                                       self.services.clock().isoformat(), newest(events))
        message = json.dumps({"body": body, "signature": signature}, ensure_ascii=False).encode("utf-8")
        await js.publish(streams.receipt_subject(device), message, stream=streams.TODEV,
                         headers={"Nats-Msg-Id": f"{device}.r{hashlib.sha256(message).hexdigest()[:32]}"})


class _Outgoing:
    """The evidence files the fan-out's events name, put into the hub's bucket for each device they go to."""

    def __init__(self, services: Services):
        self.services = services
        self.uploaders: dict[str, evidence.Uploader] = {}
        self.scopes: dict[str, str] = {}
        self._looked: tuple | None = None  # (last event, scopes) when every bucket was last up to date

    async def round(self, db, js: JetStreamContext, scopes: dict[str, str]) -> None:
        """Each device's bucket brought up to date, unless nothing came and nothing was left to do since last time
        (a bucket round asks the server and the database something for every enrolled device)."""
        now = (outbox_store.last_seq(db), tuple(sorted(scopes.items())))
        if now == self._looked:
            return
        self.scopes = scopes  # as enrolled now: the routing of every bucket follows it
        complete = True
        for device in sorted(scopes):
            done = await self._uploader(db, device).round(db, js)
            complete = complete and not done.missing and not done.more
        self._looked = now if complete else None  # a file the store lacked yet is looked for again next turn

    async def send(self, db, js: JetStreamContext, device: str, rows: list[tuple[int, str, int]],
                   stop: Callable[[], bool]) -> tuple[int, tuple[str, ...]]:
        """Put the files of these add_evidence rows into ``device``'s bucket (a case's catch-up:
        :func:`.fanout.catch_up_cases`): the bytes put and why some could not go."""
        return await self._uploader(db, device).put_these(js, _not_held(db, device, rows), stop=stop)

    def _uploader(self, db, device: str) -> evidence.Uploader:
        uploader = self.uploaders.get(device)
        if uploader is None:
            uploader = self.uploaders[device] = evidence.Uploader(
                self.services.path, evidence.inbound(device), mark=f"{evidence.MARK}>{device}",
                only=lambda rows, device=device: self._files_for(db, device, rows),
                held=lambda sha, device=device: outbox_store.note_outbound_file(db, device, sha))
        return uploader

    def _files_for(self, db, device: str, rows: list[tuple[int, str, int]]) -> set[int]:
        """Of these add_evidence rows, the seqs whose files go into ``device``'s bucket: those of the events the
        fan-out sends it, but a file it said it holds (the same photo in a second case: db/0026)."""
        chosen = fanout.files_for(db, self.scopes, device, rows)
        return {seq for seq, _sha, _size in _not_held(db, device, [r for r in rows if r[0] in chosen])}

    async def taken(self, db, js: JetStreamContext, by_sender: dict[str, list[ingest.Stored]]) -> list[str]:
        """Take out of each device's bucket the files it has: those it said it holds (it stored their events:
        :func:`.outbox.tell_held`, noted by the ingest, db/0026), and those of the add_evidence events that the steps it
        recorded, just stored, build on (it held those events, and a device holds an add_evidence event only with its
        file: db/0025; what catches a word that was lost). Returns why some could not be taken out now: those a device
        said it holds are tried again at the next round; the others after the device's next step there (and the chunks
        a failed take-out left, at the bucket's next put)."""
        problems: list[str] = []
        for device, sha in outbox_store.outbound_held(db):
            await self._take_out(db, js, device, sha, problems)
        for device, events in by_sender.items():
            own = [e for e in events if e.device == device and "/" not in e.stream]
            if not own or not outbox_store.has_outbound_files(db, device):
                continue
            for case in sorted({e.stream for e in own}):
                for sha in sorted(outbox_store.outbound_under(db, device, case, [e.hash for e in own if e.stream == case])):
                    await self._take_out(db, js, device, sha, problems)
        return problems

    async def _take_out(self, db, js: JetStreamContext, device: str, sha: str, problems: list[str]) -> None:
        try:
            await evidence.take_out(js, evidence.inbound(device), sha)
        except Exception as exc:  # noqa: BLE001 — the copy stays for now; the round goes on
            self._uploader(db, device).tidy_again()
            problems.append(f"汇聚节点为设备 {device[:12]} 保存的证据文件 {sha[:12]}… 未能删除：{type(exc).__name__}: {exc}")
            return
        outbox_store.forget_outbound_file(db, device, sha)


def _not_held(db, device: str, rows: list[tuple[int, str, int]]) -> list[tuple[int, str, int]]:
    """Those of these add_evidence rows ``(seq, sha256, size)`` whose file ``device`` has not said it holds (db/0026):
    the hub puts no other into its bucket."""
    holds = outbox_store.files_held(db, device, [sha for _seq, sha, _size in rows if isinstance(sha, str)])
    return [r for r in rows if r[1] not in holds]
