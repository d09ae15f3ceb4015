"""Services: open a database, act as a user, record every change as an event.

:class:`Services` and :class:`Session` are the one API of the client, the CLI, the PDF export and the tests.
Every action of a session is a permission check, one transaction and one recorded event; each is carried out
by the module of its concern:

- :mod:`.reference` — the cached reference data (officers, agency, parties, policy, calendar, benchmarks)
- :mod:`.configuration` — the agency's details, policy versions, calendars, benchmark sets
- :mod:`.officers` — registering and changing officers
- :mod:`.cases` — opening cases, taking steps, parties and evidence, viewing and listing
- :mod:`.casefiles` — the case file's contents and its evaluation
- :mod:`.inbox` — what waits for the user
- :mod:`.dashboard` — the numbers of the agency's work, for its heads
- :mod:`.bundles`, :mod:`.devices` — exchanging cases with other machines
- :mod:`.backup` — backup and restore

Threading: a :class:`Services` object owns one SQLite connection and must be used from the thread that
created it. The GUI gives its worker thread its own ``Services``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..domain.agency import Agency
from ..domain.discretion import BenchmarkSet
from ..domain.evaluation import Sheet
from ..domain.officers import Officer
from ..domain.parties import Party
from ..domain.refusals import NotFound, PermissionDenied, Refusal, RuleViolation
from ..store import cases as case_store
from ..store import events as event_store
from ..store import reference as reference_store
from ..store.integrity import Problem, VerifyReport
from . import (
    auth,
    backup,
    bundles,
    casefiles,
    cases,
    configuration,
    dashboard,
    devices,
    numbering,
    officers,
    record_times,
)
from .casefiles import CaseFileData
from .cases import CaseView
from .clock import CHINA, china_now, new_id
from .core import SYSTEM_ACTOR, ServicesCore, SessionCore
from .dashboard import Dashboard
from .inbox import InboxItem, inbox
from .record_times import OverlappingRecord

__all__ = ["CHINA", "SYSTEM_ACTOR", "CaseFileData", "CaseView", "Services", "Session", "china_now", "new_id", "restore"]


class Services(ServicesCore):
    """Owns the database connection, the evidence store and the clock; opens sessions."""

    # --- identity --------------------------------------------------------------------------------------

    def session(self, login: str) -> Session:
        officer = self.officer_by_login(login)
        if officer is None or not officer.active:
            raise NotFound(f"没有该用户或用户已停用：{login}")
        return Session(self, officer)

    def system_session(self) -> Session:
        """The system acting: it holds every role (for setting up a new database and receiving its first bundle)."""
        return Session(self, SYSTEM_ACTOR)

    def login(self, login: str, password: str) -> Session:
        """The officer ``login``, authenticated by ``password``, with their personal signing key unlocked.

        The password is checked by opening the key the officer events hold (a password hash typed into the
        table opens nothing), which also lets an officer log in on any machine their events reached. An
        officer who has no key yet (registered before personal keys) is checked against the stored hash
        and issued one now, recorded as their own signed event."""
        refused = PermissionDenied([Refusal("login_failed", "用户名或密码错误")])
        officer = self.officer_by_login(login)
        if officer is None or not officer.active or not isinstance(password, str):
            raise refused
        held = self.reference.sealed_key(officer.id)
        honoured = [k for k in self.reference.signing_keys().get(officer.id, ()) if not k.retired_at]
        if held is not None:
            private = auth.unseal_key(held[1], password, officer.id, held[0])
            if private is None:
                raise refused
            key = Ed25519PrivateKey.from_private_bytes(private)
            # the sealed key must hold the private half of the key the officer events issue, not one put in its place
            if not honoured or key.public_key().public_bytes_raw().hex() != honoured[-1].public_key or held[0] != honoured[-1].public_key:
                raise PermissionDenied([Refusal("key_mismatch", "该账户的个人签名密钥与记录所载不符（可能被篡改），请管理员核对：已拒绝登录")])
            return Session(self, officer, key)
        stored = reference_store.password_hash(self.db, login)
        if not stored or not auth.check_password(password, stored):
            raise refused
        if self.device_anchor() is None:  # a database this device only reads: nothing is recorded here
            return Session(self, officer)
        key, issued = officers.new_signing_key(officer.id, password)
        session = Session(self, officer, key)
        with self.transaction():
            officers.record_key(session, officer.id, issued, stored)
        return session

    def bundle_receiver(self, login: str) -> Session:
        """Who receives a bundle: the user ``login``, or, on a machine that has no users yet (its first bundle
        brings them), the system."""
        return self.system_session() if not self.officers() else self.session(login)

    # --- setting up ------------------------------------------------------------------------------------

    def is_initialised(self) -> bool:
        """Whether the agency has been set (by :meth:`initialise`, or by a bundle from another machine)."""
        return self.agency() is not None

    def initialise(self, agency: Mapping[str, Any], admin: Mapping[str, Any]) -> Officer:
        """Set up a new database: the system sets the agency and registers its first administrator (the
        ``admin`` form of :meth:`Session.register_officer`, given the admin role), in one transaction.
        Refused once initialised."""
        if self.is_initialised():
            raise RuleViolation([Refusal("initialised", "数据库已初始化（已有执法主体）")])
        system = self.system_session()
        with self.transaction():  # a refused administrator leaves no agency behind, so init can be run again
            system.set_agency(agency)
            return system.register_officer({**admin, "roles": ["admin"]})

    # --- reading ---------------------------------------------------------------------------------------

    def has_cases(self) -> bool:
        return case_store.has_cases(self.db)

    def network_status(self) -> dict[str, Any]:
        """The hub's receipts this device holds and its events still waiting for one (see :func:`.devices.network_status`)."""
        return devices.network_status(self)

    def device_info(self) -> dict[str, str]:
        """This device's ``device_id``, ``name``, ``public_key`` and the key's ``fingerprint``."""
        return devices.device_info(self)

    def peers(self) -> list[dict[str, Any]]:
        """The devices bundles have been exchanged with (see :func:`.devices.peers`)."""
        return devices.peers(self)

    def receiving_devices(self) -> list[dict[str, str]]:
        """The devices a bundle can be encrypted to (``device_id``, ``name``): trusted ones whose bundles have
        brought their key."""
        return devices.receiving_devices(self)


class Session(SessionCore):
    """A user acting through the services. Every write method records exactly one event (opening a case with a
    new party records the party's and the case's)."""

    # --- reference data --------------------------------------------------------------------------------

    def set_agency(self, data: Mapping[str, Any]) -> Agency:
        return configuration.set_agency(self, data)

    def register_officer(self, data: Mapping[str, Any]) -> Officer:
        return officers.register_officer(self, data)

    def reset_password(self, officer_id: str, password: str) -> None:
        """An administrator gives an officer a new password (and with it a new signing key)."""
        officers.reset_password(self, officer_id, password)

    def change_password(self, old: str, new: str) -> None:
        """This officer changes their own password (their signing key is sealed again under it)."""
        officers.change_password(self, old, new)

    def update_officer(self, officer_id: str, changes: Mapping[str, Any]) -> Officer:
        """Change an officer's roles, legal qualification or active flag, add a certificate, or change a
        certificate's status (suspended, revoked). Recorded as an event on the officer's stream."""
        return officers.update_officer(self, officer_id, changes)

    def register_party(self, data: Mapping[str, Any]) -> Party:
        return cases.register_party(self, data)

    def set_policy(self, version: Mapping[str, Any]) -> None:
        """Record a new version of the agency policy (thresholds, catalogue, time limits)."""
        configuration.set_policy(self, version)

    def import_benchmarks(self, path: str | Path) -> dict[str, Any]:
        """Import a benchmark set file. The whole file is validated first (errors name file, entry and
        field) and nothing is stored unless all of it holds. Importing the same set again changes
        nothing; a different document under an existing id and version is refused, not overwritten."""
        return configuration.import_benchmarks(self, path)

    def import_power_list(self, source: str | Path | Mapping[str, Any]) -> list[dict[str, Any]]:
        """Import versions of the agency's power list (权责清单) from a ``power-list/1`` file or document:
        checked whole, nothing recorded unless all of it holds; a recorded version is never replaced."""
        return configuration.import_power_list(self, source)

    def export_benchmarks(self, set_id: str, path: str | Path, version: str | None = None) -> BenchmarkSet:
        """Write a set (shipped or imported) back to a file in the canonical format."""
        return configuration.export_benchmarks(self, set_id, path, version)

    def import_calendar(self, year: int, data: Mapping[str, Any], source: str = "") -> None:
        configuration.import_calendar(self, year, data, source)

    # --- cases -----------------------------------------------------------------------------------------

    def register_lead(self, payload: Mapping[str, Any]) -> str:
        """Register a lead (案源登记): the start of a general-procedure case."""
        return cases.create_case(self, "register_lead", payload)

    def record_simple_decision(self, payload: Mapping[str, Any]) -> str:
        """An on-the-spot decision under the simple procedure (Art. 51–52), numbered at once."""
        return cases.create_case(self, "record_simple_decision", payload)

    def register_party_and_case(self, party_data: Mapping[str, Any], case_payload: Mapping[str, Any], *,
                                 simple: bool = False) -> str:
        """Register a party and open its case (a lead; with ``simple``, an on-the-spot decision) as one act:
        one transaction, so a refused case leaves no party behind. Returns the case's id."""
        return cases.register_party_and_case(self, party_data, case_payload, simple=simple)

    def perform(self, case_ref: str, kind: str, payload: Mapping[str, Any] | None = None) -> str:
        """Take one procedural action on a case; returns the hash of the recorded event."""
        return cases.perform(self, case_ref, kind, payload)

    def overlapping_records(self, case_ref: str, kind: str, payload: Mapping[str, Any]) -> list[OverlappingRecord]:
        """The other records of the same officers on this device (any case) whose times overlap the record ``payload``
        would make: asked before a 笔录 is saved."""
        return record_times.overlapping_records(self, case_ref, kind, payload)

    def numbers_given(self, case_ref: str, event_hash: str) -> list[str]:
        """The case number and document number (文号) the step ``event_hash`` was given, as shown to the user
        (``行政处罚告知书 仲高新市监罚告〔2026〕1号``); none for a step that numbers nothing."""
        return numbering.numbers_given(self, case_ref, event_hash)

    def add_evidence(self, case_ref: str, file_path: str | Path, details: Mapping[str, Any]) -> str:
        """Copy a file into the evidence store and record it on the case; returns its SHA-256."""
        return cases.add_evidence(self, case_ref, file_path, details)

    def view(self, case_ref: str) -> CaseView:
        return cases.view(self, case_ref)

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
        return cases.list_cases(self, stage=stage, officer=officer, overdue=overdue, query=query, year=year, limit=limit,
                                order=order)

    def dashboard(self, year: int | None = None) -> Dashboard:
        """The numbers of the agency's work (heads and administrators): cases by stage, overdue ones by deadline,
        decisions and fines of ``year`` by month, legal review outcomes, evaluation scores."""
        return dashboard.dashboard(self, year)

    def dashboard_cases(self, measure: str, key: str, year: int | None = None) -> list[dict[str, Any]]:
        """The cases behind one bar of the dashboard."""
        return dashboard.dashboard_cases(self, measure, key, year)

    def inbox(self) -> list[InboxItem]:
        """What waits for this user now: reviews, approvals, discussions, decisions, hearings, near deadlines."""
        return inbox(self)

    # --- case files and their evaluation ------------------------------------------------------------------

    def evaluation_sheet(self, case_ref: str) -> Sheet:
        """The evaluation sheet of a case: the system's suggestion, with its evidence, for every item the
        record can decide, beside the evaluator's decisions as last recorded (all open before the first)."""
        return casefiles.evaluation_sheet(self, case_ref)

    def record_evaluation(self, case_ref: str, decisions: Mapping[str, Any], final: bool = False) -> Sheet:
        """Record an evaluator's decisions on a closed case file (案卷评查): a draft, or with ``final`` the
        conclusion, refused while any item is open. The case's own record stays untouched (archived cases
        are read-only); the evaluation is a stream of its own."""
        return casefiles.record_evaluation(self, case_ref, decisions, final)

    def case_file_data(self, case_ref: str) -> CaseFileData:
        return casefiles.case_file_data(self, case_ref)

    def draft_case_file_data(self, case_ref: str, kind: str, payload: Mapping[str, Any]) -> CaseFileData:
        """The case-file data with the step a form not sent yet would record, as a draft (to print a 笔录 for
        signing on paper before it is recorded); nothing is recorded."""
        return casefiles.draft_case_file_data(self, case_ref, kind, payload)

    # --- exchange, verification, backup -----------------------------------------------------------------

    def record_network(self, kind: str, payload: dict[str, str]) -> None:
        """This device joined or left its agency's network (see :func:`.devices.record_network`)."""
        devices.record_network(self, kind, payload)

    def name_device(self, name: str) -> None:
        """Give this database's device a name people recognise (shown to the machines it exchanges with)."""
        devices.name_device(self, name)

    def export_bundle(self, path: str | Path, *, cases: list[str] | None = None, query: str | None = None,
                      to_device: str | None = None, encrypt: bool = True) -> bundles.ExportSummary:
        """Write the chosen cases (all when none are given; or those matching ``query``; or what changed since
        the last bundle sent to ``to_device``) with their evidence and reference data to a bundle file,
        encrypted to ``to_device`` (which must have sent this machine a bundle, bringing its key). A bundle
        in the clear only with ``encrypt=False``; without either the export is refused."""
        self.require("exchange_bundles")
        return bundles.export_bundle(self, path, cases=cases, query=query, to_device=to_device, encrypt=encrypt)

    def import_bundle(self, path: str | Path, cancelled: Callable[[], bool] | None = None,
                      trust_new: bool = False, progress: Callable[[int, int], None] | None = None) -> bundles.ImportSummary:
        """Check a bundle whole, then add what is new in one transaction (see :mod:`.bundles`). ``cancelled``
        is asked between the files being checked; a cancelled import has changed nothing. Bundles are
        accepted only from trusted devices; ``trust_new`` trusts a device seen for the first time (an
        administrator's decision after comparing the key fingerprint). ``progress(done, total)`` is told
        how far the checking has got."""
        self.require("exchange_bundles")
        if trust_new:
            self.require("trust_devices")
        return bundles.import_bundle(self, path, cancelled, trust_new, progress)

    def verify(self, case_ref: str | None = None, progress: Callable[[int], None] | None = None, *, deep: bool = False) -> VerifyReport:
        self.require("verify")
        return self.services.verify(self.services.resolve_case(case_ref) if case_ref else None, progress, deep=deep)

    def witness(self, source: str, carried: Iterable[tuple[str, str]]) -> list[Problem]:
        """What a witness carried that the record no longer holds: ``carried`` is (stream, event hash) as a case
        file's chain head or a bundle's events once were; each missing one is reported by its case."""
        self.require("verify")
        carried = list(carried)
        present = event_store.known_in_streams(self.db, carried)
        names = case_store.case_numbers(self.db, {s for s, _h in carried})
        return [Problem("witness_missing", f"{source} 所载的记录 {h[:12]}… 已不在本数据库中：此后记录被删改或截断",
                        names.get(s, s), hash=h, file=source)
                for s, h in carried if (s, h) not in present]

    def bundle_witness(self, path: str | Path) -> list[Problem]:
        """A bundle as a witness: every event it carries must still be in the record."""
        return self.witness(Path(path).name, bundles.witnessed_events(self.services, path))

    def backup(self, target: str | Path) -> Path:
        """Write a backup folder (the database copied online, the evidence store, a manifest of their hashes)
        to ``target``, whole or not at all (see :mod:`.backup`)."""
        return backup.backup(self, target)

    def restore(self, backup_path: str | Path, target: str | Path) -> Path:
        """Restore a backup folder to the new database file ``target``, once it has been checked whole and
        its record verifies (see :func:`.backup.restore`). This database is not written."""
        self.require("backup")
        return backup.restore(backup_path, target)


def restore(backup_path: str | Path, target: str | Path, login: str, password: str) -> Path:
    """Restore a backup folder to the new database file ``target`` without a database open (the command
    line, on a machine whose database is lost): the one restoring must be an administrator of the
    backed-up record, ``login`` and ``password`` checked against its officers before the copy is accepted."""

    def admit(copy: Path) -> None:
        with Services(copy) as services:
            services.login(login, password).require("backup")

    return backup.restore(backup_path, target, admit)
