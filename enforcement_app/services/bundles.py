"""Case bundles (``.ecb``): cases that travel between machines on removable media.

A bundle is a zip file:

- ``events.jsonl`` — one event per line, its columns exactly as stored (the payload as its canonical
  JSON text), so the receiver recomputes every hash from the same bytes;
- ``evidence/<sha256>`` — each evidence file the events register;
- ``manifest.json`` — format, bundle id, sending device, the cases, and the SHA-256 and size of every
  other file in the bundle.

Events carry the reference data they need: the cases' party streams, every officer and agency stream and
the agency configuration streams (policy, calendar, benchmark sets). The receiver checks the manifest,
every file hash, every event hash and that every parent is present (in the bundle or already in its
database) **before** it touches anything; then it adds what is new in one transaction, rebuilds the
affected cases from their events, and records the import as an event. Receiving an event twice changes
nothing (events are identified by their hash). Reference data that contradicts what this database holds
(a login taken by another officer, another agency, a different document under the same policy version) is
reported and not overwritten; the events are still kept, so nothing of the history is lost.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..domain.record import Event, RecordedEvent, event_hash
from ..domain.refusals import InvalidInput, Refusal
from ..store import events as event_store
from ..store.database import meta
from . import projections

if TYPE_CHECKING:
    from .api import Session

FORMAT = "ecr-bundle/1"
APPROVAL_KINDS = {"approve_filing": "批准立案", "refuse_filing": "不予立案", "record_legal_review": "法制审核",
                  "decide_approval": "审批", "make_decision": "作出处理决定", "record_collective_discussion": "集体讨论"}
_COLUMNS = "seq, hash, stream, parents, actor, device, at, kind, payload"
_CASE_ID = re.compile(r"[0-9a-f]{32}")
_STREAM = re.compile(r"(?:[0-9a-f]{32}|evaluation/[0-9a-f]{32}|(?:party|officer|agency|device)/[^\s,/]+|config/(?:policy|calendar|benchmarks))")
_DEVICE = re.compile(r"[^\s,/]{1,64}")
# reference changes a bundle may bring in; anything that widens a person's powers is left to this machine's administrator
_PRIVILEGED = ("roles", "legal_qualification", "active")


class BundleError(InvalidInput):
    """A bundle refused whole; each refusal names what is wrong (file, event or parent)."""

    def __init__(self, path: Path, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__([Refusal("bundle_refused", f"{path.name}：{p}", field="bundle") for p in self.problems])


@dataclass
class ExportSummary:
    path: Path
    bundle_id: str
    cases: int
    events: int
    evidence_files: int
    bytes: int


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


def export_bundle(session: Session, path: str | Path, *, cases: Iterable[str] | None = None, query: str | None = None,
                  to_device: str | None = None) -> ExportSummary:
    from .api import case_filter, new_id

    services, db = session.services, session.db
    path = Path(path)
    if path.exists():
        raise InvalidInput.at("out", f"文件已存在，不会覆盖：{path}")
    if cases:
        case_ids = [services.resolve_case(c) for c in cases]
    else:
        where, args = case_filter(stage=None, officer=None, overdue=False, query=query, year=None, today=services.today())
        case_ids = [r[0] for r in db.execute(f'SELECT id FROM "case" WHERE {where}', args)]
    parties = {r[0] for r in db.execute(
        f'SELECT party_id FROM "case" WHERE id IN ({",".join("?" * len(case_ids))})', case_ids)} if case_ids else set()
    wanted = set(case_ids) | {f"evaluation/{c}" for c in case_ids} | {f"party/{p}" for p in parties if p}
    since = 0
    if to_device:
        if not _DEVICE.fullmatch(to_device):
            raise InvalidInput.at("to_device", f"设备ID无效：{to_device}")
        row = db.execute("SELECT sent_upto_seq FROM peer WHERE device_id = ?", [to_device]).fetchone()
        since = int(row[0]) if row else 0
    selective = bool(cases or query)
    rows = [r for r in db.execute(f"SELECT {_COLUMNS} FROM event WHERE seq > ? ORDER BY seq", [since])
            if r[2] in wanted or r[2].startswith(("officer/", "agency/", "config/"))]
    evidence = []
    for r in rows:
        if r[7] == "add_evidence":
            sha = json.loads(r[8]).get("sha256", "")
            if not services.evidence.has(sha):
                raise InvalidInput.at("evidence", f"证据文件 {sha[:12]}… 不在本机证据库中，无法打包（请先运行 verify）")
            evidence.append(sha)
    bundle_id = new_id()
    events_text = "".join(
        json.dumps({"hash": r[1], "stream": r[2], "parents": r[3], "actor": r[4], "device": r[5], "at": r[6], "kind": r[7],
                    "payload": r[8].decode("utf-8") if isinstance(r[8], bytes) else str(r[8])}, ensure_ascii=False) + "\n"
        for r in rows
    ).encode("utf-8")
    files: dict[str, dict[str, Any]] = {"events.jsonl": {"sha256": hashlib.sha256(events_text).hexdigest(), "size": len(events_text)}}
    partial = path.with_suffix(path.suffix + ".part")
    try:
        _write_bundle(partial, events_text, evidence, services, files, db, bundle_id, to_device, case_ids, len(rows))
        with db.atomic():
            session._record(f"device/{to_device or 'removable-media'}", "export_bundle",
                            {"bundle_id": bundle_id, "to_device": to_device or "", "cases": len(case_ids), "events": len(rows),
                             "evidence_files": len(set(evidence))})
            if to_device and not selective:
                # only a bundle of everything moves the mark: a bundle of some cases leaves the others still to send
                upto = max([since] + [r[0] for r in rows])
                db.execute("INSERT INTO peer (device_id, sent_upto_seq, last_sent_at) VALUES (?, ?, ?) ON CONFLICT(device_id) "
                           "DO UPDATE SET sent_upto_seq = excluded.sent_upto_seq, last_sent_at = excluded.last_sent_at",
                           [to_device, upto, services.clock().isoformat()])
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return ExportSummary(path, bundle_id, len(case_ids), len(rows), len(set(evidence)), path.stat().st_size)


def _write_bundle(partial: Path, events_text: bytes, evidence: list[str], services, files: dict[str, Any], db, bundle_id: str,
                  to_device: str | None, case_ids: list[str], count: int) -> None:
    with zipfile.ZipFile(partial, "w") as bundle:
        bundle.writestr("events.jsonl", events_text, compress_type=zipfile.ZIP_DEFLATED)
        for sha in dict.fromkeys(evidence):
            source = services.evidence.path_for(sha)
            bundle.write(source, f"evidence/{sha}", compress_type=zipfile.ZIP_STORED)
            files[f"evidence/{sha}"] = {"sha256": sha, "size": source.stat().st_size}
        manifest = {"format": FORMAT, "bundle_id": bundle_id, "from_device": meta(db, "device_id"),
                    "from_name": meta(db, "device_name"), "public_key": meta(db, "device_public_key"),
                    "created_at": services.clock().isoformat(), "to_device": to_device or "", "cases": case_ids,
                    "events": count, "files": files}
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(meta(db, "device_key")))
        bundle.writestr("manifest.json", manifest_bytes, compress_type=zipfile.ZIP_DEFLATED)
        bundle.writestr("manifest.sig", key.sign(manifest_bytes).hex())  # the manifest names every file's hash


# --- import ----------------------------------------------------------------------------------------------


def _read_checked(path: Path, services, cancelled: Callable[[], bool] | None = None) -> tuple[dict[str, Any], list[Event], dict[str, Path]]:
    """Everything in the bundle, checked; evidence files staged beside the store while they are hashed
    (each byte is read once). Raises BundleError."""
    problems: list[str] = []
    staged: dict[str, Path] = {}
    try:
        bundle = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleError(path, [f"不是有效的案件包（zip）：{exc}"]) from None
    try:
        with bundle:
            names = set(bundle.namelist())
            if "manifest.json" not in names:
                raise BundleError(path, ["缺少 manifest.json"])
            try:
                manifest_bytes = bundle.read("manifest.json")
                manifest = json.loads(manifest_bytes)
                signature = bytes.fromhex(bundle.read("manifest.sig").decode("ascii")) if "manifest.sig" in names else b""
            except (ValueError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
                raise BundleError(path, [f"manifest.json 或其签名无法读取：{exc}"]) from None
            try:
                Ed25519PublicKey.from_public_bytes(bytes.fromhex(str(manifest.get("public_key", "")))).verify(signature, manifest_bytes)
            except (ValueError, InvalidSignature, AttributeError):
                raise BundleError(path, ["清单的签名不符：案件包不是由其所称的设备生成，或清单已被改动"]) from None
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
                raise BundleError(path, [f"manifest.json 不是 {FORMAT} 格式"])
            listed = manifest["files"]
            if not all(isinstance(v, dict) for v in listed.values()) or not _DEVICE.fullmatch(str(manifest.get("from_device") or "unknown")):
                raise BundleError(path, ["manifest.json 的文件清单或设备ID格式错误"])
            for name in sorted(names - set(listed) - {"manifest.json", "manifest.sig"}):
                problems.append(f"包内文件 {name} 未登记在清单中")
            for name in listed:
                if name not in names:
                    problems.append(f"清单中的文件 {name} 缺失")
            evidence = [n for n in listed if n in names and n.startswith("evidence/")]
            _stage_evidence(path, evidence, listed, services, staged, problems, cancelled)
            events: list[Event] = []
            if "events.jsonl" in names:
                try:
                    declared = (listed.get("events.jsonl") or {}).get("size")
                    if bundle.getinfo("events.jsonl").file_size != declared:  # checked before reading: no zip bomb
                        raise ValueError("大小与清单不符")
                    data: bytes | None = bundle.read("events.jsonl")
                except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, NotImplementedError) as exc:  # CRC, encryption…
                    problems.append(f"文件 events.jsonl 已损坏：{exc}")
                    data = None
                if data is not None:
                    expected = listed.get("events.jsonl") or {}
                    if hashlib.sha256(data).hexdigest() != expected.get("sha256") or len(data) != expected.get("size"):
                        problems.append("文件 events.jsonl 与清单不符（SHA-256 或大小不同），可能已被改动")
                    else:
                        events = _parse_events(data, problems)
        if problems:
            raise BundleError(path, problems)
        return manifest, events, staged
    except BaseException:
        for tmp in staged.values():
            services.evidence.discard(tmp)
        raise


def _stage_evidence(path: Path, names: list[str], listed: Mapping[str, Any], services, staged: dict[str, Path],
                    problems: list[str], cancelled: Callable[[], bool] | None = None) -> None:
    """Read, hash and stage each evidence file."""
    with zipfile.ZipFile(path) as bundle:
        for name in names:
            if cancelled is not None and cancelled():
                raise InterruptedError("已取消导入，数据库未作任何改动")
            try:
                if bundle.getinfo(name).file_size != (listed.get(name) or {}).get("size"):
                    raise ValueError("大小与清单不符")
                with bundle.open(name) as fh:
                    sha, size, tmp = services.evidence.stage(fh)
            except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, NotImplementedError) as exc:
                problems.append(f"文件 {name} 已损坏：{exc}")
                continue
            staged[name[len("evidence/"):]] = tmp
            expected = listed.get(name) or {}
            if sha != expected.get("sha256") or size != expected.get("size"):
                problems.append(f"文件 {name} 与清单不符（SHA-256 或大小不同），可能已被改动")
            if sha != name[len("evidence/"):]:
                problems.append(f"证据文件 {name} 的内容与其名称（SHA-256）不符")


def _parse_events(text: bytes, problems: list[str]) -> list[Event]:
    """Events as sent, each hash recomputed from the columns exactly as they arrived (and will be
    stored): the text is hashed once and kept, so the row written here is byte for byte the row sent."""
    events = []
    seen: set[str] = set()
    for n, line in enumerate(text.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            stream, parents, actor, device, at, kind = (str(raw[k]) for k in ("stream", "parents", "actor", "device", "at", "kind"))
            payload_bytes = str(raw["payload"]).encode("utf-8")
            digest = event_hash(stream, parents, actor, device, at, kind, payload_bytes)
            moment = datetime.fromisoformat(at)
            event = Event(stream, tuple(p for p in parents.split(",") if p), actor, device, moment, kind, json.loads(payload_bytes))
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"第{n}条记录格式错误：{exc}")
            continue
        if digest != raw.get("hash"):
            problems.append(f"第{n}条记录（{raw.get('kind')}）的内容与其哈希不符，已被改动")
            continue
        if not isinstance(event.payload, dict) or not _STREAM.fullmatch(stream):
            problems.append(f"第{n}条记录（{kind}）的记录流 {stream[:40]} 或内容格式不是本系统所写")
            continue
        if digest in seen:
            problems.append(f"第{n}条记录重复出现")
            continue
        seen.add(digest)
        if moment.isoformat(timespec="microseconds") != at or ",".join(sorted(event.parents)) != parents:
            problems.append(f"第{n}条记录（{kind}）的时间或前序记录不是规范写法")
            continue
        # the canonical parts as they arrived (their hash was just checked): not serialised a second time
        event.__dict__.update(payload_bytes=payload_bytes, parents_text=parents, at_text=at, hash=digest)
        events.append(event)
    return events


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


def fingerprint(public_key: str) -> str:
    digest = hashlib.sha256(bytes.fromhex(public_key)).hexdigest()[:20].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 20, 4))


def import_bundle(session: Session, path: str | Path, cancelled: Callable[[], bool] | None = None,
                  trust_new: bool = False) -> ImportSummary:
    """``trust_new``: the user has compared the sending device's key fingerprint and trusts it from now on
    (the first bundle from a machine). A device whose key has changed is never trusted this way."""
    services, db = session.services, session.db
    path = Path(path)
    if not path.is_file():
        raise InvalidInput.at("file", f"文件不存在：{path}")
    manifest, events, staged = _read_checked(path, services, cancelled)
    try:
        device, key = str(manifest.get("from_device", "")), str(manifest.get("public_key", ""))
        trusted = db.execute("SELECT public_key FROM trusted_device WHERE device_id = ?", [device]).fetchone()
        own = device == meta(db, "device_id") and key == meta(db, "device_public_key")
        accepted = own or (trusted is not None and trusted[0] == key) or (trusted is None and trust_new)
        if not accepted:
            raise UntrustedDevice(path, device, str(manifest.get("from_name", "")), key, trusted[0] if trusted else None)
        summary = ImportSummary(str(manifest.get("bundle_id", "")), str(manifest.get("from_device", "")), str(manifest.get("from_name", "")))
        known = event_store.known_hashes(db, [e.hash for e in events])
        new = [e for e in events if e.hash not in known]
        summary.known_events = len(events) - len(new)
        # every parent must be here already or come earlier in the bundle
        have = set(known)
        missing_parents = set()
        for e in new:
            missing_parents |= {p for p in e.parents if p not in have}
            have.add(e.hash)
        if missing_parents:
            present = event_store.known_hashes(db, sorted(missing_parents))
            absent = sorted(missing_parents - present)
            if absent:
                raise BundleError(path, [f"记录 {p[:12]}… 所接续的前一条记录不在包内也不在本数据库中" for p in absent[:10]])
        registered = {r[0] for r in db.execute("SELECT sha256 FROM evidence")}
        lacking = [e.payload.get("sha256") for e in new if e.kind == "add_evidence"
                   and e.payload.get("sha256") not in staged and e.payload.get("sha256") not in registered]
        if lacking:
            raise BundleError(path, [f"证据文件 {str(s)[:12]}… 既不在包内也不在本机证据库中" for s in lacking[:10]])
        in_bundle = {e.stream for e in events}
        parties = {f"party/{e.payload.get('party_id')}" for e in new if e.kind in ("register_lead", "record_simple_decision")}
        have_parties = {f"party/{r[0]}" for r in db.execute("SELECT id FROM party")}
        orphans = sorted(p for p in parties if p not in in_bundle and p not in have_parties)
        if orphans:
            raise BundleError(path, [f"案件的当事人 {p[6:18]}… 不在包内也不在本数据库中" for p in orphans[:10]])
        staged_sizes = {sha: tmp.stat().st_size for sha, tmp in staged.items()}
        wrong = [e for e in new if e.kind == "add_evidence" and e.payload.get("sha256") in staged_sizes
                 and int(e.payload.get("size", -1)) != staged_sizes[e.payload["sha256"]]]
        if wrong:
            raise BundleError(path, [f"证据 {str(e.payload.get('sha256'))[:12]}… 登记的大小与文件不符" for e in wrong[:10]])
        affected_cases = {e.stream for e in new if "/" not in e.stream}
        existing_cases = {r[0] for r in db.execute(
            f'SELECT id FROM "case" WHERE id IN ({",".join("?" * len(affected_cases))})', sorted(affected_cases))} if affected_cases else set()
        with db.atomic():
            if trust_new and not own and trusted is None:
                session._record(f"device/{device}", "trust_device", {"device": device, "name": manifest.get("from_name", ""),
                                                                      "public_key": key, "fingerprint": fingerprint(key)})
                db["trusted_device"].insert({"device_id": device, "public_key": key, "name": str(manifest.get("from_name", "")),
                                             "trusted_at": services.clock().isoformat(), "trusted_by": session.actor.id})
            event_store.append_many(db, new)
            for sha, tmp in staged.items():
                services.evidence.commit(tmp, sha)
            staged.clear()
            for e in new:
                if e.kind == "add_evidence":
                    p = e.payload
                    db.execute("INSERT OR IGNORE INTO evidence (sha256, size, media_type, original_name, stored_at) VALUES (?,?,?,?,?)",
                               [p.get("sha256"), int(p.get("size", 0)), p.get("media_type", ""), p.get("original_name", ""), e.at_text])
                    summary.evidence_files += 1
                conflict = _project_reference(db, e)
                if conflict:
                    summary.conflicts.append(conflict)
                if e.kind in APPROVAL_KINDS:
                    summary.approvals.append(f"{APPROVAL_KINDS[e.kind]}（{e.stream[:12]}，{e.at_text[:10]}）")
            services._officers = services._agency = services._policies = services._calendar = services._benchmarks = None
            arrived: dict[str, list[Event]] = {}
            for e in new:
                arrived.setdefault(e.stream, []).append(e)
            for case_id in sorted(affected_cases):
                if case_id in existing_cases:
                    state = services.case_state(case_id)[0]
                else:  # a case new here is exactly what arrived: fold it from memory, not from the rows just written
                    state = services.fold_events(case_id, [RecordedEvent(0, e.hash, e.stream, e.parents, e.actor, e.device, e.at,
                                                                         e.kind, e.payload) for e in arrived[case_id]])
                party = services.party(state.party_id) if state.party_id else None
                session._project(state, services.context(session.actor, party=party))
                (summary.updated_cases if case_id in existing_cases else summary.new_cases).append(state.case_no or case_id)
            summary.new_events = len(new)
            session._record(f"device/{summary.from_device or 'unknown'}", "import_bundle", {
                "bundle_id": summary.bundle_id, "from_device": summary.from_device, "new_events": summary.new_events,
                "known_events": summary.known_events, "new_cases": len(summary.new_cases),
                "updated_cases": len(summary.updated_cases), "conflicts": summary.conflicts})
            if summary.from_device:
                db.execute("INSERT INTO peer (device_id, name, bundles_received, last_received_at) VALUES (?, ?, 1, ?) "
                           "ON CONFLICT(device_id) DO UPDATE SET name = excluded.name, bundles_received = bundles_received + 1, "
                           "last_received_at = excluded.last_received_at",
                           [summary.from_device, summary.from_name, services.clock().isoformat()])
        services._states.clear()
        return summary
    except BaseException:
        # the transaction rolled back: what the caches loaded inside it must not outlive it
        services._officers = services._agency = services._policies = services._calendar = services._benchmarks = None
        services._parties.clear()
        services._states.clear()
        raise
    finally:
        for tmp in staged.values():
            services.evidence.discard(tmp)


def _project_reference(db, e: Event) -> str:
    """Bring an imported reference event into this database's tables through the same projections the
    services use (``projections``); returns a conflict with what this database holds, or ''."""
    p: Mapping[str, Any] = e.payload
    if e.kind == "register_party":
        projections.project_party(db, p)
    elif e.kind == "register_officer":
        row = db.execute("SELECT id FROM officer WHERE login = ?", [p.get("login")]).fetchone()
        if row and row[0] != p.get("id"):
            return f"登录名 {p.get('login')} 在本机已属于另一人员，未导入该人员（{p.get('name')}）"
        if row is None and not db.execute("SELECT 1 FROM officer WHERE id = ?", [p.get("id")]).fetchone():
            projections.project_officer(db, p)  # no password: the officer logs in on their own machine
    elif e.kind == "update_officer":
        from .api import apply_officer_update

        if db.execute("SELECT 1 FROM officer WHERE id = ?", [p.get("id")]).fetchone():
            # certificates follow the officer; roles, qualification and accounts are this machine's administrator's call
            apply_officer_update(db, {k: v for k, v in p.items() if k not in _PRIVILEGED})
            if any(k in p for k in _PRIVILEGED):
                return f"人员 {p.get('id', '')[:12]}… 的角色、资格或账户变更未自动生效，请本机管理员核对后办理"
    elif e.kind == "set_agency":
        row = db.execute("SELECT id, name, seal_name, area, case_no_prefix FROM agency").fetchone()
        if row is None:
            projections.project_agency(db, p)
        elif tuple(row) != (p.get("id"), p.get("name"), p.get("seal_name"), p.get("area"), p.get("case_no_prefix")):
            return f"执法主体设置与本机不同（{p.get('name')}，案号前缀 {p.get('case_no_prefix')}），未覆盖本机设置"
    elif e.kind == "set_policy":
        row = db.execute("SELECT body FROM policy_version WHERE version = ?", [p.get("version")]).fetchone()
        if row is None:
            projections.project_policy(db, p)
        elif json.loads(row[0]) != projections.policy_body(p):
            return f"裁量与审核参数版本 {p.get('version')} 与本机同名版本内容不同，未覆盖"
    elif e.kind == "import_calendar":
        row = db.execute("SELECT body FROM calendar_year WHERE year = ?", [p.get("year")]).fetchone()
        if row is None:
            projections.project_calendar(db, p)
        elif json.loads(row[0]) != projections.calendar_body(p):
            return f"{p.get('year')}年节假日安排与本机不同，未覆盖"
    elif e.kind == "import_benchmark_set":
        row = db.execute("SELECT sha256 FROM benchmark_set WHERE id = ? AND version = ?", [p.get("id"), p.get("version")]).fetchone()
        if row is None:
            projections.project_benchmark_set(db, p, e.at_text, e.actor)
        elif row[0] != p.get("sha256"):
            return f"裁量基准 {p.get('id')}（{p.get('version')}）与本机同版本内容不同，未覆盖"
    return ""
