"""Database, PDF and import work off the GUI thread.

A :class:`ServiceThread` owns one :class:`~enforcement_app.services.Services` (and so one SQLite
connection) inside its own ``QThread``; the window submits jobs — callables that receive the logged-in
:class:`Session` and a :class:`Job` handle — and gets the result or the exception back on the GUI thread
through queued signals. Jobs run one at a time, in order, so writes never race. Long jobs report
progress and check :attr:`Job.cancelled`.

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


@dataclass
class Job:
    id: int
    fn: Callable[[Session, Job], Any]
    _cancel: threading.Event = field(default_factory=threading.Event)
    _progress: Callable[[int, int], None] | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(done, total)


class _Worker(QObject):
    finished = Signal(int, object)
    failed = Signal(int, object)
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
            self.session = self.services.session(login) if password is None else self.services.login(login, password)
            self.opened.emit(self.session.actor)
        except Exception as exc:  # noqa: BLE001 - handed to the GUI to show
            self.opened.emit(exc)

    @Slot(object)
    def run(self, job: Job) -> None:
        if job.cancelled:
            self.failed.emit(job.id, InterruptedError("已取消"))
            return
        job._progress = lambda done, total: self.progressed.emit(job.id, done, total)
        try:
            result = job.fn(self.session, job)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the window
            self.failed.emit(job.id, exc)
        else:
            self.finished.emit(job.id, result)

    @Slot()
    def close(self) -> None:
        if self.services is not None:
            self.services.close()
            self.services = None


class ServiceThread(QObject):
    """The window's handle on the worker thread."""

    _submit = Signal(object)
    _open = Signal(object)
    _close = Signal()
    logged_in = Signal(object)  # Officer, or the exception
    busy_changed = Signal(bool)

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
        self._pending: dict[int, tuple[Job, Callable | None, Callable | None, Callable | None]] = {}
        self._thread.start()

    def login(self, login: str, password: str | None) -> None:
        """Check the password in the worker (scrypt takes a moment); ``None`` skips it (``--user``)."""
        self._open.emit((login, password))

    def submit(self, fn: Callable[[Session, Job], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               on_progress: Callable[[int, int], None] | None = None) -> Job:
        job = Job(next(self._ids), fn)
        self._pending[job.id] = (job, on_done, on_error, on_progress)
        self.busy_changed.emit(True)
        self._submit.emit(job)
        return job

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def _finish(self, job_id: int) -> tuple | None:
        entry = self._pending.pop(job_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        return entry

    @Slot(int, object)
    def _done(self, job_id: int, result: Any) -> None:
        entry = self._finish(job_id)
        if entry and entry[1]:
            entry[1](result)

    @Slot(int, object)
    def _error(self, job_id: int, exc: BaseException) -> None:
        entry = self._finish(job_id)
        if entry and entry[2]:
            entry[2](exc)

    @Slot(int, int, int)
    def _progress(self, job_id: int, done: int, total: int) -> None:
        entry = self._pending.get(job_id)
        if entry and entry[3]:
            entry[3](done, total)

    def shutdown(self) -> None:
        """Stop taking work, close the connection in its own thread, and join the thread."""
        for job, *_ in self._pending.values():
            job.cancel()
        self._close.emit()
        self._thread.quit()
        self._thread.wait(30_000)
