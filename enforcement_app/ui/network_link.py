"""The agency network in the client: the device's link started with the app when it has joined a hub
(``enforcement-cli sync join``), its state in the status bar, and what arrives from the hub shown at once.

The link (:class:`..network.link.DeviceLink`) runs its own nats-server and a thread; here a timer reads its state
every second for the status bar (connected, or offline since when, and how many of this device's events the hub
has not yet confirmed), each write the window makes wakes it so that a step goes up at once, and what it receives
is announced as the worker announces a write (``ServiceThread.changed``): the inbox, the case list and the open
case reload, and the worker's caches drop before its next job (:meth:`..services.core.ServicesCore.refresh`).
Started before anyone logs in (a new laptop's officers come through the network), on a thread of its own: starting
the device's nats-server takes a tenth of a second as a rule but may take up to its start timeout, and the login
window must not wait for it; the status bar says the link is starting meanwhile. That thread lives as long as the
link: the server is killed when the thread that started it ends (PR_SET_PDEATHSIG is the thread's, not the
process's), and it is that thread which stops the link when the app quits.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from ..network import link
from ..network.server import ServerError
from .i18n import tr

POLL_MS = 1000
STOP_WAIT = 30.0  # seconds the quitting app waits for the link to stop (a start under way ends first)


class NetworkLink(QObject):
    status_changed = Signal(str, str)  # the status bar's text and its tooltip
    arrived = Signal(object)  # Changes, emitted on the link's thread (delivered queued to this one)
    started = Signal()  # the link's start is over, well or not (delivered queued to this one)

    def __init__(self, worker, db_path: Path, parent: QObject | None = None, *, running: link.DeviceLink | None = None,
                 identity: tuple[str, bytes] | None = None):
        super().__init__(parent)
        self.worker = worker
        self.problem = ""
        self.link = running
        self.settings = None
        self._lock = threading.Lock()
        self._quit = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_over = False  # the thread's start of the link has ended, well or not
        try:
            self.settings = link.settings(db_path)
        except (link.LinkError, OSError) as exc:  # the app works on without the network
            self.problem = str(exc)
        self.arrived.connect(self._arrived)
        self.started.connect(self._poll)
        worker.changed.connect(self._wrote)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self._said: tuple[str, str] = ("", "")
        if self.joined:
            self.timer.start()
        if self.link is None and self.settings is not None:  # last: its signals are connected
            self._thread = threading.Thread(target=self._run, args=(db_path, identity), name="link", daemon=True)
            self._thread.start()

    def _run(self, db_path: Path, identity: tuple[str, bytes] | None) -> None:
        running, problem = None, ""
        try:
            running = link.start_for(db_path, identity=identity, arrived=self.arrived.emit)
        except (ServerError, link.LinkError, OSError) as exc:  # the app works on without the network
            problem = str(exc)
        except Exception as exc:  # noqa: BLE001 — whatever it was (the database, the key), the status bar says it
            problem = f"{type(exc).__name__}: {exc}"
        with self._lock:
            self.link, self.problem, self._start_over = running, problem, True
        self.started.emit()
        if running is None:
            return
        self._quit.wait()
        with self._lock:
            self.link = None
        running.stop()

    @property
    def joined(self) -> bool:
        return self.settings is not None

    @property
    def starting(self) -> bool:
        return self._thread is not None and not self._start_over and not self._quit.is_set()

    def describe(self) -> tuple[str, str]:
        """The status bar's text and tooltip now."""
        if self.link is None:
            if self.starting:
                return tr("NetworkLink", "Hub: starting"), ""
            return tr("NetworkLink", "Hub: not running"), self.problem
        status = self.link.status()
        if status.connected:
            text = tr("NetworkLink", "Hub: connected")
        elif status.offline_since is not None:
            text = tr("NetworkLink", "Hub: offline since %1").replace("%1", status.offline_since.strftime("%m-%d %H:%M"))
        else:
            text = tr("NetworkLink", "Hub: offline")
        if status.waiting:
            text += " · " + tr("NetworkLink", "%1 waiting to go up").replace("%1", str(status.waiting))
        tip = [tr("NetworkLink", "Hub %1").replace("%1", self.settings.hub_url),
               tr("NetworkLink", "Received from the hub since the start: %1").replace("%1", str(status.received))]
        if status.problem:
            tip.append(status.problem)
        return text, "\n".join(tip)

    def _poll(self) -> None:
        said = self.describe()
        if said != self._said:
            self._said = said
            self.status_changed.emit(*said)

    def _wrote(self, _changes) -> None:
        if self.link is not None:
            self.link.wake()

    def _arrived(self, changes) -> None:
        if changes:
            self.worker.changed.emit(changes)
        self._poll()

    def stop(self) -> None:
        """Stop the link, waiting up to :data:`STOP_WAIT` seconds for it. One still starting is not waited for: its
        thread stops it once its start ends, or dies with the app, and the server with it (PR_SET_PDEATHSIG)."""
        self.timer.stop()
        with self._lock:
            self._quit.set()
            started = self._start_over
        if self._thread is not None:
            if started:
                self._thread.join(STOP_WAIT)
        elif self.link is not None:
            self.link.stop()
            self.link = None
