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
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path

import nats

from ..store import outbox as outbox_store
from ..store.database import data_version
from .evidence import Uploaded, Uploader
from .outbox import ACK_TIMEOUT, HasPath, Published, publish_from
from .server import ServerError

POLL = 1.0  # seconds between looks at whether another connection has committed
RETRY = 2.0  # seconds before a failed round is tried again
CONNECT_TIMEOUT = 5.0
STOP_TIMEOUT = ACK_TIMEOUT + CONNECT_TIMEOUT + 5  # a round under way ends within its own timeouts


class Sync:
    """Publishes the outbox of the database at ``database`` (its path, or its services: only the path is used) to
    ``device``'s ``OUT`` on the local server at ``client_url``. ``start()`` once, ``stop()`` at the end; ``wake()``
    from any thread."""

    def __init__(self, database: str | Path | HasPath, device: str, client_url: str, *, poll: float = POLL,
                 retry: float = RETRY):
        self.path = Path(getattr(database, "path", database))
        self.device, self.client_url, self.poll, self.retry = device, client_url, poll, retry
        self.published: Published | None = None  # the last round's
        self.uploaded: Uploaded | None = None  # the last round's evidence files (:mod:`.evidence`)
        self.error: str | None = None  # why the last round failed, until one succeeds
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
        self._started.set()
        db = outbox_store.connect(self.path)  # this thread's own connection
        uploader = Uploader(self.path, self.device)
        client = None
        seen: int | None = None  # the database's data_version at the last round; None: no round yet
        try:
            while not self._stopping:
                woken = self._woken.is_set()
                self._woken.clear()
                version = data_version(db)  # read before the round: a commit during it calls for another
                if woken or version != seen:
                    try:
                        if client is None:
                            # reconnecting for ever once connected, so the first connection is bounded here
                            client = await asyncio.wait_for(nats.connect(self.client_url, connect_timeout=CONNECT_TIMEOUT,
                                                                         max_reconnect_attempts=-1, error_cb=self._connection_failed),
                                                            CONNECT_TIMEOUT)
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
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.close(), CONNECT_TIMEOUT)
            db.close()

    async def _connection_failed(self, exc: Exception) -> None:
        """The client's own reports (it keeps reconnecting): said in :attr:`error` until a round succeeds."""
        self.error = f"与本机网络服务的连接中断（{type(exc).__name__}: {exc}），正在重连"

    async def _sleep(self, seconds: float) -> None:
        """Until woken or ``seconds`` have passed (the wake is left set for the loop to see)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), seconds)
