"""Services: open a database, act as a user, record every change as an event.

Threading: a :class:`Services` object owns one SQLite connection and must be used from the thread that
created it. The GUI gives its worker thread its own ``Services``.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..domain.agency import Agency
from ..domain.calendar import WorkCalendar, parse_year_schedule
from ..domain.case import STAGE_ZH, CaseState, Stage, Step, step_day
from ..domain.deadlines import Deadline, rules_on
from ..domain.discretion import (
    BenchmarkLibrary,
    BenchmarkSet,
    dump_benchmark_set,
    parse_benchmark_set,
    shipped_library,
)
from ..domain.discretion.library import load_benchmark_file, write_benchmark_file
from ..domain.evaluation import Sheet, apply_scores, pre_score, standard_on
from ..domain.money import parse_yuan
from ..domain.officers import (
    Certificate,
    CertificateStatus,
    Officer,
    Role,
    build_officer,
    officer_record,
    officer_update,
)
from ..domain.parties import Party, build_party
from ..domain.penalties import PartyKind
from ..domain.permissions import Permissions
from ..domain.policy import AgencyPolicy, Statute, default_policy_versions, parse_policy_versions
from ..domain.procedure import Context, NextAction, apply, deadlines_of, fold, next_actions, prepare
from ..domain.record import Event, RecordedEvent, canonical_json, causal_order
from ..domain.refusals import InvalidInput, NotFound, PermissionDenied, Refusal, RuleViolation
from ..domain.review import major_reasons
from ..domain.versioning import Versioned, version_in_force
from ..store import events as event_store
from ..store.database import evidence_dir, meta, open_database
from ..store.evidence import EvidenceStore
from ..store.integrity import VerifyReport, verify_database
from . import auth, bundles
from .changes import ChangeLog, Changes
from .inbox import InboxItem, inbox
from .projections import (
    project_agency,
    project_benchmark_set,
    project_calendar,
    project_officer,
    project_party,
    project_policy,
    write_case_rows,
)

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
SYSTEM_ACTOR = Officer(id="system", name="系统", login="system", roles=frozenset(Role), legal_qualification=False)


def china_now() -> datetime:
    """The services' default clock: the moment in China's time zone."""
    return datetime.now(CHINA)


def new_id() -> str:
    """Globally unique, roughly time-ordered ids, so laptops can merge without renumbering."""
    return f"{int(datetime.now(UTC).timestamp() * 1000):012x}{uuid.uuid4().hex[:20]}"


@dataclass(frozen=True)
class CaseView:
    """Everything the client and ``show`` display about one case, as of ``today``."""

    state: CaseState
    deadlines: list[Deadline]
    actions: list[NextAction]
    major: list[str]
    events: list[RecordedEvent]
    heads: tuple[str, ...]
    today: date

    def as_dict(self) -> dict[str, Any]:
        s = self.state
        blocked = [a for a in self.actions if not a.allowed]
        return {
            "id": s.id,
            "case_no": s.case_no,
            "title": s.title,
            "procedure": s.procedure.value,
            "stage": s.stage.value,
            "stage_name": STAGE_ZH[s.stage],
            "outcome": s.outcome.value if s.outcome else None,
            "cause": s.cause,
            "party": {"id": s.party_id, "name": s.party_name, "kind": s.party_kind},
            "handlers": list(s.handlers),
            "received_on": _iso(s.lead_received_on),
            "filed_on": _iso(s.filed_on),
            "decided_on": _iso(s.decided_on),
            "closed_on": _iso(s.closed_on),
            "major_decision": self.major,
            "proposal": None if s.proposal is None else {
                "outcome": s.proposal.outcome, "penalty_kinds": list(s.proposal.penalty_kinds),
                "fine_fen": s.proposal.fine_fen, "confiscation_fen": s.proposal.confiscation_fen,
                "benchmark_deviation": s.proposal.benchmark_deviation,
            },
            "benchmark": s.benchmark,
            "legal_review": (s.review or {}).get("outcome"),
            "deadlines": [d.as_dict(self.today) for d in self.deadlines],
            "allowed_actions": [{"action": a.kind, "title": a.title, "permitted": a.permitted} for a in self.actions if a.allowed],
            "blocked_actions": [
                {"action": a.kind, "title": a.title, "reasons": [r.as_dict() for r in a.reasons]} for a in blocked
            ],
            "events": [
                {"seq": e.seq, "hash": e.hash, "kind": e.kind, "actor": e.actor, "at": e.at.isoformat(), "parents": list(e.parents)}
                for e in self.events
            ],
            "heads": list(self.heads),
            "fork": len(self.heads) > 1,
        }


@dataclass(frozen=True)
class CaseFileData:
    """Everything the case-file PDF is made of, read in one go (the PDF layer touches no database)."""

    state: CaseState
    events: list[RecordedEvent]
    heads: tuple[str, ...]
    officers: Mapping[str, Officer]
    party: Party | None
    agency: Agency | None
    evidence_files: Mapping[str, Path]  # sha256 -> file in the evidence store
    evaluation: Sheet | None  # the stored evaluation sheet, if the file has been evaluated
    actor_names: Mapping[str, str]


def apply_officer_update(db, record: Mapping[str, Any]) -> None:
    """The tables after an ``update_officer`` event (recorded here or received in a bundle)."""
    officer_id = record["id"]
    if "roles" in record:
        db.execute("UPDATE officer SET roles = ? WHERE id = ?", [json.dumps(record["roles"]), officer_id])
    for key in ("legal_qualification", "active"):
        if key in record:
            db.execute(f"UPDATE officer SET {key} = ? WHERE id = ?", [int(bool(record[key])), officer_id])
    if record.get("add_certificate"):
        db.execute("INSERT OR IGNORE INTO certificate (certificate_no, officer_id, area, valid_from, valid_to, status, source_of_power) "
                   "VALUES (?,?,?,?,?,?,?)", [record["add_certificate"]["certificate_no"], officer_id, record["add_certificate"]["area"],
                                              record["add_certificate"]["valid_from"], record["add_certificate"]["valid_to"],
                                              record["add_certificate"]["status"], record["add_certificate"].get("source_of_power", "")])
    if record.get("certificate_status"):
        change = record["certificate_status"]
        db.execute("UPDATE certificate SET status = ?, status_from = ? WHERE certificate_no = ? AND officer_id = ?",
                   [change["status"], change.get("on", "") if change["status"] != "valid" else "", change["certificate_no"], officer_id])


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


class Services:
    """Owns the database connection, the evidence store and the clock."""

    def __init__(self, db_path: str | Path, *, clock: Callable[[], datetime] | None = None):
        self.path = Path(db_path)
        self.db = open_database(self.path)
        self.evidence = EvidenceStore(evidence_dir(self.path))
        self.device_id = meta(self.db, "device_id")
        self.clock: Callable[[], datetime] = clock or china_now
        self.permissions = Permissions.default()
        # Reference data read on every action, cached per connection and dropped when it changes here.
        # Another process writing the same file only adds cases and events, which are never cached stale:
        # a case's cached state is used only while the stream heads in the database still match it.
        self._officers: dict[str, Officer] | None = None
        self._calendar: WorkCalendar | None = None
        self._policies: list[Versioned[AgencyPolicy]] | None = None
        self._benchmarks: BenchmarkLibrary | None = None
        self._agency: tuple[Agency | None] | None = None
        self._parties: dict[str, Party] = {}
        self._states: dict[str, tuple[tuple[str, ...], CaseState]] = {}
        self.changes = ChangeLog()

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- identity --------------------------------------------------------------------------------------

    def session(self, login: str) -> Session:
        officer = self.officer_by_login(login)
        if officer is None or not officer.active:
            raise NotFound(f"没有该用户或用户已停用：{login}")
        return Session(self, officer)

    def system_session(self) -> Session:
        return Session(self, SYSTEM_ACTOR)

    def login(self, login: str, password: str) -> Session:
        row = self.db.execute("SELECT password_hash FROM officer WHERE login = ? AND active = 1", [login]).fetchone()
        if row is None or not auth.check_password(password, row[0]):
            raise PermissionDenied([Refusal("login_failed", "用户名或密码错误")])
        return self.session(login)

    def officers(self) -> dict[str, Officer]:
        if self._officers is None:
            certs: dict[str, list[Certificate]] = {}
            for no, officer_id, area, start, end, status, source, status_from in self.db.execute(
                "SELECT certificate_no, officer_id, area, valid_from, valid_to, status, source_of_power, status_from FROM certificate"
            ):
                certs.setdefault(officer_id, []).append(
                    Certificate(no, area, date.fromisoformat(start), date.fromisoformat(end), CertificateStatus(status), source,
                                date.fromisoformat(status_from) if status_from else None)
                )
            self._officers = {
                row[0]: Officer(
                    id=row[0],
                    name=row[1],
                    login=row[2],
                    unit=row[3],
                    roles=frozenset(Role(r) for r in json.loads(row[4])),
                    legal_qualification=bool(row[5]),
                    active=bool(row[6]),
                    certificates=tuple(sorted(certs.get(row[0], []), key=lambda c: c.valid_from)),
                )
                for row in self.db.execute("SELECT id, name, login, unit, roles, legal_qualification, active FROM officer")
            }
        return self._officers

    def officer_by_login(self, login: str) -> Officer | None:
        return next((o for o in self.officers().values() if o.login == login), None)

    # --- reference data --------------------------------------------------------------------------------

    def agency(self) -> Agency | None:
        if self._agency is None:
            row = self.db.execute(
                "SELECT id, name, seal_name, area, case_no_prefix, reconsideration_body, litigation_court FROM agency LIMIT 1"
            ).fetchone()
            self._agency = (Agency(*row) if row else None,)
        return self._agency[0]

    def party(self, party_id: str) -> Party:
        if party_id not in self._parties:
            self._parties[party_id] = self._load_party(party_id)
        return self._parties[party_id]

    def _load_party(self, party_id: str) -> Party:
        row = self.db.execute(
            "SELECT id, kind, name, id_number, uscc, legal_representative, address, phone FROM party WHERE id = ?", [party_id]
        ).fetchone()
        if row is None:
            raise NotFound(f"没有该当事人：{party_id}")
        return Party(row[0], PartyKind(row[1]), *row[2:])

    def policy_versions(self) -> list[Versioned[AgencyPolicy]]:
        if self._policies is None:
            self._policies = self._load_policy_versions()
        return self._policies

    def _load_policy_versions(self) -> list[Versioned[AgencyPolicy]]:
        stored = [
            {"version": v, "effective_from": f, "effective_to": t, **json.loads(body)}
            for v, f, t, body in self.db.execute("SELECT version, effective_from, effective_to, body FROM policy_version")
        ]
        versions = default_policy_versions()
        if stored:
            versions += parse_policy_versions({"format": "agency-policy/1", "versions": stored}, "database")
        return versions

    def policy_on(self, day: date) -> AgencyPolicy:
        return version_in_force(self.policy_versions(), day).value

    def benchmarks(self) -> BenchmarkLibrary:
        """The discretion benchmark sets in use: those shipped with the app plus the agency's imports."""
        if self._benchmarks is None:
            library = shipped_library()
            rows = self.db.execute("SELECT id, version, document FROM benchmark_set ORDER BY imported_at, id").fetchall()
            self._benchmarks = library.with_sets(
                parse_benchmark_set(json.loads(document), f"数据库中的裁量基准 {set_id}（{version}）", library.catalogue)
                for set_id, version, document in rows
            )
        return self._benchmarks

    def benchmark_set(self, set_id: str, version: str | None = None) -> BenchmarkSet:
        """One set by id (the latest-starting version unless ``version`` is given)."""
        found = [s for s in self.benchmarks().sets if s.id == set_id and (version is None or s.version == version)]
        if not found:
            raise NotFound(f"没有裁量基准 {set_id}" + (f"（版本 {version}）" if version else ""))
        return max(found, key=lambda s: s.effective_from)

    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            extra = [
                parse_year_schedule(year, json.loads(body), source)
                for year, body, source in self.db.execute("SELECT year, body, source FROM calendar_year")
            ]
            self._calendar = WorkCalendar.default(extra)
        return self._calendar

    def today(self) -> date:
        return self.clock().date()

    def context(self, actor: Officer, *, party: Party | None = None, today: date | None = None) -> Context:
        today = today or self.today()
        return Context(
            actor=actor,
            today=today,
            officers=self.officers(),
            policy=self.policy_on(today),
            statute=Statute(today),
            calendar=self.calendar(),
            deadline_rules=rules_on(today),
            permissions=self.permissions,
            agency=self.agency(),
            party=party,
            benchmarks=self.benchmarks(),
        )

    # --- cases -----------------------------------------------------------------------------------------

    def case_state(self, case_id: str) -> tuple[CaseState, list[RecordedEvent]]:
        """The case folded from its events in causal order (the same order on every device), and the events."""
        events = causal_order(event_store.events_of(self.db, case_id))
        if not events:
            raise NotFound(f"没有该案件：{case_id}")
        return fold(case_id, (_step(e, n) for n, e in enumerate(events, 1))), events

    @staticmethod
    def fold_events(case_id: str, events: Sequence[RecordedEvent]) -> CaseState:
        """``events``: RecordedEvents, or anything with their attributes (a bundle's WireEvents)."""
        return fold(case_id, (_step(e, n) for n, e in enumerate(causal_order(events), 1)))

    def working_state(self, case_id: str) -> CaseState:
        """The case's state for recording the next step: cached while its stream heads are unchanged.
        The caller applies the new step to it and hands it back with :meth:`keep_state`."""
        heads = event_store.stream_heads(self.db, case_id)
        cached = self._states.pop(case_id, None)
        if cached is not None and cached[0] == heads:
            return cached[1]
        return self.case_state(case_id)[0]

    def current_state(self, case_id: str) -> CaseState:
        """The case's state for reading; cached while its stream heads are unchanged. Do not modify it."""
        heads = event_store.stream_heads(self.db, case_id)
        cached = self._states.get(case_id)
        if cached is not None and cached[0] == heads:
            return cached[1]
        state = self.case_state(case_id)[0]
        self._states[case_id] = (heads, state)
        return state

    def keep_state(self, case_id: str, state: CaseState) -> None:
        self._states[case_id] = (event_store.stream_heads(self.db, case_id), state)

    def resolve_case(self, ref: str) -> str:
        """A case id, an unambiguous id prefix, or an official case number."""
        row = self.db.execute('SELECT id FROM "case" WHERE id = ? OR case_no = ?', [ref, ref]).fetchone()
        if row:
            return row[0]
        rows = self.db.execute('SELECT id FROM "case" WHERE id LIKE ? LIMIT 2', [ref + "%"]).fetchall() if len(ref) >= 6 else []
        if len(rows) == 1:
            return rows[0][0]
        raise NotFound(f"没有该案件：{ref}")

    def verify(self, case_id: str | None = None, progress: Callable[[int], None] | None = None) -> VerifyReport:
        """``progress(events_done)`` is called every 100,000 events; it may raise to stop the check."""
        return verify_database(self.db, self.evidence, stream=case_id, progress=progress)


def _step(e: RecordedEvent, position: int) -> Step:
    """A step numbered by its position in the case's causal order (not the local arrival number)."""
    return Step(position, e.hash, e.kind, e.actor, e.at, step_day(e.payload, e.at), e.payload)


_SEARCH_KEYS = ("facts", "findings", "summary", "content", "reason", "opinion", "description", "cause", "conclusion", "transcript")


def _search_text(state: CaseState) -> str:
    """What the case list searches: the title, number, party and cause first (a one- or two-character
    search scans only this column), then the text of the records."""
    parts: list[str] = [p for p in (state.title, state.case_no, state.party_name, state.cause) if p]
    append = parts.append
    for step in state.steps:  # every step of every case rebuilt: kept to plain lookups
        get = step.payload.get
        for key in _SEARCH_KEYS:
            value = get(key)
            if value and type(value) is str:
                append(value)
        for qa in get("qa") or ():
            append(f"{qa.get('q', '')} {qa.get('a', '')}")
    text = " ".join(dict.fromkeys(parts))
    return text[:20000]


class Session:
    """A user acting through the services. Every write method records exactly one event."""

    def __init__(self, services: Services, actor: Officer):
        self.services = services
        self.actor = actor

    @property
    def db(self):
        return self.services.db

    # --- recording -------------------------------------------------------------------------------------

    def _record(self, stream: str, kind: str, payload: Mapping[str, Any]) -> tuple[int, str, datetime]:
        """Append one event to ``stream``; the caller holds the transaction. Returns (seq, hash, time)."""
        heads = event_store.stream_heads(self.db, stream)
        event = Event(
            stream=stream,
            parents=heads,
            actor=self.actor.id,
            device=self.services.device_id,
            at=self.services.clock(),
            kind=kind,
            payload=dict(payload),
        )
        seq, digest = event_store.append(self.db, event, heads)
        self.services.changes.note(Changes.of_stream(stream))
        return seq, digest, event.at

    def _require(self, action: str) -> None:
        self.services.permissions.check(self.actor, action)

    # --- reference data --------------------------------------------------------------------------------

    def set_agency(self, data: Mapping[str, Any]) -> Agency:
        self._require("set_agency")
        existing = self.services.agency()
        fields = ("name", "seal_name", "area", "case_no_prefix", "reconsideration_body", "litigation_court")
        values = {k: str(data.get(k, getattr(existing, k, "") if existing else "")).strip() for k in fields}
        missing = [k for k in ("name", "seal_name", "area", "case_no_prefix") if not values[k]]
        if missing:
            raise InvalidInput([Refusal("invalid_input", f"执法主体信息不完整：{k}", field=k) for k in missing])
        agency = Agency(id=existing.id if existing else new_id(), **values)
        with self.db.atomic():
            self._record(f"agency/{agency.id}", "set_agency", agency.__dict__)
            project_agency(self.db, agency.__dict__)
        self.services._agency = None
        return agency

    def register_officer(self, data: Mapping[str, Any]) -> Officer:
        self._require("register_officer")
        password, password_hash, problems = data.get("password"), "", []
        if password:
            try:
                password_hash = auth.hash_password(str(password))
            except ValueError as exc:
                problems.append(Refusal("invalid_input", str(exc), field="password"))
        officer = build_officer(str(data.get("id") or new_id()), data,
                                login_taken=lambda login: self.services.officer_by_login(login) is not None, more=problems)
        record = officer_record(officer)
        with self.db.atomic():
            self._record(f"officer/{officer.id}", "register_officer", record)
            project_officer(self.db, record, password_hash)
        self.services._officers = None
        return self.services.officers()[officer.id]

    def update_officer(self, officer_id: str, changes: Mapping[str, Any]) -> Officer:
        """Change an officer's roles, legal qualification or active flag, add a certificate, or change a
        certificate's status (suspended, revoked). Recorded as an event on the officer's stream."""
        self._require("update_officer")
        officer = self.services.officers().get(officer_id)
        if officer is None:
            raise NotFound(f"没有该人员：{officer_id}")
        record = officer_update(officer, changes, by=self.actor.id, today=self.services.today(),
                                certificate_registered=lambda no: bool(self.db.execute(
                                    "SELECT 1 FROM certificate WHERE certificate_no = ?", [no]).fetchone()))
        with self.db.atomic():
            self._record(f"officer/{officer_id}", "update_officer", record)
            apply_officer_update(self.db, record)
        self.services._officers = None
        return self.services.officers()[officer_id]

    def register_party(self, data: Mapping[str, Any]) -> Party:
        self._require("register_party")
        party = build_party(str(data.get("id") or new_id()), data)
        with self.db.atomic():
            self._record(f"party/{party.id}", "register_party", party.as_dict())
            project_party(self.db, party.as_dict())
        return party

    def set_policy(self, version: Mapping[str, Any]) -> None:
        """Record a new version of the agency policy (thresholds, catalogue, time limits)."""
        self._require("set_policy")
        parse_policy_versions({"format": "agency-policy/1", "versions": [dict(version)]}, "policy")
        with self.db.atomic():
            self._record("config/policy", "set_policy", dict(version))
            project_policy(self.db, version)
        self.services._policies = None

    def import_benchmarks(self, path: str | Path) -> dict[str, Any]:
        """Import a benchmark set file. The whole file is validated first (errors name file, entry and
        field) and nothing is stored unless all of it holds. Importing the same set again changes
        nothing; a different document under an existing id and version is refused, not overwritten."""
        self._require("import_benchmarks")
        library = self.services.benchmarks()
        benchmark = load_benchmark_file(Path(path), library.catalogue)
        document = canonical_json(dump_benchmark_set(benchmark))
        digest = hashlib.sha256(document).hexdigest()
        summary = {"id": benchmark.id, "version": benchmark.version, "title": benchmark.title,
                   "entries": len(benchmark.entries), "sha256": digest}
        for present in library.sets:
            if (present.id, present.version) == (benchmark.id, benchmark.version):
                if canonical_json(dump_benchmark_set(present)) == document:
                    return {**summary, "status": "unchanged"}
                raise InvalidInput.at(
                    "version",
                    f"裁量基准 {benchmark.id} 版本 {benchmark.version} 已存在且内容不同，未覆盖；修订后的基准请以新版本号导入",
                )
        payload = {**summary, "source": Path(path).name, "document": json.loads(document)}
        with self.db.atomic():
            self._record("config/benchmarks", "import_benchmark_set", payload)
            project_benchmark_set(self.db, payload, self.services.clock().isoformat(), self.actor.id)
        self.services._benchmarks = None
        return {**summary, "status": "imported"}

    def export_benchmarks(self, set_id: str, path: str | Path, version: str | None = None) -> BenchmarkSet:
        """Write a set (shipped or imported) back to a file in the canonical format."""
        self._require("view_cases")
        benchmark = self.services.benchmark_set(set_id, version)
        write_benchmark_file(benchmark, Path(path))
        return benchmark

    def import_calendar(self, year: int, data: Mapping[str, Any], source: str = "") -> None:
        self._require("import_calendar")
        schedule = parse_year_schedule(year, data, source)
        body = {"holidays": sorted(d.isoformat() for d in schedule.holidays), "workdays": sorted(d.isoformat() for d in schedule.workdays)}
        payload = {"year": schedule.year, **body, "source": source}
        with self.db.atomic():
            self._record("config/calendar", "import_calendar", payload)
            project_calendar(self.db, payload)
        self.services._calendar = None

    # --- cases -----------------------------------------------------------------------------------------

    def open_case(self, payload: Mapping[str, Any]) -> str:
        """Register a lead (案源登记): the start of a general-procedure case."""
        return self._create_case("register_lead", payload)

    def record_simple_decision(self, payload: Mapping[str, Any]) -> str:
        """An on-the-spot decision under the simple procedure (Art. 51–52), numbered at once."""
        return self._create_case("record_simple_decision", payload)

    def _create_case(self, kind: str, payload: Mapping[str, Any]) -> str:
        party = self.services.party(str(payload.get("party_id", ""))) if payload.get("party_id") else None
        ctx = self.services.context(self.actor, party=party)
        case_id = new_id()
        with self.db.atomic():
            data = dict(payload)
            if kind == "record_simple_decision":
                data.update(self._defaults(None, ctx, kind, data))
                data.update(self._allocate_number(case_id, ctx, _day(payload.get("at")) or ctx.today))
            clean = prepare(None, ctx, kind, data)
            _seq, digest, at = self._record(case_id, kind, clean)
            state = fold(case_id, [Step(1, digest, kind, self.actor.id, at, step_day(clean, at), clean)])
            self._project(state, ctx)
        self.services.keep_state(case_id, state)
        return case_id

    def _allocate_number(self, case_id: str, ctx: Context, day: date) -> dict[str, Any]:
        agency = ctx.agency
        if agency is None:
            raise RuleViolation([Refusal("no_agency", "尚未设置执法主体，不能编定案件编号")])
        row = self.db.execute(
            "SELECT COALESCE(MAX(serial), 0) + 1 FROM case_number WHERE agency_id = ? AND year = ?", [agency.id, day.year]
        ).fetchone()
        serial = int(row[0])
        case_no = agency.case_no(day.year, serial)
        self.db["case_number"].insert(
            {"agency_id": agency.id, "year": day.year, "serial": serial, "case_id": case_id, "case_no": case_no}
        )
        return {"case_no": case_no, "year": day.year, "serial": serial}

    def perform(self, case_ref: str, kind: str, payload: Mapping[str, Any] | None = None) -> str:
        """Take one procedural action on a case; returns the hash of the recorded event."""
        case_id = self.services.resolve_case(case_ref)
        with self.db.atomic():
            state = self.services.working_state(case_id)
            party = self.services.party(state.party_id) if state.party_id else None
            ctx = self.services.context(self.actor, party=party)
            data = dict(payload or {})
            data.update(self._defaults(state, ctx, kind, data))
            if kind == "approve_filing":
                # a number is reserved only when everything else about the approval holds
                prepare(state, ctx, kind, {**data, "case_no": "pending"})
                data.update(self._allocate_number(case_id, ctx, _day(data.get("on")) or ctx.today))
            clean = prepare(state, ctx, kind, data)
            _seq, digest, at = self._record(case_id, kind, clean)
            # the new event lists every head as a parent, so it comes last in causal order
            apply(state, Step(len(state.steps) + 1, digest, kind, self.actor.id, at, step_day(clean, at), clean))
            self._project(state, ctx)
        self.services.keep_state(case_id, state)
        return digest

    def _defaults(self, state: CaseState | None, ctx: Context, kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Texts the law fixes, so officers need not type them (Art. 59(4)–(6), Art. 67)."""
        if kind not in ("make_decision", "record_simple_decision") or ctx.agency is None:
            return {}
        statute = ctx.statute
        out: dict[str, Any] = {}
        if not data.get("remedies"):
            out["remedies"] = (
                f"如不服本决定，可以在收到本决定书之日起{statute['reconsideration_days'].value}日内向"
                f"{ctx.agency.reconsideration_body or '本机关的上一级主管部门或者本级人民政府'}申请行政复议，"
                f"或者在{statute['litigation_months'].value}个月内依法向{ctx.agency.litigation_court or '有管辖权的人民法院'}提起行政诉讼。"
            )
        fine = data.get("fine_fen")
        if fine in (None, "") and data.get("fine_yuan") not in (None, ""):
            try:
                fine = parse_yuan(str(data["fine_yuan"]))
            except ValueError:
                fine = 0  # the form reports the bad amount
        if not data.get("compliance") and int(fine or 0) > 0:
            out["compliance"] = "自收到本决定书之日起十五日内，到指定银行或者通过电子支付系统缴纳罚款（行政处罚法第六十七条）。逾期不缴纳的，每日按罚款数额的百分之三加处罚款。"
        elif not data.get("compliance") and list(data.get("penalty_kinds") or []) == ["warning"]:
            out["compliance"] = "警告自本决定书送达之日起生效，无需另行履行。"
        return out

    def _project(self, state: CaseState, ctx: Context) -> None:
        """Rewrite the case's row in the case table from its state (inside the same transaction)."""
        write_case_rows(self.db, [self.case_row(state, ctx)])

    def case_row(self, state: CaseState, ctx: Context) -> tuple:
        """The case's row in the case table, its values in the order of ``projections.CASE_COLUMNS``."""
        deadlines = deadlines_of(state, ctx)
        open_agency = sorted((d for d in deadlines if d.owner == "agency" and d.met_on is None), key=lambda d: d.due)
        officers = ctx.officers
        review = state.review
        return (
            state.id,
            state.agency_id,
            state.case_no,
            state.procedure.value,
            state.stage.value,
            state.outcome.value if state.outcome else "",
            state.title,
            state.cause,
            state.party_id,
            state.party_name,
            ",".join(state.handlers),
            "、".join(officers[h].name for h in state.handlers if h in officers),
            _iso(state.lead_received_on) or _iso(state.filed_on) or "",
            _iso(state.filed_on) or "",
            _iso(state.decided_on) or "",
            _iso(state.closed_on) or "",
            int((state.decision or state.report or {}).get("fine_fen", 0) or 0),
            open_agency[0].due.isoformat() if open_agency and state.open else "",
            open_agency[0].name if open_agency and state.open else "",
            "pending" if state.review_pending else (review or {}).get("outcome", ""),
            int(bool(major_reasons(state, ctx.policy))),
            _search_text(state),
            ",".join(sorted(str(a.get("matter", "")) for a in state.approvals_pending.values())),
            self.services.clock().isoformat(),
        )

    def add_evidence(self, case_ref: str, file_path: str | Path, details: Mapping[str, Any]) -> str:
        """Copy a file into the evidence store and record it on the case; returns its SHA-256."""
        case_id = self.services.resolve_case(case_ref)
        path = Path(file_path)
        sha, size = self.services.evidence.put(path)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with self.db.atomic():
            self.db.execute(
                "INSERT OR IGNORE INTO evidence (sha256, size, media_type, original_name, stored_at) VALUES (?,?,?,?,?)",
                [sha, size, media_type, path.name, self.services.clock().isoformat()],
            )
            self.perform(
                case_id,
                "add_evidence",
                {"collected_at": self.services.clock().isoformat(timespec="minutes"), **details,
                 "sha256": sha, "size": size, "media_type": media_type, "original_name": path.name},
            )
        return sha

    def view(self, case_ref: str) -> CaseView:
        self._require("view_cases")
        case_id = self.services.resolve_case(case_ref)
        state, events = self.services.case_state(case_id)
        party = self.services.party(state.party_id) if state.party_id else None
        ctx = self.services.context(self.actor, party=party)
        return CaseView(
            state=state,
            deadlines=deadlines_of(state, ctx),
            actions=next_actions(state, ctx),
            major=[r.message for r in major_reasons(state, ctx.policy)],
            events=events,
            heads=event_store.stream_heads(self.db, case_id),
            today=ctx.today,
        )

    def list_cases(
        self,
        *,
        stage: str | None = None,
        officer: str | None = None,
        overdue: bool = False,
        query: str | None = None,
        year: int | None = None,
        limit: int | None = None,
        order: str = "received_on DESC, id DESC",
    ) -> list[dict[str, Any]]:
        self._require("view_cases")
        where, args = case_filter(stage=stage, officer=officer, overdue=overdue, query=query, year=year, today=self.services.today())
        sql = f'SELECT id, case_no, title, stage, procedure, outcome, party_name, handler_names, received_on, next_due, next_due_rule, review_status, major, fine_fen FROM "case" WHERE {where} ORDER BY {order}'
        if limit:
            sql += f" LIMIT {int(limit)}"
        columns = ["id", "case_no", "title", "stage", "procedure", "outcome", "party_name", "handler_names", "received_on",
                   "next_due", "next_due_rule", "review_status", "major", "fine_fen"]
        return [dict(zip(columns, row, strict=True)) for row in self.db.execute(sql, args)]

    # --- case files and their evaluation ------------------------------------------------------------------

    def _case_and_context(self, case_ref: str) -> tuple[str, CaseState, Context]:
        case_id = self.services.resolve_case(case_ref)
        state = self.services.current_state(case_id)
        party = self.services.party(state.party_id) if state.party_id else None
        return case_id, state, self.services.context(self.actor, party=party)

    def evaluation_sheet(self, case_ref: str) -> Sheet:
        """The evaluation sheet of a case: every item the record can judge pre-scored with its evidence, and
        the evaluator's scores of the rest as last recorded (none before the first evaluation)."""
        self._require("view_cases")
        case_id, state, ctx = self._case_and_context(case_ref)
        return self._sheet(case_id, state, ctx)

    def _sheet(self, case_id: str, state: CaseState, ctx: Context) -> Sheet:
        standard = standard_on(state.closed_on or ctx.today)
        sheet = pre_score(state, ctx, standard)
        stored = event_store.events_of(self.db, f"evaluation/{case_id}")
        if stored:
            last = stored[-1]
            names = self.services.officers()
            evaluator = names[last.actor].name if last.actor in names else last.actor
            sheet = apply_scores(sheet, last.payload.get("scores", {}), evaluator, last.at.date().isoformat())
        return sheet

    def record_evaluation(self, case_ref: str, scores: Mapping[str, Any]) -> Sheet:
        """Store an evaluator's scores for a closed case file (案卷评查). The case's own record stays
        untouched (archived cases are read-only); the evaluation is a stream of its own."""
        self._require("evaluate_case_file")
        case_id, state, ctx = self._case_and_context(case_ref)
        if state.stage not in (Stage.CLOSED, Stage.ARCHIVED):
            raise RuleViolation([Refusal("not_closed", f"案件尚未结案（{STAGE_ZH[state.stage]}），案卷评查针对已结案件")])
        sheet = apply_scores(pre_score(state, ctx, standard_on(state.closed_on or ctx.today)), scores)
        if not sheet.complete:
            missing = [line.item.id for line in sheet.lines if (line.passed is None if line.item.group == "veto" else line.score is None)]
            raise InvalidInput.at("scores", "以下评查项目尚未评定：" + "、".join(missing))
        with self.db.atomic():
            self._record(f"evaluation/{case_id}", "evaluate_case_file", {
                "case": case_id, "standard": sheet.standard.id, "version": sheet.standard.version,
                "scores": {k: dict(v) if isinstance(v, Mapping) else {"score": v} for k, v in scores.items()},
                "total": sheet.total, "vetoed": sheet.vetoed})
        return self._sheet(case_id, state, ctx)

    def case_file_data(self, case_ref: str) -> CaseFileData:
        self._require("export_case_file")
        case_id, state, ctx = self._case_and_context(case_ref)
        events = event_store.events_of(self.db, case_id)
        evaluated = bool(event_store.stream_heads(self.db, f"evaluation/{case_id}"))
        officers = self.services.officers()
        files = {e["sha256"]: self.services.evidence.path_for(e["sha256"]) for e in state.evidence if e.get("sha256")}
        return CaseFileData(
            state=state,
            events=events,
            heads=event_store.stream_heads(self.db, case_id),
            officers=officers,
            party=ctx.party,
            agency=ctx.agency,
            evidence_files=files,
            evaluation=self._sheet(case_id, state, ctx) if evaluated else None,
            actor_names={**{k: o.name for k, o in officers.items()}, SYSTEM_ACTOR.id: SYSTEM_ACTOR.name},
        )

    def name_device(self, name: str) -> None:
        """Give this database's device a name people recognise (shown to the machines it exchanges with)."""
        self._require("exchange_bundles")
        name = name.strip()
        if not name or len(name) > 60:
            raise InvalidInput.at("name", "设备名称不能为空，且不超过60字")
        with self.db.atomic():
            self._record(f"device/{self.services.device_id}", "name_device", {"name": name})
            self.db.execute("UPDATE meta SET value = ? WHERE key = 'device_name'", [name])

    def export_bundle(self, path: str | Path, *, cases: list[str] | None = None, query: str | None = None,
                      to_device: str | None = None) -> bundles.ExportSummary:
        """Write the chosen cases (all when none are given; or those matching ``query``; or what changed since
        the last bundle sent to ``to_device``) with their evidence and reference data to a bundle file."""
        self._require("exchange_bundles")
        return bundles.export_bundle(self, path, cases=cases, query=query, to_device=to_device)

    def import_bundle(self, path: str | Path, cancelled: Callable[[], bool] | None = None,
                      trust_new: bool = False, progress: Callable[[int, int], None] | None = None) -> bundles.ImportSummary:
        """Check a bundle whole, then add what is new in one transaction (see :mod:`.bundles`). ``cancelled``
        is asked between the files being checked; a cancelled import has changed nothing. Bundles are
        accepted only from trusted devices; ``trust_new`` trusts a device seen for the first time (an
        administrator's decision after comparing the key fingerprint). ``progress(done, total)`` is told
        how far the checking has got."""
        self._require("exchange_bundles")
        if trust_new:
            self._require("trust_devices")
        return bundles.import_bundle(self, path, cancelled, trust_new, progress)

    def inbox(self) -> list[InboxItem]:
        """What waits for this user now: reviews, approvals, discussions, decisions, hearings, near deadlines."""
        self._require("view_cases")
        return inbox(self)

    def verify(self, case_ref: str | None = None, progress: Callable[[int], None] | None = None) -> VerifyReport:
        self._require("verify")
        return self.services.verify(self.services.resolve_case(case_ref) if case_ref else None, progress)

    def backup(self, target: str | Path) -> Path:
        """Online backup of the database (SQLite backup API) and a copy of the evidence store beside it."""
        self._require("backup")
        target = Path(target)
        if target.exists():
            raise InvalidInput.at("target", f"备份文件已存在，不会覆盖：{target}")
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(target))
        try:
            self.db.conn.backup(dest)
        finally:
            dest.close()
        self.services.evidence.copy_tree_to(evidence_dir(target))
        return target


def case_filter(
    *, stage: str | None, officer: str | None, overdue: bool, query: str | None, year: int | None, today: date
) -> tuple[str, list[Any]]:
    """SQL conditions for the case list; text of fewer than three characters falls back to LIKE."""
    clauses, args = ["1 = 1"], []
    if stage:
        if stage not in {s.value for s in Stage}:
            raise InvalidInput.at("stage", f"未知的阶段：{stage}（可选：{'、'.join(s.value for s in Stage)}）")
        clauses.append("stage = ?")
        args.append(stage)
    if officer:
        clauses.append("(',' || handlers || ',') LIKE ?")
        args.append(f"%,{officer},%")
    if overdue:
        clauses.append("next_due != '' AND next_due < ?")
        args.append(today.isoformat())
    if year:
        clauses.append("substr(COALESCE(NULLIF(closed_on, ''), received_on), 1, 4) = ?")
        args.append(str(year))
    if query and query.strip():
        terms = query.split()
        if all(len(t) >= 3 for t in terms):
            clauses.append('rowid IN (SELECT rowid FROM case_fts WHERE case_fts MATCH ?)')
            args.append(" ".join('"' + t.replace('"', '""') + '"' for t in terms))
        else:
            for t in terms:
                clauses.append("search_text LIKE ?")
                args.append(f"%{t}%")
    return " AND ".join(clauses), args


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def restore(backup: str | Path, target: str | Path) -> Path:
    """Restore a backup made by :meth:`Session.backup` to ``target`` (which must not exist)."""
    backup, target = Path(backup), Path(target)
    if not backup.is_file():
        raise NotFound(f"备份文件不存在：{backup}")
    if target.exists():
        raise InvalidInput.at("target", f"目标数据库已存在，不会覆盖：{target}")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise InvalidInput.at("backup", f"备份文件已损坏：{check}")
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
        finally:
            dest.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput.at("backup", f"不是有效的备份文件：{exc}") from None
    finally:
        source.close()
    if evidence_dir(backup).exists():
        shutil.copytree(evidence_dir(backup), evidence_dir(target), dirs_exist_ok=True)
    return target
