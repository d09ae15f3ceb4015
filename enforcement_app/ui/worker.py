"""Database, PDF and import work off the GUI thread.

A :class:`ServiceThread` owns one :class:`~enforcement_app.services.Services` (and so one SQLite
connection) inside its own ``QThread``. The window hands it operations — callables that receive the
logged-in :class:`Session` and a :class:`Job` handle — of two kinds (as Anki's ``QueryOp`` and
``CollectionOp``):

- a **read** (:meth:`ServiceThread.read`) looks, renders or copies and records no event; its success
  callback gets the job's result;
- a **write** (:meth:`ServiceThread.write`) records events; its success callback gets a :class:`Written`:
  the result and the :class:`~enforcement_app.services.changes.Changes` the services noted while it ran.
  After that callback the thread emits :attr:`ServiceThread.changed`, and each view refreshes only if
  the change concerns it.

Results and exceptions come back on the GUI thread through queued signals. A failure goes to the
operation's own handler, or, when it has none, to :attr:`ServiceThread.refused`, which the window shows
to the user: no failure is dropped. Jobs run one at a time, in order, so writes never race, and a job
queued after a write sees what it wrote. Long jobs report progress and check :attr:`Job.cancelled`.

The case table reads its visible rows through a read-only connection of its own (a page of rows is a
sub-millisecond indexed read); everything that writes, folds cases, renders or imports goes through here.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..services import Services, Session
from ..services.changes import Changes


@dataclass
class Job:
    id: int
    fn: Callable[[Session, Job], Any]
    write: bool = False
    _cancel: threading.Event = field(default_factory=threading.Event)
    _progress: Callable[[int, int], None] | None = None
    done: bool = False  # its result or failure has been delivered (GUI thread)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(done, total)


@dataclass(frozen=True)
class Written:
    """What a write hands its success callback: the job's result and what the write changed."""

    result: Any
    changes: Changes


@dataclass
class _Pending:
    job: Job
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    on_progress: Callable[[int, int], None] | None


class _Worker(QObject):
    finished = Signal(int, object, object)  # job id, result, Changes
    failed = Signal(int, object, object)  # job id, exception, Changes
    progressed = Signal(int, int, int)
    opened = Signal(object)  # the Session, or the exception from login

    def __init__(self, path: Path, clock: Callable | None):
        super().__init__()
        self.path = path
        self.clock = clock
        self.services: Services | None = None
        self.session: Session | None = None

    @Slot(object)
    def open(self, credentials: tuple[str, str | None]) -> None:
        login, password = credentials
        try:
            if self.services is None:
                self.services = Services(self.path, clock=self.clock) if self.clock else Services(self.path)
            self.services.refresh()  # officers another connection committed (the network's, a command's) since
            self.session = self.services.session(login) if password is None else self.services.login(login, password)
            self.opened.emit(self.session.actor)
        except Exception as exc:  # noqa: BLE001 - handed to the GUI to show
            self.opened.emit(exc)

    @Slot(object)
    def run(self, job: Job) -> None:
        if job.cancelled:
            self.failed.emit(job.id, InterruptedError("已取消"), Changes())
            return
        job._progress = lambda done, total: self.progressed.emit(job.id, done, total)
        try:
            if self.services is not None:
                self.services.refresh()  # what another connection committed since the last job drops the caches
            result = job.fn(self.session, job)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the window
            self.failed.emit(job.id, exc, self._take_changes())
        else:
            self.finished.emit(job.id, result, self._take_changes())

    def _take_changes(self) -> Changes:
        """What the job just run noted, taken after every job, so a note never leaks into a later
        write's record. A failed job's notes are kept, not discarded: a job may span several
        transactions (evidence files are stored one by one) and those committed before the failure stay;
        refreshing a view whose change was rolled back costs one reload, missing one leaves it stale.
        A read notes nothing; if a job put in the wrong kind did, its changes still reach the views."""
        return self.services.changes.take() if self.services is not None else Changes()

    @Slot()
    def close(self) -> None:
        if self.services is not None:
            self.services.close()
            self.services = None


class ServiceThread(QObject):
    """The window's handle on the worker thread (used from the GUI thread only)."""

    _submit = Signal(object)
    _open = Signal(object)
    _close = Signal()
    logged_in = Signal(object)  # Officer, or the exception
    busy_changed = Signal(bool)
    changed = Signal(object)  # Changes: after a job that changed something, once its own callback has run
    refused = Signal(object)  # the exception of an operation with no failure handler: the window shows it

    def __init__(self, path: Path, clock: Callable | None = None):
        super().__init__()
        self.path = Path(path)
        self._thread = QThread()
        self._thread.setObjectName("services")
        self._worker = _Worker(self.path, clock)
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._open.connect(self._worker.open)
        self._close.connect(self._worker.close)
        self._worker.finished.connect(self._done)
        self._worker.failed.connect(self._error)
        self._worker.progressed.connect(self._progress)
        self._worker.opened.connect(self.logged_in)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._thread.start()

    def login(self, login: str, password: str | None) -> None:
        """Check the password in the worker (scrypt takes a moment); ``None`` skips it (``--user``)."""
        self._open.emit((login, password))

    def read(self, fn: Callable[[Session, Job], Any], on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None,
             on_progress: Callable[[int, int], None] | None = None) -> Job:
        """Run ``fn(session, job)``, which records no event, in the worker; ``on_done(result)`` gets what it
        returns, ``on_error(exc)`` what it raises (without a handler, :attr:`refused`)."""
        return self._queue(Job(next(self._ids), fn), on_done, on_error, on_progress)

    def write(self, fn: Callable[[Session, Job], Any], on_done: Callable[[Written], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None,
              on_progress: Callable[[int, int], None] | None = None) -> Job:
        """Run ``fn(session, job)``, which records events, in the worker; ``on_done`` gets a :class:`Written`
        (its result and the changes it noted), then :attr:`changed` is emitted if anything changed."""
        return self._queue(Job(next(self._ids), fn, write=True), on_done, on_error, on_progress)

    def _queue(self, job: Job, on_done, on_error, on_progress) -> Job:
        self._pending[job.id] = _Pending(job, on_done, on_error, on_progress)
        self.busy_changed.emit(True)
        self._submit.emit(job)
        return job

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def _finish(self, job_id: int) -> _Pending | None:
        entry = self._pending.pop(job_id, None)
        if entry is not None:
            entry.job.done = True
        if not self._pending:
            self.busy_changed.emit(False)
        return entry

    @Slot(int, object, object)
    def _done(self, job_id: int, result: Any, changes: Changes) -> None:
        entry = self._finish(job_id)
        if entry is None:
            return
        try:
            if entry.on_done is not None:
                entry.on_done(Written(result, changes) if entry.job.write else result)
        finally:
            self._announce(changes)

    @Slot(int, object, object)
    def _error(self, job_id: int, exc: BaseException, changes: Changes) -> None:
        entry = self._finish(job_id)
        if entry is None:
            return
        try:
            (entry.on_error or self.refused.emit)(exc)
        finally:
            self._announce(changes)

    def _announce(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)

    @Slot(int, int, int)
    def _progress(self, job_id: int, done: int, total: int) -> None:
        entry = self._pending.get(job_id)
        if entry is not None and entry.on_progress is not None:
            entry.on_progress(done, total)

    def shutdown(self) -> None:
        """Stop taking work: cancel what is queued and drop its callbacks (the window is gone), close the
        connection in its own thread, and join the thread."""
        for entry in self._pending.values():
            entry.job.cancel()
        self._pending.clear()
        self._close.emit()
        self._thread.quit()
        self._thread.wait(30_000)
