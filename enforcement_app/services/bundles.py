"""Case bundles (``.ecb``): cases that travel between machines on removable media.

What a bundle holds and how it is read is :mod:`.bundle_format`. Events carry the reference data they
need: the cases' party streams, every officer and agency stream and the agency configuration streams
(policy, calendar, benchmark sets).

A bundle holds full identity numbers and goes on removable media, so it is sealed to its receiving device
(:mod:`..store.sealed`): to a device this machine has received a bundle from, whose signed manifest
brought that device's X25519 key (recorded with the trusted device). A bundle in the clear is written only
when asked for (``encrypt=False``, ``--plain``); an export with neither is refused, saying how.

The receiver checks the manifest, its signature and that the sending device is trusted, every event's
hash and that every parent is present (in the bundle or already in its database), and every evidence
file's hash. Only then is anything committed: the events and their projections are written inside one
transaction while a worker process is still hashing the evidence files, and a bad file rolls the whole
transaction back, so a refused bundle leaves the database and the evidence store as they were. What is
new is added in that one transaction, the affected cases are rebuilt from their events, and the import
is recorded as an event. Evidence files are moved into the store only after that commit (see
:mod:`..store.evidence`: a killed import's staging folder is settled at the next opening), so the store
never holds a file no event names. Receiving an event twice changes nothing (events are identified by
their hash).
Reference data that contradicts what this database holds (a login taken by another officer, another
agency, a different document under the same policy version) is reported and not overwritten; the events
are still kept, so nothing of the history is lost.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.case import CaseState
from ..domain.parties import build_party
from ..domain.procedure import ACTIONS, apply, prepare, signed_kinds, title_of
from ..domain.record import causal_order, misplaced
from ..domain.refusals import InvalidInput, NotFound, RuleViolation
from ..domain.signoff import Signed, unsigned
from ..store import cases as case_store
from ..store import devices as device_store
from ..store import events as event_store
from ..store import projection, sealed
from ..store import reference as reference_store
from ..store.cases import CaseRow
from ..store.database import meta
from . import signatures, states
from .bundle_format import (
    DEVICE,
    BundleError,
    BundleReader,
    Recipient,
    WireEvent,
    encode_events,
    fingerprint,
    gc_paused,
    write_bundle,
)
from .changes import REFERENCE_TABLES, Changes
from .clock import new_id
from .core import ServicesCore, SessionCore

__all__ = ["BundleError", "ExportSummary", "ImportSummary", "UntrustedDevice", "export_bundle", "fingerprint", "import_bundle"]

APPROVAL_KINDS = {"approve_filing": "批准立案", "refuse_filing": "不予立案", "record_legal_review": "法制审核",
                  "decide_approval": "审批", "make_decision": "作出处理决定", "record_collective_discussion": "集体讨论"}
_SHA256 = re.compile(r"[0-9a-f]{64}")
CASE_OPENING_KINDS = ("register_lead", "record_simple_decision")  # the events that name a case's party
OVERLAP_BYTES = 4 << 30  # about ten seconds of hashing here; see import_bundle
# reference changes a bundle may bring in; anything that widens a person's powers is left to this machine's administrator


@dataclass
class ExportSummary:
    path: Path
    bundle_id: str
    cases: int
    events: int
    evidence_files: int
    bytes: int
    encrypted_to: str = ""  # the device the bundle is sealed to; "" for a bundle in the clear


@dataclass
class ImportSummary:
    bundle_id: str
    from_device: str
    from_name: str
    new_events: int = 0
    known_events: int = 0
    new_cases: list[str] = field(default_factory=list)
    updated_cases: list[str] = field(default_factory=list)
    approvals: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    evidence_files: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --- export ----------------------------------------------------------------------------------------------


def export_bundle(session: SessionCore, path: str | Path, *, cases: Iterable[str] | None = None, query: str | None = None,
                  to_device: str | None = None, encrypt: bool = True) -> ExportSummary:
    """Sealed to ``to_device`` (:mod:`..store.sealed`) unless ``encrypt`` is False: bundles go on removable
    media and hold full identity numbers, so a bundle in the clear is written only when asked for."""
    services, db = session.services, session.db
    path = Path(path)
    if path.exists():
        raise InvalidInput.at("out", f"文件已存在，不会覆盖：{path}")
    if to_device and not DEVICE.fullmatch(to_device):
        raise InvalidInput.at("to_device", f"设备ID无效：{to_device}")
    recipient = _recipient(db, to_device) if encrypt else None
    if cases:
        case_ids = [services.resolve_case(c) for c in cases]
    else:
        case_ids = case_store.case_ids_matching(db, query, services.today())
    parties = case_store.party_ids_of(db, case_ids)
    wanted = set(case_ids) | {f"evaluation/{c}" for c in case_ids} | {f"party/{p}" for p in parties if p}
    since = device_store.sent_upto(db, to_device) if to_device else 0
    selective = bool(cases or query)
    rows = [r for r in event_store.rows_after(db, since) if r[1] in wanted or r[1].startswith(("officer/", "agency/", "config/"))]
    evidence: dict[str, Path] = {}
    for r in rows:
        if r[6] == "add_evidence":
            sha = json.loads(r[7]).get("sha256", "")
            if not services.evidence.has(sha):
                raise InvalidInput.at("evidence", f"证据文件 {sha[:12]}… 不在本机证据库中，无法打包（请先运行 verify）")
            evidence[sha] = services.evidence.path_for(sha)
    bundle_id = new_id()
    own = device_store.own_device(db)
    # the device's key agreement key travels signed, so that the receiver can seal bundles back to it
    manifest = {"bundle_id": bundle_id, "from_device": own["device_id"], "from_name": own["name"], "public_key": own["public_key"],
                "agreement_key": own["agreement_key"], "created_at": services.clock().isoformat(),
                "to_device": to_device or "", "cases": case_ids, "events": len(rows)}
    partial = path.with_suffix(path.suffix + ".part")
    try:
        try:
            events_text = encode_events(r[1:] for r in rows)
            size = write_bundle(partial, events_text, evidence, manifest, services.device_signing_key(), recipient)
        except ValueError as exc:
            raise InvalidInput.at("events", str(exc)) from None
        with services.transaction():
            session.record(f"device/{to_device or 'removable-media'}", "export_bundle",
                           {"bundle_id": bundle_id, "to_device": to_device or "", "cases": len(case_ids), "events": len(rows),
                            "evidence_files": len(evidence), "encrypted": recipient is not None})
            if to_device and not selective:
                # only a bundle of everything moves the mark: a bundle of some cases leaves the others still to send
                upto = max([since] + [r[0] for r in rows])
                device_store.note_sent(db, to_device, upto, services.clock().isoformat())
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return ExportSummary(path, bundle_id, len(case_ids), len(rows), len(evidence), size, recipient.device if recipient else "")


def _recipient(db, to_device: str | None) -> Recipient:
    """The device a bundle is sealed to: one whose key agreement key a bundle from it has brought."""
    if not to_device:
        raise InvalidInput.at("to_device", "案件包默认加密给接收它的设备：请指定接收设备（--to-device 设备ID，见 bundle devices）；"
                                           "如确需不加密导出（只用于妥善保管的介质），请明确选择不加密（--plain）")
    known = device_store.receiving_device(db, to_device)
    if known is None:
        raise InvalidInput.at("to_device", f"本机还没有收到过设备 {to_device} 的案件包，不知道它的加密公钥，无法加密给它："
                                           "请先导入一个来自该设备的案件包，或明确选择不加密导出（--plain）")
    return Recipient(to_device, known[0], known[1])


# --- import ----------------------------------------------------------------------------------------------


class UntrustedDevice(BundleError):
    """The bundle is intact and signed, but by a device this database does not trust (yet)."""

    def __init__(self, path: Path, device: str, name: str, public_key: str, known_key: str | None):
        self.device, self.name, self.public_key = device, name, public_key
        self.fingerprint = fingerprint(public_key)
        if known_key:
            message = (f"设备 {name}（{device}）的签名密钥与本机登记的不同（现为 {self.fingerprint}，登记为 {fingerprint(known_key)}）："
                       "可能是伪造的案件包，已拒绝")
        else:
            message = f"设备 {name}（{device}）尚未被本机信任，密钥指纹 {self.fingerprint}；请核对指纹后信任该设备再导入"
        super().__init__(path, [message])
        self.key_changed = bool(known_key)


def import_bundle(session: SessionCore, path: str | Path, cancelled: Callable[[], bool] | None = None,
                  trust_new: bool = False, progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """``trust_new``: the user has compared the sending device's key fingerprint and trusts it from now on
    (the first bundle from a machine). A device whose key has changed is never trusted this way.
    ``progress(done, total)``: how far the import has got, in bytes of the bundle checked and stored."""
    services, db = session.services, session.db
    path = Path(path)
    if not path.is_file():
        raise InvalidInput.at("file", f"文件不存在：{path}")
    with _open_bundle(services, path) as reader, gc_paused():
        # who signed is known (and the signature checked) before the manifest is parsed: a device not trusted
        # is refused before anything more of its bundle is read
        device, name, key = reader.signer
        trusted = trusted_key(services, device)
        own = device == meta(db, "device_id") and key == meta(db, "device_public_key")
        if not (own or trusted == key or (trusted is None and trust_new)):
            raise UntrustedDevice(path, device, name, key, trusted)
        manifest = reader.read_manifest()
        if reader.content_key is not None and manifest.get("to_device") != services.device_id:
            raise BundleError(path, ["加密案件包内的清单所写的接收设备不是本机：可能是被重新封装的案件包，已拒绝"])
        agreement_key = str(manifest.get("agreement_key") or "")
        staging = reader.start_staging(services.evidence, cancelled)
        events_size, total = reader.events_bytes(), reader.evidence_bytes() + reader.events_bytes()

        def report(events_done: int) -> Callable[[int], None]:
            def tell(evidence_done: int) -> None:
                if progress is not None:
                    progress(min(total, events_done + evidence_done), total)
            return tell

        committed = False
        try:
            problems = list(reader.problems)
            events = reader.events(problems)
            report(events_size // 2)(staging.checked_bytes())
            if cancelled is not None and cancelled():
                raise InterruptedError("已取消导入，数据库未作任何改动")
            known = event_store.known_hashes(db, [e.hash for e in events])
            new = [e for e in events if e.hash not in known]
            carried = {n[len("evidence/"):] for n in reader.present if n.startswith("evidence/")}
            if not problems:
                problems = (claimed_as_ours(services, new) or _missing_references(db, new, known, carried)
                            or _unnamed_evidence(db, events, carried))
            if problems:
                raise BundleError(path, problems)  # refused already: the evidence need not be hashed to the end
            # the events are written while the evidence is still being hashed, inside a transaction that a bad
            # file rolls back. That holds the database's write lock for as long as the hashing takes; past
            # OVERLAP_BYTES of evidence another program's write would wait too long, so the files are checked first
            checked = staging.result(report(events_size // 2)) if reader.evidence_bytes() > OVERLAP_BYTES else None
            if checked is not None and checked[1]:
                raise BundleError(path, checked[1])
            summary = ImportSummary(str(manifest.get("bundle_id", "")), device, name, known_events=len(events) - len(new))
            with services.transaction():
                if trust_new and not own and trusted is None:
                    trust_device(session, device, name, key, agreement_key)
                elif not own and agreement_key:
                    device_store.note_agreement_key(db, device, agreement_key)  # signed by the key it is trusted with
                _add(session, summary, new, path)
                report(events_size)(staging.checked_bytes())
                # every evidence file is checked before anything is committed: a bad one rolls all of this back
                staged, more = checked or staging.result(report(events_size))
                if more:
                    raise BundleError(path, more)
                _check_staged(path, services, new, staged)
            committed = True
            # only now, with their events committed, do the files go into the store; killed before this is
            # done, the staging folder is settled (the files put in place) when the database is next opened
            try:
                for sha, tmp in staged.items():
                    services.evidence.commit(tmp, sha)
            except OSError as exc:
                raise OSError(f"案件包的记录已导入，但证据文件未能放入证据库（{exc}）：下次打开数据库时会自动放入") from exc
            staging.discard()  # the staging folder and the worker's job file
            services.forget_states()
            report(total)(0)
            return summary
        except BaseException:
            if not committed:
                staging.cancel()  # stops the staging and removes whatever it staged
            # a rolled-back transaction: what the caches loaded inside it must not outlive it
            services.reference.invalidate_all()
            services.forget_states()
            raise


def trusted_key(services: ServicesCore, device: str) -> str | None:
    """The public key ``device`` is trusted with here, or None: as the trust events say, not as a table anyone
    with the file could add to."""
    return trusted_keys(services, [device])[device]


def trusted_keys(services: ServicesCore, devices: Iterable[str]) -> dict[str, str | None]:
    """:func:`trusted_key` of each of ``devices``, from one reading of the trust events."""
    scratch = projection.rebuild(services.db, services.device_id, ("device/",))
    return {d: device_store.trusted_key(scratch, d) for d in devices}


def trust_device(session: SessionCore, device: str, name: str, public_key: str, agreement_key: str = "") -> None:
    """Trust ``device`` with ``public_key`` from now on, recorded as this device's event. Inside the caller's
    transaction."""
    services = session.services
    session.record(f"device/{device}", "trust_device", {"device": device, "name": name, "public_key": public_key,
                                                         "fingerprint": fingerprint(public_key), "agreement_key": agreement_key})
    device_store.trust(services.db, device, public_key, name, services.clock().isoformat(), session.actor.id, agreement_key)


def _open_bundle(services: ServicesCore, path: Path) -> BundleReader:
    """The bundle at ``path``, opened and its signature checked; a sealed one decrypted as it is read, with
    this device's key. A bundle sealed to another device is refused naming that device."""
    if not sealed.is_sealed(path):
        return BundleReader(path)
    try:
        with path.open("rb") as fh:
            header, prefix = sealed.read_header(fh)
        own = device_store.own_device(services.db)
        if header["to_device"] != own["device_id"]:
            raise BundleError(path, [f"此案件包是加密发给设备 {header['to_name'] or '（未命名）'}（{header['to_device']}）的，只有该设备能打开；"
                                     f"本机是 {own['name']}（{own['device_id']}）"])
        if header["to_key"] != own["agreement_key"]:
            raise BundleError(path, ["此案件包加密所用的本机公钥与本机现在的密钥不同，无法打开：请发送方重新导出"])
        content_key = sealed.content_key(services.device_agreement_key(), header, prefix)
        source = sealed.SealedReader(path, content_key)
    except sealed.SealedError as exc:
        raise BundleError(path, [str(exc)]) from None
    except OSError as exc:
        raise BundleError(path, [f"无法读取：{exc}"]) from None
    return BundleReader(path, source, content_key)


def _check_staged(path: Path, services: ServicesCore, new: list[WireEvent], staged: dict[str, Path]) -> None:
    """Every evidence file the new events register is now staged from the bundle or already in the store,
    with the size its event says."""
    problems = []
    for e in new:
        if e.kind != "add_evidence":
            continue
        sha = e.payload["sha256"]
        if sha in staged:
            if e.payload.get("size") != staged[sha].stat().st_size:
                problems.append(f"证据 {sha[:12]}… 登记的大小与文件不符")
        elif not services.evidence.has(sha):
            problems.append(f"证据文件 {sha[:12]}… 未能从包内取得")
    if problems:
        raise BundleError(path, problems[:10])


def _missing_references(db, new: list[WireEvent], known: set[str], evidence_in_bundle: set[str]) -> list[str]:
    """What the new events name that is neither in the bundle nor in this database: parents, evidence
    files, parties."""
    return (missing_parents(db, new, known) or malformed_evidence(new) or missing_evidence(db, new, evidence_in_bundle)
            or missing_parties(db, new))


def missing_parents(db, new: list[WireEvent], known: set[str]) -> list[str]:
    """The parents of the new events (in the order given) that are neither among those before them, nor in
    ``known``, nor in this database."""
    have = set(known)
    wanted = set()
    for e in new:
        if e.parents_text and e.parents_text not in have:
            wanted |= {p for p in e.parents if p not in have}
        have.add(e.hash)
    if wanted:
        absent = sorted(wanted - event_store.known_hashes(db, sorted(wanted)))
        if absent:
            return [f"记录 {p[:12]}… 所接续的前一条记录不在包内也不在本数据库中" for p in absent[:10]]
    return []


def malformed_evidence(new: list[WireEvent]) -> list[str]:
    malformed = [e for e in new if e.kind == "add_evidence" and not (
        isinstance(e.payload.get("sha256"), str) and _SHA256.fullmatch(e.payload["sha256"]) and type(e.payload.get("size")) is int)]
    return [f"证据登记记录 {e.hash[:12]}… 缺少有效的 SHA-256 或文件大小" for e in malformed[:10]]


def missing_evidence(db, new: list[WireEvent], evidence_in_bundle: set[str]) -> list[str]:
    """The evidence files the new events register that are neither carried with them nor in this database."""
    named = [e.payload.get("sha256") for e in new if e.kind == "add_evidence"]
    registered = case_store.registered_among(db, [s for s in named if isinstance(s, str) and s not in evidence_in_bundle])
    lacking = [s for s in named if s not in evidence_in_bundle and s not in registered]
    return [f"证据文件 {str(s)[:12]}… 既不在包内也不在本机证据库中" for s in lacking[:10]]


def missing_parties(db, new: list[WireEvent]) -> list[str]:
    """The parties the new cases name whose stream is neither among the new events nor in this database."""
    named = {f"party/{e.payload.get('party_id')}" for e in new if e.kind in CASE_OPENING_KINDS} - {e.stream for e in new}
    orphans = sorted(named - reference_store.party_streams_among(db, [p[len("party/"):] for p in named]))
    return [f"案件的当事人 {p[6:18]}… 不在包内也不在本数据库中" for p in orphans[:10]]


def _unnamed_evidence(db, events: list[WireEvent], carried: set[str]) -> list[str]:
    """Evidence files the bundle carries that no add_evidence event names, neither in the bundle nor in this
    database: nothing would account for them in the store."""
    unnamed = carried - {sha for e in events if e.kind == "add_evidence" and isinstance(sha := e.payload.get("sha256"), str)}
    unnamed -= case_store.referenced_evidence(db, unnamed) if unnamed else set()
    return [f"包内的证据文件 {sha[:12]}… 没有任何记录登记它（包内和本数据库中都没有）" for sha in sorted(unnamed)[:10]]


def _add(session: SessionCore, summary: ImportSummary, new: list[WireEvent], path: Path) -> None:
    """:func:`add_events`, then the import recorded. Inside the caller's transaction: a refused event refuses
    the bundle whole."""
    services, db = session.services, session.db
    add_events(session, summary, new, path)
    session.record(f"device/{summary.from_device or 'unknown'}", "import_bundle", {
        "bundle_id": summary.bundle_id, "from_device": summary.from_device, "new_events": summary.new_events,
        "known_events": summary.known_events, "new_cases": len(summary.new_cases),
        "updated_cases": len(summary.updated_cases), "conflicts": summary.conflicts})
    if summary.from_device:
        device_store.note_received(db, summary.from_device, summary.from_name, services.clock().isoformat())


def add_events(session: SessionCore, summary: ImportSummary, new: list[WireEvent], source: str | Path) -> None:
    """Write the new events (parents first, none already held, each one's parents, evidence files and parties
    present), project them, check every personal signature and party registration, replay every new case
    event through the procedure as this machine would judge it and rebuild the cases they touch; ``summary``
    says what came. Inside the caller's transaction: any event refused raises :class:`BundleError` (``source``
    naming where the events came from), and the caller's rollback leaves nothing of them."""
    services, db = session.services, session.db
    affected = sorted({e.stream for e in new if "/" not in e.stream})
    existing = case_store.known_case_ids(db, affected)
    refused: list[str] = []
    event_store.append_rows(db, new)
    arrived: dict[str, list[WireEvent]] = {}
    for e in new:
        if e.kind == "register_party":
            try:
                build_party(str(e.payload.get("id", "")), e.payload)  # the identity numbers and fields a form would take
            except (RuleViolation, ValueError, TypeError) as exc:
                refused.append(f"记录 {e.hash[:12]}…（登记当事人）不符合登记要求：{exc}")
        if "/" in e.stream:
            wrong = misplaced(e.stream, e.kind, e.payload)
            if wrong:  # it would project by its kind all the same: refused, as the procedure refuses a misplaced step
                refused.append(f"记录 {e.hash[:12]}…（{title_of(e.kind)}）不属于它所在的记录流：{wrong}")
                continue
            conflict = _project_reference(db, e)
            if conflict:
                summary.conflicts.append(conflict)
            continue
        arrived.setdefault(e.stream, []).append(e)
        if e.kind == "add_evidence":
            p = e.payload
            case_store.register_evidence(db, p["sha256"], p["size"], p.get("media_type", ""), p.get("original_name", ""), e.at_text)
            summary.evidence_files += 1
        elif e.kind in APPROVAL_KINDS:
            summary.approvals.append(f"{APPROVAL_KINDS[e.kind]}（{e.stream[:12]}，{e.at_text[:10]}）")
    # the reference tables the new events projected into have gained rows: the cases below are judged with them (a
    # hub's round of case steps keeps the officers, keys and policy it has read, ~2.5 % of its ingest)
    touched = Changes(cases=frozenset(affected))
    for stream in sorted({e.stream for e in new if "/" in e.stream}):
        of_stream = Changes.of_stream(stream)
        if not of_stream.tables:  # a stream this map does not know: nothing read from the tables is trusted
            of_stream = Changes(tables=REFERENCE_TABLES)
        touched |= of_stream
    services.reference.invalidate(*touched.tables)
    refused += _unsigned(db, services.device_id, new)
    rows: list[CaseRow] = []
    contexts: dict[tuple, Any] = {}  # (officer, party, day) -> the context: the steps of a bundle share a few
    for case_id in affected:
        # a case new here is exactly what arrived: folded from memory, not from the rows just written
        events = causal_order(event_store.events_of(db, case_id)) if case_id in existing else causal_order(arrived[case_id])
        state = _replayed(services, case_id, events, {e.hash for e in arrived[case_id]}, refused, contexts)
        if len(refused) >= 10:
            break
        party = services.party(state.party_id) if state.party_id else None
        rows.append(session.case_row(state, services.context(session.actor, party=party)))
        (summary.updated_cases if case_id in existing else summary.new_cases).append(state.case_no or case_id)
    if refused:
        raise BundleError(Path(source), refused[:10])
    case_store.write_case_rows(db, rows)
    services.note(touched)
    summary.new_events = len(new)


def claimed_as_ours(services, new: list[WireEvent]) -> list[str]:
    """Events this machine does not hold that say this machine recorded them: whatever this device recorded it
    holds, so these were written elsewhere in its name (what this device records counts as its own: roles,
    keys, trusted devices)."""
    ours = [e for e in new if e.device == services.device_id]
    return [f"记录 {e.hash[:12]}…（{title_of(e.kind)}）自称由本机记录，但本机没有这条记录：案件包被伪造，已拒绝" for e in ours[:10]]


def _unsigned(db, device: str, new: list[WireEvent]) -> list[str]:
    """The new events whose personal signature does not hold, judged against every officer's keys as the
    record (with this bundle's officer events, just written) issues them."""
    kinds = signed_kinds()
    signed = [Signed(e.hash, e.stream, e.parents_text, e.actor, e.device, e.at_text, e.kind, e.payload) for e in new if e.kind in kinds]
    if not signed:
        return []
    return [f"记录 {e.hash[:12]}…（{signatures.signoff_title(e.kind)}，{e.at[:10]}）的签名无效：{problem}"
            for e, problem in signatures.problems_in(((None, e) for e in signed), signatures.officer_keys(db, device))]


def _replayed(services, case_id: str, events: list, new: set[str], refused: list[str], contexts: dict[tuple, Any]) -> CaseState:
    """The case folded from ``events`` (in causal order), each new one first judged by the procedure against the
    case as it stood before it, on the day it was recorded, for the officer who recorded it, with this
    machine's officers, certificates and rules: what its services would have refused is refused here too (a
    decision before the investigation ended, a review in the name of someone who may not review, a payment on
    an archived case, a payload no form would take). ``contexts``: the contexts judged against so far, by
    (officer, party, day), kept across the cases of one import (the reference data does not change meanwhile)."""
    state = CaseState(id=case_id)
    for n, e in enumerate(events, 1):
        if e.hash in new:
            problem = _judged(services, state, e, contexts)
            if problem:
                refused.append(f"记录 {e.hash[:12]}…（{title_of(e.kind)}，{e.at.date().isoformat()}）{problem}")
                return state
        apply(state, states.step_of(e, n))
    return state


_OFFICER_FIELDS = frozenset({"officers", "handlers", "participants", "collected_by", "chair", "replacement", "officer"})


def _officers_named(payload: Mapping[str, Any]) -> set[str]:
    """The officer ids a payload names in its officer fields (a list, or one id as text)."""
    named: set[str] = set()
    for key in payload.keys() & _OFFICER_FIELDS:
        value = payload[key]
        if isinstance(value, list):
            named.update(map(str, value))
        elif isinstance(value, str) and value:
            named.add(value)
    return named


def _officer_as_recorded(services, officer_id: str):
    """An officer this machine holds the events of but not in its tables (their login is another person's
    here): judged as their own events describe them."""
    scratch = projection.rebuild(services.db, services.device_id, (f"officer/{officer_id}",))
    return reference_store.officers(scratch).get(officer_id)


def _judged(services, state: CaseState, e, contexts: dict[tuple, Any]) -> str:
    """Why this machine's procedure would refuse the event, or ''."""
    actor = services.officers().get(e.actor) or _officer_as_recorded(services, e.actor)
    if actor is None:
        return f"的办理人 {e.actor[:12]} 不是本机登记的人员"
    act = ACTIONS.get(e.kind)
    if act is None:
        return "不是本程序所知的办案步骤"
    party_id = state.party_id or str(e.payload.get("party_id") or "")
    try:
        day = e.at.date()
        ctx = contexts.get((actor.id, party_id, day))
        if ctx is None:
            party = services.party(party_id) if party_id else None
            ctx = contexts[actor.id, party_id, day] = services.context(actor, party=party, today=day)
        named = _officers_named(e.payload) - ctx.officers.keys()
        if named:
            extra = {i: o for i in named if (o := _officer_as_recorded(services, i)) is not None}
            ctx = dataclasses.replace(ctx, officers={**extra, **ctx.officers})
        # the signature is checked apart; a step retired since it was recorded is judged by its old rules
        prepare(None if act.opens_case else state, ctx, e.kind, unsigned(e.payload), replaying=True)
    except (RuleViolation, NotFound) as exc:
        return f"不符合办案规则：{exc}"
    return ""


def _project_reference(db, e: WireEvent) -> str:
    """Bring an imported reference event into this database's tables through the same projection the services
    use, as an event from another device; returns a conflict with what this database holds, or ''."""
    return projection.project_event(db, e.kind, e.payload, local=False, at=e.at_text, actor=e.actor, stream=e.stream)


def witnessed_events(services: ServicesCore, path: str | Path) -> list[tuple[str, str]]:
    """(stream, hash) of every event a bundle carries (a sealed one opened with this device's key), after its
    signature and its events file are checked: a witness of what the record held when it was written."""
    path = Path(path)
    with _open_bundle(services, path) as reader:
        reader.read_manifest()
        problems = list(reader.problems)
        events = reader.events(problems)
        if problems:
            raise BundleError(path, problems[:10])
        return [(e.stream, e.hash) for e in events]
