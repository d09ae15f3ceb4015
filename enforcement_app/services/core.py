"""The open database the services act on, and an officer acting on it.

:class:`~.api.Services` and :class:`~.api.Session` are these two with the public actions added. The modules
that carry out the actions (officers, cases, casefiles, configuration, bundles, inbox, devices, backup) need
only what is here, so imports run one way: ``api`` → the actions → ``core`` → the reference cache, the case
states, the store and the domain.

Threading: a services object owns one SQLite connection and must be used from the thread that created it.
The GUI gives its worker thread its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Self

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from ..domain import signoff
from ..domain.agency import Agency
from ..domain.calendar import WorkCalendar
from ..domain.case import CaseState
from ..domain.deadlines import rules_on
from ..domain.discretion import BenchmarkLibrary, BenchmarkSet
from ..domain.officers import Officer, Role
from ..domain.parties import Party
from ..domain.permissions import Permissions
from ..domain.policy import AgencyPolicy, Statute
from ..domain.power_list import PowerList
from ..domain.procedure import Context, signed_kinds, title_of
from ..domain.record import Event, RecordedEvent
from ..domain.refusals import NotFound, PermissionDenied, Refusal
from ..domain.versioning import Versioned
from ..store import cases as case_store
from ..store import events as event_store
from ..store import marks, seals
from ..store.cases import CaseRow
from ..store.database import (
    agreement_key_name,
    data_version,
    device_key_name,
    evidence_dir,
    meta,
    open_database,
    set_meta,
    write_transaction,
)
from ..store.evidence import EvidenceStore
from ..store.integrity import VerifyReport, verify_database
from ..store.keystore import KeystoreLocked, default_keystore
from . import rebuild, states
from .changes import ChangeLog, Changes
from .clock import china_now
from .projections import CASE_PROJECTION_VERSION, case_row
from .reference import Reference
from .witnessing import receipt_problems

SYSTEM_ACTOR = Officer(id="system", name="系统", login="system", roles=frozenset(Role), legal_qualification=False)


class ServicesCore:
    """Owns the database connection, the evidence store, the clock, the caches and the change log."""

    def __init__(self, db_path: str | Path, *, clock: Callable[[], datetime] | None = None):
        self.path = Path(db_path)
        self.keystore = default_keystore()
        self.db = open_database(self.path, keystore=self.keystore)
        self._signing_key: Ed25519PrivateKey | None = None
        self._sealed_upto = 0
        self._marks: marks.MarkKeeper | None = None  # made at the first seal (see .marks)
        self._sealed: marks.Mark | None = None  # the seal of the transaction under way, until it commits
        self.evidence = EvidenceStore(evidence_dir(self.path))
        # what a killed import or evidence copy left half done is settled before anything else is done
        self.evidence.recover(lambda shas: case_store.referenced_evidence(self.db, shas))
        self.device_id = meta(self.db, "device_id")
        self.clock: Callable[[], datetime] = clock or china_now
        self.permissions = Permissions.default()
        self.reference = Reference(self.db, self.device_id)
        self.states = states.CaseStates(self.db)
        self.changes = ChangeLog()
        self._data_version = data_version(self.db)
        if meta(self.db, "case_projection", "") != CASE_PROJECTION_VERSION and self.device_anchor() is not None:
            self.reproject_cases()  # (a database whose device key is elsewhere is only read here: left as it is)

    def close(self) -> None:
        self.write_mark()
        self.db.close()

    def write_mark(self) -> None:
        """Write this device's mark of the last seal this program committed, if not written yet (see
        :mod:`..store.marks`: otherwise it is written within a few seconds)."""
        if self._marks is not None:
            self._marks.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, begun as a writer (a savepoint inside another). Once it holds the write lock,
        what another program committed since this one last looked drops the caches, so the rules are judged
        on the officers, certificates and policy as they are now. Should it roll back, what the caches took
        in during it is forgotten with it."""
        outer = not self.db.conn.in_transaction
        try:
            with write_transaction(self.db, before_commit=self._seal if outer else None):
                if outer:
                    self.refresh()
                    self._sealed_upto = seals.last_seq(self.db)
                    self._sealed = None
                yield
        except BaseException:
            self.reference.invalidate_all()
            self.states.forget()
            raise
        if outer and self._sealed is not None:  # committed: only now may the device remember the seal
            sealed, self._sealed = self._sealed, None
            self._marks.committed(sealed)

    def _seal(self) -> None:
        """Sign the end of the chain this transaction extended (see :mod:`..store.seals`), and note the seal for
        the device's mark once the transaction commits."""
        key = self.device_signing_key()
        if self._marks is None:
            self._marks = self._mark_keeper(key)
        elif self._marks.known is not None and not marks.holds(self.db, self._marks.known):
            self._marks.held = True  # the file was replaced by another under this program: its mark stays
        if seals.seal(self.db, key, self.device_id, self._sealed_upto):
            self._sealed = marks.of_last_seal(self.db, self.device_id, self._marks.path)

    def _mark_name(self) -> str:
        return marks.mark_name(device_key_name(self.device_id), self.path)

    def _mark_keeper(self, key: Ed25519PrivateKey) -> marks.MarkKeeper:
        """The keeper of this database's mark. A database that does not hold the mark kept for it (rolled back)
        gets a keeper that never moves it, so that verify keeps saying so."""
        path = marks.database_path(self.path)
        public = key.public_key().public_bytes_raw().hex()
        try:
            kept = marks.read(self.keystore, self._mark_name(), public, self.device_id, path)
        except marks.Damaged:
            kept = None  # verify reports it until this program writes a sound one
        held = kept is not None and not marks.holds(self.db, kept)
        return marks.MarkKeeper(self.keystore, self._mark_name(), key, path, known=kept, held=held)

    def remember_at(self, target: Path) -> None:
        """Make this database's last seal the one the device remembers for the file ``target`` (a restore is
        about to put this database there), replacing what it remembered of a database lost there. Nothing
        when the device key is not in this keystore (the restored database cannot be written here either)."""
        if self.device_anchor() is None:
            return
        path = marks.database_path(target)
        mark = marks.of_last_seal(self.db, self.device_id, path) or marks.Mark(self.device_id, path, 0, "", 0, "")
        marks.remember(self.keystore, marks.mark_name(device_key_name(self.device_id), target), self.device_signing_key(), mark)

    def recall_mark(self) -> marks.Recall:
        """What this device remembers of this database's last seal, for verify (see :mod:`..store.marks`)."""
        anchor = self.device_anchor()
        if anchor is None:
            return marks.Recall(note="本机钥匙串中没有此数据库的设备密钥，也就没有它的最新签封记录：不能判断它是否被换成了较早的副本")
        path = marks.database_path(self.path)
        try:
            mark = marks.read(self.keystore, self._mark_name(), anchor, self.device_id, path)
        except marks.Damaged as exc:
            return marks.Recall(damaged=str(exc))
        failure = self._marks.failure if self._marks is not None else ""
        if failure:
            note = f"本机未能记下此数据库的最新签封（{failure}）：比较的是此前记下的一次"
            return marks.Recall(mark=mark, note=note) if mark else marks.Recall(note=note)
        if mark is None:
            return marks.Recall(note=f"本机尚未记下此数据库（{path}）的最新签封：不能判断它是否被换成了较早的副本；"
                                     "在此位置第一次记录后即记下")
        return marks.Recall(mark=mark)

    def reproject_cases(self) -> int:
        """Rewrite every case's row from its events (after an upgrade changed what a row holds); returns how
        many. One transaction, records no event."""
        streams = case_store.case_streams(self.db)
        with self.transaction():
            rows = []
            for case_id in streams:
                state = states.case_state(self.db, case_id)[0]
                try:
                    party = self.reference.party(state.party_id) if state.party_id else None
                except NotFound:
                    party = None  # verify reports the case's missing party
                rows.append(case_row(state, self.context(SYSTEM_ACTOR, party=party), self.clock().isoformat()))
                if len(rows) >= 1000:
                    case_store.write_case_rows(self.db, rows)
                    rows.clear()
            case_store.write_case_rows(self.db, rows)
            set_meta(self.db, "case_projection", CASE_PROJECTION_VERSION)
        self.states.forget()
        return len(streams)

    def refresh(self) -> None:
        """Drop the cached reference data and case states if another connection has committed since."""
        version = data_version(self.db)
        if version != self._data_version:
            self._data_version = version
            self.reference.invalidate_all()
            self.states.forget()

    def device_signing_key(self) -> Ed25519PrivateKey:
        """This device's Ed25519 key (bundles, seals), from the keystore. The one way to reach the device's
        private keys."""
        if self._signing_key is None:
            raw = self.keystore.get(device_key_name(self.device_id))
            if raw is None:
                raise KeystoreLocked(f"{self.keystore.where}中没有本数据库的设备密钥（设备 {self.device_id[:8]}）："
                                     "此数据库可以查看和校验，但不能在本机记录")
            key = Ed25519PrivateKey.from_private_bytes(raw)
            if key.public_key().public_bytes_raw().hex() != meta(self.db, "device_public_key"):
                raise KeystoreLocked("本机的设备密钥与数据库登记的设备公钥不符：数据库可能被替换或篡改")
            self._signing_key = key
        return self._signing_key

    def device_agreement_key(self) -> X25519PrivateKey:
        """This device's X25519 key, from the keystore: bundles sent to this device are encrypted to its public half."""
        raw = self.keystore.get(agreement_key_name(device_key_name(self.device_id)))
        if raw is None:
            raise KeystoreLocked(f"{self.keystore.where}中没有本数据库的设备密钥（设备 {self.device_id[:8]}）：不能打开发给本机的案件包")
        return X25519PrivateKey.from_private_bytes(raw)

    def note(self, changes: Changes) -> None:
        """Note what a write changed: in the change log, and by dropping the cached reference tables it touched."""
        self.changes.note(changes)
        if changes.tables:
            self.reference.invalidate(*changes.tables)

    # --- reference data (cached: see .reference) ------------------------------------------------------------

    def officers(self) -> dict[str, Officer]:
        return self.reference.officers()

    def officer_by_login(self, login: str) -> Officer | None:
        return self.reference.officer_by_login(login)

    def agency(self) -> Agency | None:
        return self.reference.agency()

    def party(self, party_id: str) -> Party:
        return self.reference.party(party_id)

    def policy_versions(self) -> list[Versioned[AgencyPolicy]]:
        return self.reference.policy_versions()

    def policy_on(self, day: date) -> AgencyPolicy:
        return self.reference.policy_on(day)

    def benchmarks(self) -> BenchmarkLibrary:
        """The discretion benchmark sets in use: those shipped with the app plus the agency's imports."""
        return self.reference.benchmarks()

    def power_list_versions(self) -> tuple[Versioned[PowerList], ...]:
        """The agency's power list: the shipped versions, then those imported here."""
        return self.reference.power_list_versions()

    def benchmark_set(self, set_id: str, version: str | None = None) -> BenchmarkSet:
        """One set by id (the latest-starting version unless ``version`` is given)."""
        return self.reference.benchmark_set(set_id, version)

    def calendar(self) -> WorkCalendar:
        return self.reference.calendar()

    def today(self) -> date:
        return self.clock().date()

    def context(self, actor: Officer, *, party: Party | None = None, today: date | None = None) -> Context:
        self.refresh()
        today = today or self.today()
        reference = self.reference
        return Context(
            actor=actor,
            today=today,
            officers=reference.officers(),
            policy=reference.policy_on(today),
            statute=Statute(today),
            calendar=reference.calendar(),
            deadline_rules=rules_on(today),
            permissions=self.permissions,
            agency=reference.agency(),
            party=party,
            benchmarks=reference.benchmarks(),
            power_lists=reference.power_list_versions(),
        )

    # --- cases -------------------------------------------------------------------------------------------

    def case_state(self, case_id: str) -> tuple[CaseState, list[RecordedEvent]]:
        """The case folded from its events in causal order (the same order on every device), and the events."""
        return states.case_state(self.db, case_id)

    @staticmethod
    def fold_events(case_id: str, events: Sequence[RecordedEvent]) -> CaseState:
        """``events``: RecordedEvents, or anything with their attributes (a bundle's WireEvents)."""
        return states.fold_events(case_id, events)

    def working_state(self, case_id: str) -> CaseState:
        """The case's state for recording the next step: cached while its stream heads are unchanged.
        The caller applies the new step to it and hands it back with :meth:`keep_state`."""
        return self.states.working(case_id)

    def current_state(self, case_id: str) -> CaseState:
        """The case's state for reading; cached while its stream heads are unchanged. Do not modify it."""
        return self.states.current(case_id)

    def keep_state(self, case_id: str, state: CaseState) -> None:
        self.states.keep(case_id, state)

    def forget_states(self) -> None:
        """Drop every cached case state (after a bundle has rewritten cases, or a rolled-back transaction)."""
        self.states.forget()

    def resolve_case(self, ref: str) -> str:
        """A case id, an unambiguous id prefix, or an official case number."""
        case_id = case_store.resolve_case(self.db, ref)
        if case_id is None:
            raise NotFound(f"没有该案件：{ref}")
        return case_id

    def verify(self, case_id: str | None = None, progress: Callable[[int], None] | None = None, *, deep: bool = False) -> VerifyReport:
        """``progress(events_done)`` is called every 100,000 events; it may raise to stop the check. ``deep``
        refolds every case even when the case table matches its seal (see :mod:`.rebuild`)."""
        self.write_mark()
        recall = self.recall_mark()  # before verify's snapshot begins (see verify_database)
        report = verify_database(self.db, self.evidence, stream=case_id, progress=progress, anchor=self.device_anchor(),
                                 alongside=lambda label: rebuild.projection_problems(self.db, self.device_id, label, deep=deep),
                                 recall=recall)
        if case_id is not None:
            return report
        found = receipt_problems(self)  # the hub's receipts, if this device is in an agency network
        return replace(report, problems=(*report.problems, *found)) if found else report

    def event_count(self) -> int:
        """How many events the record holds (as the last write counted them)."""
        return int(meta(self.db, "event_count", "0") or 0)

    def device_anchor(self) -> str | None:
        """This device's public key as its keystore vouches for it, or None when the key is not kept here."""
        try:
            raw = self.keystore.get(device_key_name(self.device_id))
        except KeystoreLocked:
            return None
        return Ed25519PrivateKey.from_private_bytes(raw).public_key().public_bytes_raw().hex() if raw else None


class SessionCore:
    """An officer acting through the services: the permission check and the recording every action goes through."""

    def __init__(self, services: ServicesCore, actor: Officer, signer: Ed25519PrivateKey | None = None):
        self.services = services
        self._actor = actor
        self._signer = signer  # the officer's personal key, unlocked by the password they logged in with

    @property
    def can_sign(self) -> bool:
        return self._signer is not None

    @property
    def actor(self) -> Officer:
        """The officer as the record says now (roles, certificates, active), not as they were at login: another
        program may have changed them since."""
        if self._actor.id == SYSTEM_ACTOR.id:
            return self._actor
        return self.services.officers().get(self._actor.id, self._actor)

    @property
    def db(self) -> sqlite_utils.Database:
        return self.services.db

    def require(self, action: str) -> None:
        """Raise :class:`PermissionDenied` unless this officer may take ``action``."""
        self.services.permissions.check(self.actor, action)

    def record(self, stream: str, kind: str, payload: Mapping[str, Any]) -> tuple[int, str, datetime]:
        """Append one event to ``stream`` and note what it changed; the caller holds the transaction.
        Returns (seq, hash, time)."""
        services = self.services
        heads = event_store.stream_heads(services.db, stream)
        event = Event(
            stream=stream,
            parents=heads,
            actor=self.actor.id,
            device=services.device_id,
            at=services.clock(),
            kind=kind,
            payload=dict(payload),
        )
        if kind in signed_kinds() and self._actor.id != SYSTEM_ACTOR.id:
            event = replace(event, payload=signoff.sign(self.signer(kind), stream, heads, event.actor, event.device,
                                                        event.at_text, kind, event.payload))
        seq, digest = event_store.append(services.db, event, heads)
        services.note(Changes.of_stream(stream))
        return seq, digest, event.at

    def signer(self, kind: str) -> Ed25519PrivateKey:
        """The key this session signs ``kind`` with; refused when the officer did not log in with a password."""
        if self._signer is None:
            raise PermissionDenied([Refusal("signature_required",
                                            f"“{title_of(kind)}”须由本人签名：请以密码登录（个人签名密钥由密码解锁）后办理")])
        current = [k for k in self.services.reference.signing_keys().get(self._actor.id, ()) if not k.retired_at]
        if current and current[-1].public_key != self._signer.public_key().public_bytes_raw().hex():  # (none yet: this issues it)
            raise PermissionDenied([Refusal("signing_key_retired", "您的个人签名密钥已停用（密码已重置）：请重新登录后办理")])
        return self._signer

    def case_row(self, state: CaseState, ctx: Context) -> CaseRow:
        """The case's row in the case table, as of now."""
        return case_row(state, ctx, self.services.clock().isoformat())
