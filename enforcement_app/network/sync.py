"""The outbox kept moving: a thread with an asyncio loop of its own that publishes what the outbox has not yet
published (:mod:`.outbox`) to the device's local nats-server, and after it the evidence files the events name into
the device's evidence bucket (:mod:`.evidence`), a file at a time, so that a write meanwhile has its events go first.

It publishes at start (what was recorded while it was not running), whenever :meth:`Sync.wake` is called (the
client calls it after each write whose ``services.changes`` reports something, so that a step goes up at once),
and whenever its own connection to the database sees that another connection has committed (``PRAGMA
data_version``, looked at every ``poll`` seconds): a write of the command line or of another window goes too.
A round that fails (the server not answering, a batch not acknowledged in time) is retried after ``retry``
seconds; :attr:`Sync.error` says why until a round succeeds. Nothing is lost meanwhile: the events wait in
SQLite behind the outbox mark.

The thread only connects to the server; the app starts the server (from its main thread: see :mod:`.server`).

Given :class:`Receiving`, the same thread also receives: once the server's link to the hub is up it makes the
device's ``IN`` (a source made while the link is down waits 30 s, pitfall 1) and folds what arrives into the
database through its own services (:class:`.ingest.Receiver`), telling ``arrived`` what changed (the receiver also tells the hub
which of its files this device now holds: :func:`.outbox.tell_held`); and it watches the
link (:attr:`Sync.connected`, :attr:`Sync.offline_since`) and counts this device's events the hub has not yet
acknowledged with a receipt (:attr:`Sync.waiting`).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nats

from ..services.changes import Changes
from ..store import outbox as outbox_store
from ..store import receipts as receipt_store
from ..store.database import data_version
from . import streams
from .evidence import Uploaded, Uploader, ensure_device_inbound
from .outbox import ACK_TIMEOUT, HasPath, Published, publish_from
from .server import Server, ServerError


@dataclass(frozen=True)
class Receiving:
    """What the sync thread needs to receive from the hub as well: the device's server (for its link), the hub's
    CA the device joined with (the receipts are checked against it), the clock of the services it opens, and
    whom to tell of what arrived (called on the sync thread)."""

    server: Server
    ca_pem: bytes
    clock: Callable[[], datetime] | None = None
    arrived: Callable[[Changes], None] | None = None

POLL = 1.0  # seconds between looks at whether another connection has committed
RECEIVE_BATCH = 200  # messages a device takes in one transaction: the client's own writes wait for it (a hub takes more)
RETRY = 2.0  # seconds before a failed round is tried again
CONNECT_TIMEOUT = 5.0
STOP_TIMEOUT = ACK_TIMEOUT + CONNECT_TIMEOUT + 5  # a round under way ends within its own timeouts


class Sync:
    """Publishes the outbox of the database at ``database`` (its path, or its services: only the path is used) to
    ``device``'s ``OUT`` on the local server at ``client_url``. ``start()`` once, ``stop()`` at the end; ``wake()``
    from any thread."""

    def __init__(self, database: str | Path | HasPath, device: str, client_url: str, *, poll: float = POLL,
                 retry: float = RETRY, receiving: Receiving | None = None):
        self.path = Path(getattr(database, "path", database))
        self.device, self.client_url, self.poll, self.retry = device, client_url, poll, retry
        self.receiving = receiving
        self.published: Published | None = None  # the last round's
        self.uploaded: Uploaded | None = None  # the last round's evidence files (:mod:`.evidence`)
        self.error: str | None = None  # why the last round failed, until one succeeds
        self.receive_error: str | None = None  # why receiving stopped, until it goes again
        self.connected = False  # the device's server has its link to the hub (looked at every poll)
        self.offline_since: datetime | None = None  # when the link was last seen going down (or this thread started)
        self.waiting: int | None = None  # this device's events no receipt of the hub covers yet
        self.received = 0  # events stored from the hub since the start
        # a daemon: a thread that would not stop never keeps the app alive (all it writes is the mark, in a transaction)
        self._thread = threading.Thread(target=self._run, name=f"outbox-{device[:8]}", daemon=True)
        self._started = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken: asyncio.Event | None = None
        self._stopping = False

    def start(self, timeout: float = STOP_TIMEOUT) -> None:
        self._thread.start()
        if not self._started.wait(timeout):
            raise ServerError(f"发送记录的线程 {timeout:g} 秒内没有启动")

    def wake(self) -> None:
        """Publish now (a write was just committed). Safe from any thread, before ``start`` and after ``stop``."""
        loop, woken = self._loop, self._woken
        if loop is not None and woken is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just closed: nothing is left to publish to
                loop.call_soon_threadsafe(woken.set)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """End the thread after the round under way (bounded by the outbox's own timeouts) and wait for it."""
        self._stopping = True
        self.wake()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise ServerError(f"发送记录的线程 {timeout:g} 秒内没有结束")

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._woken = asyncio.get_running_loop(), asyncio.Event()
        self._stopped = asyncio.Event()
        self._client = None
        self._connecting = asyncio.Lock()
        self._started.set()
        db = outbox_store.connect(self.path)  # this thread's own connection
        tasks = []
        if self.receiving is not None:
            self.offline_since = (self.receiving.clock or datetime.now)()
            tasks = [asyncio.create_task(self._receive()), asyncio.create_task(self._watch(db))]
            for task in tasks:
                task.add_done_callback(self._ended)
        try:
            await self._publish(db)
        finally:
            self._stopped.set()
            for task in tasks:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(task, STOP_TIMEOUT)
            if self._client is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._client.close(), CONNECT_TIMEOUT)
            db.close()

    def _ended(self, task: asyncio.Task) -> None:
        """A receiving or watching task that ended by an error no round caught: said, never silent."""
        if not task.cancelled() and task.exception() is not None and not self._stopping:
            exc = task.exception()
            self.receive_error = f"接收汇聚节点记录的任务意外停止（{type(exc).__name__}: {exc}），请重新启动程序"

    async def _connected(self):
        """The client of the device's server, connected at the first call (bounded: it reconnects for ever after)."""
        async with self._connecting:
            if self._client is None:
                self._client = await asyncio.wait_for(nats.connect(self.client_url, connect_timeout=CONNECT_TIMEOUT,
                                                                   max_reconnect_attempts=-1, error_cb=self._connection_failed),
                                                      CONNECT_TIMEOUT)
        return self._client

    async def _publish(self, db) -> None:
        uploader = Uploader(self.path, self.device)
        seen: int | None = None  # the database's data_version at the last round; None: no round yet
        while not self._stopping:
            woken = self._woken.is_set()
            self._woken.clear()
            version = data_version(db)  # read before the round: a commit during it calls for another
            if woken or version != seen:
                try:
                    client = await self._connected()
                    self.published = await publish_from(db, client.jetstream(), self.device)
                    # then the evidence files, a file at a time: a write meanwhile has its events go first
                    self.uploaded = await uploader.round(db, client.jetstream(), stop=lambda: self._stopping,
                                                         pause=self._woken.is_set)
                    if self.uploaded.more:
                        self._woken.set()
                    self.error, seen = None, version
                except Exception as exc:  # noqa: BLE001 — any failure of a round: said in .error, tried again
                    self.error = f"记录暂未发往本机网络服务（{type(exc).__name__}: {exc}），{self.retry:g} 秒后重试"
                    await self._sleep(self.retry)
                    self._woken.set()
                    continue
            await self._sleep(self.poll)

    async def _receive(self) -> None:
        """Receive from the hub until stopped: a failure is said in :attr:`receive_error` and tried again."""
        # the services' module loads the whole app: only a receiving thread needs it
        from ..services.api import Services
        from .ingest import Receiver

        receiving = self.receiving
        services = None
        receiver = None
        try:
            while not self._stopped.is_set():
                try:
                    if receiver is None:
                        if not self.connected:  # as _watch last saw the link: IN is made only once it is up
                            await self._pause(self.poll)
                            continue
                        js = (await self._connected()).jetstream()
                        await streams.ensure_in(js, self.device)
                        await ensure_device_inbound(js, self.device)  # the files of the events that come
                        services = services or Services(self.path, clock=receiving.clock)
                        receiver = Receiver(services, self.device, receiving.ca_pem, js, retry=self.retry)
                        await receiver.start()
                    result = await receiver.round(batch=RECEIVE_BATCH, timeout=self.poll)
                    self.receive_error = None
                    if result.stored:
                        self.received += result.stored
                    if result.stored or result.receipts:
                        self.wake()  # the waiting count and the outbox look again
                        if receiving.arrived is not None:
                            receiving.arrived(result.changes)
                except Exception as exc:  # noqa: BLE001 — said, and tried again
                    self.receive_error = f"暂未收到汇聚节点发来的记录（{type(exc).__name__}: {exc}），{self.retry:g} 秒后重试"
                    if receiver is not None:
                        with contextlib.suppress(Exception):
                            await receiver.stop()
                    receiver = None
                    await self._pause(self.retry)
        finally:
            if receiver is not None:
                with contextlib.suppress(Exception):
                    await receiver.stop()
            if services is not None:
                services.close()

    async def _watch(self, db) -> None:
        """Every ``poll`` seconds: whether the link is up, and how many of this device's events wait for the hub."""
        receiving = self.receiving
        counted: int | None = None  # the database's data_version when the waiting events were last counted
        while not self._stopped.is_set():
            try:
                up = await asyncio.to_thread(lambda: "hub" in streams.links(receiving.server, timeout=self.poll))
            except Exception:  # noqa: BLE001 — the server not answering is a link down
                up = False
            if self.connected and not up:
                self.offline_since = (receiving.clock or datetime.now)()
            self.connected = up
            with contextlib.suppress(Exception):
                version = data_version(db)  # a write or a receipt since (both on other connections): count again
                if version != counted:
                    self.waiting, counted = receipt_store.waiting(db, self.device), version
            await self._pause(self.poll)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)

    async def _connection_failed(self, exc: Exception) -> None:
        """The client's own reports (it keeps reconnecting): said in :attr:`error` until a round succeeds."""
        self.error = f"与本机网络服务的连接中断（{type(exc).__name__}: {exc}），正在重连"

    async def _sleep(self, seconds: float) -> None:
        """Until woken or ``seconds`` have passed (the wake is left set for the loop to see)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), seconds)
