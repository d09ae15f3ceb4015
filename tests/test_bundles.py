"""Case bundles between three databases, forks that close, and bundles refused whole when tampered."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
import steps
from conftest import signed_in

from enforcement_app.cli.main import main as cli
from enforcement_app.domain.refusals import PermissionDenied
from enforcement_app.services import Services
from enforcement_app.services.bundles import BundleError


def _snapshot(services: Services) -> dict[str, set[str]]:
    """Every event hash per stream, leaving out each database's own exchange bookkeeping (device/*)."""
    found: dict[str, set[str]] = {}
    for stream, digest in services.db.execute("SELECT stream, hash FROM event WHERE stream NOT LIKE 'device/%'"):
        found.setdefault(stream, set()).add(digest)
    return found


def _device(world, name: str) -> Services:
    return Services(world.services.path.parent / f"{name}.db", clock=world.clock)


def _ship(source, target, tmp_path, name: str, **selection):
    """Bundle from ``source`` (a Session), import into ``target`` (a Services), as its system session when
    the target has no users yet (a new machine) or as ``admin``."""
    path = tmp_path / f"{name}.ecb"
    source.export_bundle(path, encrypt=False, **selection)
    has_users = target.db.execute("SELECT count(*) FROM officer").fetchone()[0]
    receiver = signed_in(target, "admin") if has_users else target.system_session()
    return receiver.import_bundle(path, trust_new=True)  # the administrator has compared the key fingerprint


def _filed_and_inspected_with_a_photo(world, tmp_path) -> str:
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    world.as_(world.officer_a).add_evidence(case_id, photo, {"kind": "audiovisual", "description": "现场照片", "source": "现场拍摄",
                                                              "collected_by": [world.officer_a.id]})
    return case_id


def test_three_machines_exchange_a_case_and_end_with_the_same_history(world, tmp_path):
    laptop = world.services
    reviewer_desk = _device(world, "reviewer")
    second_laptop = _device(world, "second")
    case_id = _filed_and_inspected_with_a_photo(world, tmp_path)
    steps.inquire(world, case_id)

    # the second officer takes the case on a laptop of their own and questions a witness there
    summary = _ship(world.as_(world.officer_a), second_laptop, tmp_path, "to-second")
    assert summary.new_cases == [world.as_(world.officer_a).view(case_id).state.case_no]
    world.clock.set("2025-03-06T10:00")
    signed_in(second_laptop, "lihua").perform(case_id, "record_inquiry", {
        "started_at": "2025-03-06T09:00", "ended_at": "2025-03-06T09:40", "place": "现场", "officers": [world.officer_b.id, world.officer_a.id],
        "recorder": "李华", "certificates_shown": True, "rights_notified": True, "person": {"name": "王某", "relation": "证人"},
        "qa": [{"q": "是否看到过期酸奶在售？", "a": "看到了。"}]})

    # meanwhile the case goes on on the first laptop, to the reviewer and back
    world.clock.set("2025-03-07T09:00")
    steps.report(world, case_id, fine_yuan=150000)
    steps.submit_review(world, case_id)
    assert _ship(world.as_(world.officer_a), reviewer_desk, tmp_path, "to-reviewer").new_events > 0
    world.clock.set("2025-03-10T09:00")
    checklist = {item: {"finding": "pass", "comment": ""} for item in (
        "agency_competence", "officer_qualification", "procedure", "facts_and_evidence", "law_applied",
        "discretion_benchmark", "within_powers", "documents", "suspected_crime")}
    signed_in(reviewer_desk, "chenshen").perform(case_id, "record_legal_review", {"outcome": "approve", "checklist": checklist, "opinion": "同意"})
    back = _ship(signed_in(reviewer_desk, "chenshen"), laptop, tmp_path, "from-reviewer", cases=[case_id])
    assert any("法制审核" in a for a in back.approvals)
    assert world.as_(world.officer_a).view(case_id).state.review["outcome"] == "approve"

    # the second laptop's inquiry arrives: the case has forked
    merged = _ship(signed_in(second_laptop, "lihua"), laptop, tmp_path, "from-second", cases=[case_id])
    assert merged.new_events == 1
    view = world.as_(world.officer_a).view(case_id)
    assert view.as_dict()["fork"] and len(view.heads) == 2
    assert laptop.verify().ok

    # the next step on the laptop lists both heads and closes the fork
    world.clock.set("2025-03-11T09:00")
    steps.notice(world, case_id, fine_yuan=150000)
    view = world.as_(world.officer_a).view(case_id)
    assert len(view.heads) == 1 and not view.as_dict()["fork"]
    notice = next(e for e in view.events if e.kind == "issue_prior_notice")
    assert len(notice.parents) == 2
    world.clock.set("2025-03-20T09:00")
    steps.decide(world, case_id, fine_yuan=150000)

    # everything goes everywhere
    _ship(world.as_(world.officer_a), reviewer_desk, tmp_path, "final-reviewer")
    _ship(world.as_(world.officer_a), second_laptop, tmp_path, "final-second")
    _ship(signed_in(second_laptop, "lihua"), laptop, tmp_path, "final-back")
    _ship(signed_in(reviewer_desk, "chenshen"), laptop, tmp_path, "final-back-2")
    # the parties of other cases stay on the laptop; everything this case and its people need is everywhere
    party = f"party/{world.company.id}"
    snapshots = [{k: v for k, v in _snapshot(s).items() if not k.startswith("party/") or k == party}
                 for s in (laptop, reviewer_desk, second_laptop)]
    assert snapshots[0] == snapshots[1] == snapshots[2]
    assert case_id in snapshots[0] and party in snapshots[0] and f"officer/{world.reviewer.id}" in snapshots[0]
    states = [_as(s, "zhangming").view(case_id).state for s in (laptop, reviewer_desk, second_laptop)]
    assert {s.stage for s in states} == {"decided"} and len({s.decision["fine_fen"] for s in states}) == 1
    for services in (laptop, reviewer_desk, second_laptop):
        report = services.verify()
        assert report.ok, report.problems
    reviewer_desk.close()
    second_laptop.close()


def _as(services: Services, login: str):
    return signed_in(services, login)


@pytest.fixture
def bundled(world, tmp_path):
    case_id = _filed_and_inspected_with_a_photo(world, tmp_path)
    path = tmp_path / "case.ecb"
    world.as_(world.officer_a).export_bundle(path, encrypt=False)
    target = _device(world, "target")
    yield path, target, case_id
    target.close()


def _signature(manifest: dict, data: bytes, key) -> str:
    """``manifest.sig`` for the manifest bytes ``data``: the signer the manifest names, and the signature."""
    return json.dumps({"format": manifest["format"], "device": manifest["from_device"], "name": manifest["from_name"],
                       "public_key": manifest["public_key"], "signature": key.sign(data).hex()})


def _signed(world, manifest: dict) -> tuple[bytes, str]:
    """The manifest signed with the laptop's own key: what a trusted device (or a bug in it) would send."""
    data = json.dumps(manifest).encode()
    return data, _signature(manifest, data, world.services.device_signing_key())


def _with_events(world, path, out, events: bytes) -> None:
    """``path`` with its events replaced, and the manifest signed again by the sending device: what a
    trusted but faulty (or subverted) machine could send."""
    import hashlib

    with zipfile.ZipFile(path) as src:
        manifest = json.loads(src.read("manifest.json"))
        manifest["files"]["events.txt"] = {"sha256": hashlib.sha256(events).hexdigest(), "size": len(events)}
        data, signature = _signed(world, manifest)
        with zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                if info.filename not in ("manifest.json", "manifest.sig", "events.txt"):
                    dst.writestr(info.filename, src.read(info.filename))
            dst.writestr("events.txt", events)
            dst.writestr("manifest.json", data)
            dst.writestr("manifest.sig", signature)


def _rewrite(path, out, change) -> None:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info.filename))
            if data is not None:
                dst.writestr(info.filename, data)


def _events(data: bytes) -> list[bytes]:
    """The events of a bundle's events.txt, each as its canonical bytes and the newline after them."""
    blocks = re.split(rb"(?=^ecr-event/1\n)", data, flags=re.MULTILINE)
    assert blocks[0] == b"" and all(b.endswith(b"}\n") for b in blocks[1:])
    return blocks[1:]


def _state_of(services: Services) -> tuple:
    events = services.db.execute("SELECT count(*) FROM event").fetchone()[0]
    files = sorted(p.name for p in services.evidence.root.rglob("*")) if services.evidence.root.exists() else []
    return events, files


@pytest.mark.parametrize("tamper", ["event byte", "evidence byte", "manifest", "missing file", "extra file"])
def test_a_tampered_bundle_is_refused_whole(bundled, tmp_path, tamper):
    path, target, _case = bundled
    forged = tmp_path / "forged.ecb"

    def change(name, data):
        if tamper == "event byte" and name == "events.txt":
            return data.replace("酸奶12盒".encode(), "酸奶2盒".encode() + b" ", 1)
        if tamper == "evidence byte" and name.startswith("evidence/"):
            return data[:-1] + bytes([data[-1] ^ 1])
        if tamper == "manifest" and name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["events.txt"]["size"] += 1
            return json.dumps(manifest).encode()
        if tamper == "missing file" and name.startswith("evidence/"):
            return None
        return data

    _rewrite(path, forged, change)
    if tamper == "extra file":
        with zipfile.ZipFile(forged, "a") as bundle:
            bundle.writestr("evidence/smuggled", b"x")
    before = _state_of(target)
    with pytest.raises(BundleError) as refused:
        target.system_session().import_bundle(forged, trust_new=True)
    assert refused.value.problems
    assert _state_of(target) == before  # nothing added, no staged file left behind


def test_an_event_whose_hash_was_recomputed_but_whose_parent_is_missing_is_refused(bundled, world, tmp_path):
    path, target, _case = bundled
    forged = tmp_path / "orphan.ecb"
    with zipfile.ZipFile(path) as src:
        kept = [e for e in _events(src.read("events.txt")) if b"\nkind:request_filing\n" not in e]  # approve_filing's parent
    _with_events(world, path, forged, b"".join(kept))
    with pytest.raises(BundleError) as refused:
        target.system_session().import_bundle(forged, trust_new=True)
    assert any("前一条记录不在包内" in p for p in refused.value.problems)
    assert target.db.execute("SELECT count(*) FROM event").fetchone()[0] == 0


def test_importing_the_same_bundle_twice_changes_nothing(bundled, world):
    path, target, case_id = bundled
    first = target.system_session().import_bundle(path, trust_new=True)
    assert first.new_events > 0 and first.evidence_files == 1
    assert [n for n in _evidence_files(target) if n.startswith(".")] == []  # nothing staged, no job file left
    before = _snapshot(target)
    again = signed_in(target, "admin").import_bundle(path)
    assert again.new_events == 0 and again.known_events == first.new_events
    assert _snapshot(target) == before
    assert target.verify().ok
    assert signed_in(target, "zhangming").view(case_id).state.case_no == world.as_(world.officer_a).view(case_id).state.case_no


def test_conflicting_configuration_is_reported_not_overwritten(bundled, world):
    path, target, _case = bundled
    system = target.system_session()
    system.set_agency({"name": "另一执法机关", "seal_name": "另一执法机关", "area": "别处", "case_no_prefix": "别罚字"})
    system.register_officer({"name": "另一张明", "login": "zhangming", "roles": ["officer"]})
    summary = system.import_bundle(path, trust_new=True)
    assert any("执法主体设置与本机不同" in c for c in summary.conflicts)
    assert any("登录名 zhangming" in c for c in summary.conflicts)
    assert target.agency().name == "另一执法机关"
    assert target.verify().ok


def test_since_the_last_bundle_sent_to_a_device(world, tmp_path):
    case_id = steps.lead(world, world.company)
    target = _device(world, "office")
    device = target.db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
    s = world.as_(world.officer_a)
    s.export_bundle(tmp_path / "first.ecb", to_device=device, encrypt=False)
    target.system_session().import_bundle(tmp_path / "first.ecb", trust_new=True)
    steps.file(world, case_id)
    summary = s.export_bundle(tmp_path / "second.ecb", to_device=device, encrypt=False)
    assert summary.events == 2  # only the filing request and its approval
    result = signed_in(target, "admin").import_bundle(tmp_path / "second.ecb")
    assert result.new_events == 2 and result.updated_cases
    target.close()


def test_cli_bundle_export_and_import(world, tmp_path, capsys, monkeypatch):
    case_id = steps.lead(world, world.company)
    world.services.close()
    monkeypatch.setenv("ENFORCEMENT_PASSWORD", "secret-pass-1")  # zhangming's
    out = tmp_path / "cli.ecb"
    assert cli(["--db", str(world.services.path), "--user", "zhangming", "bundle", "export", "--out", str(out), "--case", case_id, "--plain"]) == 0
    assert "1 件案件" in capsys.readouterr().out
    target = tmp_path / "new-machine.db"
    assert cli(["--db", str(target), "bundle", "import", str(out)]) == 2  # a device not yet trusted
    assert "尚未被本机信任" in capsys.readouterr().err
    assert cli(["--db", str(target), "bundle", "import", str(out), "--trust-new-device", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["new_cases"] and result["new_events"] > 0
    assert cli(["--db", str(world.services.path), "--user", "zhangming", "bundle", "devices", "--set-name", "执法一队笔记本"]) == 0
    assert "执法一队笔记本" in capsys.readouterr().out
    assert cli(["--db", str(target), "--user", "admin", "bundle", "devices", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["bundles_received"] == 1
    broken = tmp_path / "broken.ecb"
    broken.write_bytes(out.read_bytes()[:-200])
    # no password travels in a bundle: the receiving machine's own administrator, registered there, receives the next one
    with Services(target) as services:
        services.system_session().register_officer({"name": "收件管理员", "login": "receiver", "roles": ["admin"], "password": "receiver-pass"})
    password = tmp_path / "receiver-password.txt"
    password.write_text("receiver-pass\n", encoding="utf-8")
    assert cli(["--db", str(target), "--user", "receiver", "--password-file", str(password), "bundle", "import", str(broken)]) == 2
    assert "不是有效的案件包" in capsys.readouterr().err


def test_a_failed_import_leaves_nothing_behind_in_memory_either(bundled, monkeypatch):
    path, target, _case = bundled
    session = target.system_session()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full while rebuilding the case list")

    monkeypatch.setattr(type(session), "case_row", broken)
    with pytest.raises(RuntimeError):
        session.import_bundle(path, trust_new=True)
    assert target.db.execute("SELECT count(*) FROM officer").fetchone()[0] == 0
    assert target.officers() == {}  # the officers read inside the rolled-back transaction are forgotten
    assert target.agency() is None


def test_powers_granted_on_another_machine_are_reported_not_applied(world, tmp_path):
    target = _device(world, "office")
    s = world.as_(world.officer_a)
    s.export_bundle(tmp_path / "first.ecb", encrypt=False)
    target.system_session().import_bundle(tmp_path / "first.ecb", trust_new=True)
    world.as_(world.admin).update_officer(world.officer_b.id, {"roles": ["officer", "admin"]})
    world.as_(world.admin).update_officer(world.officer_b.id, {"add_certificate": {
        "certificate_no": "44130002C", "area": "仲恺高新区", "valid_from": "2025-01-01", "valid_to": "2029-01-01"}})
    s.export_bundle(tmp_path / "second.ecb", encrypt=False)
    summary = signed_in(target, "admin").import_bundle(tmp_path / "second.ecb")
    assert any("角色、资格或账户变更未自动生效" in c for c in summary.conflicts)
    lihua = target.officers()[world.officer_b.id]
    assert {r.value for r in lihua.roles} == {"officer"}
    assert "44130002C" in {c.certificate_no for c in lihua.certificates}  # certificates do follow
    target.close()


def test_bundles_of_some_cases_to_a_device_do_not_skip_the_others(world, tmp_path):
    first = steps.lead(world, world.company)
    second = steps.lead(world, world.person)
    target = _device(world, "office")
    device = target.db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
    s = world.as_(world.officer_a)
    s.export_bundle(tmp_path / "one.ecb", cases=[first], to_device=device, encrypt=False)
    target.system_session().import_bundle(tmp_path / "one.ecb", trust_new=True)
    s.export_bundle(tmp_path / "two.ecb", cases=[second], to_device=device, encrypt=False)
    summary = signed_in(target, "admin").import_bundle(tmp_path / "two.ecb")
    assert summary.new_cases and signed_in(target, "zhangming").view(second).state.party_name == "刘某"
    target.close()


def test_a_duplicated_event_line_is_refused(bundled, world, tmp_path):
    path, target, _case = bundled
    forged = tmp_path / "dup.ecb"
    with zipfile.ZipFile(path) as src:
        blocks = _events(src.read("events.txt"))
    _with_events(world, path, forged, b"".join(blocks + blocks[-1:]))
    with pytest.raises(BundleError) as refused:
        target.system_session().import_bundle(forged, trust_new=True)
    assert any("重复" in p for p in refused.value.problems)


def test_a_cancelled_import_changes_nothing(bundled):
    path, target, _case = bundled
    with pytest.raises(InterruptedError):
        target.system_session().import_bundle(path, cancelled=lambda: True, trust_new=True)
    assert target.db.execute("SELECT count(*) FROM event").fetchone()[0] == 0
    files = list(target.evidence.root.rglob("*")) if target.evidence.root.exists() else []
    assert [p for p in files if p.is_file()] == []  # nothing staged is left behind


def test_only_trusted_devices_and_their_own_keys_are_accepted(bundled, world, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from enforcement_app.services.bundles import UntrustedDevice

    path, target, _case = bundled
    with pytest.raises(UntrustedDevice) as refused:
        target.system_session().import_bundle(path)
    assert not refused.value.key_changed and refused.value.fingerprint in refused.value.problems[0]
    target.system_session().import_bundle(path, trust_new=True)
    # a forger re-signs a changed bundle with a key of their own under the trusted device's id
    forged = tmp_path / "resigned.ecb"
    key = Ed25519PrivateKey.generate()
    with zipfile.ZipFile(path) as src:
        manifest = json.loads(src.read("manifest.json"))
        manifest["public_key"] = key.public_key().public_bytes_raw().hex()
        data = json.dumps(manifest).encode()
        with zipfile.ZipFile(forged, "w") as dst:
            for info in src.infolist():
                if info.filename not in ("manifest.json", "manifest.sig"):
                    dst.writestr(info.filename, src.read(info.filename))
            dst.writestr("manifest.json", data)
            dst.writestr("manifest.sig", _signature(manifest, data, key))
    with pytest.raises(UntrustedDevice) as refused:
        signed_in(target, "admin").import_bundle(forged, trust_new=True)  # not even an administrator can wave it through
    assert refused.value.key_changed
    with pytest.raises(PermissionDenied):
        signed_in(target, "zhangming").import_bundle(path, trust_new=True)  # trusting devices is for administrators


def _evidence_files(services: Services) -> list[str]:
    root = services.evidence.root
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("worker", ["cannot start", "dies"])
def test_evidence_is_staged_in_this_process_when_the_worker_fails(bundled, tmp_path, monkeypatch, worker):
    """Where no worker process can start (a frozen interpreter) or one dies, the same staging runs in a
    thread of the importing process: the import still checks every file, and still succeeds."""
    import subprocess
    import sys

    from enforcement_app.store import workers

    path, target, case_id = bundled
    started = []

    def failing(module, *args, **options):
        started.append(module)
        if worker == "cannot start":
            raise OSError("no interpreter to start")
        return subprocess.Popen([sys.executable, "-c", "import sys; print('{\"half\": '); sys.exit(3)"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    monkeypatch.setattr(workers, "start", failing)
    forged = tmp_path / "forged.ecb"
    _rewrite(path, forged, lambda name, data: data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("evidence/") else data)
    with pytest.raises(BundleError) as refused:
        target.system_session().import_bundle(forged, trust_new=True)
    assert any("与清单不符" in p for p in refused.value.problems)
    assert _evidence_files(target) == []
    summary = target.system_session().import_bundle(path, trust_new=True)
    assert started == ["enforcement_app.store.evidence_stage"] * 2
    assert summary.evidence_files == 1 and target.verify().ok
    assert [n for n in _evidence_files(target) if n.startswith(".")] == []  # the job file and staged copies are gone


def test_compressed_evidence_is_read_through_the_zip_library(bundled, tmp_path):
    """The exporter stores evidence uncompressed and the worker reads it in place; a bundle re-packed with
    compression (same manifest, same signature) is inflated instead, and checked the same way."""
    path, target, case_id = bundled
    repacked = tmp_path / "repacked.ecb"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(repacked, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    with zipfile.ZipFile(repacked) as check:
        assert {i.compress_type for i in check.infolist() if i.filename.startswith("evidence/")} == {zipfile.ZIP_DEFLATED}
    summary = target.system_session().import_bundle(repacked, trust_new=True)
    assert summary.evidence_files == 1 and target.verify().ok
    sha = next(n for n in zipfile.ZipFile(path).namelist() if n.startswith("evidence/"))[len("evidence/"):]
    assert target.evidence.check(sha, target.evidence.path_for(sha).stat().st_size) is None


def test_the_case_list_finds_imported_cases_by_their_records(bundled):
    path, target, case_id = bundled
    target.system_session().import_bundle(path, trust_new=True)
    session = signed_in(target, "zhangming")
    assert [r["id"] for r in session.list_cases(query="保质期")] == [case_id]
    assert session.list_cases(query="不存在的文字") == []
    target.db.execute("INSERT INTO case_fts(case_fts) VALUES ('integrity-check')")  # raises if index and rows differ


def _patched_central_directory(path, out, prefix: str, change) -> None:
    """Change the central-directory record of each member whose name starts with ``prefix``: the zip's
    own bookkeeping, which the manifest's signature does not cover."""
    import struct

    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        (name_length,) = struct.unpack("<H", data[at + 28:at + 30])
        if bytes(data[at + 46:at + 46 + name_length]).decode().startswith(prefix):
            change(data, at)
        at = data.find(b"PK\x01\x02", at + 46)
    out.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["evidence said to be compressed", "evidence header past the end", "events deflate data"])
def test_a_damaged_zip_structure_is_refused_whole(bundled, tmp_path, damage):
    import struct

    path, target, _case = bundled
    damaged = tmp_path / "damaged.ecb"
    if damage == "evidence said to be compressed":  # the stored bytes are then inflated as if deflated: garbage
        _patched_central_directory(path, damaged, "evidence/", lambda data, at: data.__setitem__(slice(at + 10, at + 12), struct.pack("<H", 8)))
    elif damage == "evidence header past the end":
        size = path.stat().st_size
        _patched_central_directory(path, damaged, "evidence/", lambda data, at: data.__setitem__(slice(at + 42, at + 46), struct.pack("<I", size - 10)))
    else:
        data = bytearray(path.read_bytes())
        info = zipfile.ZipFile(path).getinfo("events.txt")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        data[start + 8] ^= 0xFF
        damaged.write_bytes(bytes(data))
    before = _state_of(target)
    with pytest.raises(BundleError) as refused:
        target.system_session().import_bundle(damaged, trust_new=True)
    assert refused.value.problems
    assert _state_of(target) == before


def _event(actor: bytes, payload: bytes, second: int, at_offset: bytes = b"+08:00") -> bytes:
    return (b"ecr-event/1\nstream:party/extra%d\nparents:\nactor:" % second + actor + b"\ndevice:d1\n"
            b"at:2025-03-04T10:00:%02d.000000" % second + at_offset + b"\nkind:register_party\n" + payload + b"\n")


@pytest.mark.parametrize("extra", [
    pytest.param(_event(b"al\xffce", b'{"a":1}', 1), id="actor not UTF-8"),
    pytest.param(_event(b"alice", b'{"x":"}', 1) + _event(b"alice", b'{"}', 2) + _event(b"alice", b'{"a":1},{"b":2}', 3),
                 id="payloads that only parse joined"),
    pytest.param(_event(b"alice", b'{"a":"\xe9"}', 1), id="payload not UTF-8"),
    pytest.param(_event(b"alice", b'{"a":1}', 1, b"+00:60"), id="offset written another way"),
])
def test_events_a_trusted_device_should_never_have_written_are_refused(bundled, world, tmp_path, extra):
    path, target, _case = bundled
    with zipfile.ZipFile(path) as src:
        events = src.read("events.txt")
    forged = tmp_path / "forged.ecb"
    _with_events(world, path, forged, events + extra)
    with pytest.raises(BundleError) as refused:
        target.system_session().import_bundle(forged, trust_new=True)
    assert refused.value.problems
    assert target.db.execute("SELECT count(*) FROM event").fetchone()[0] == 0
    assert _evidence_files(target) == []


def test_an_import_tells_how_far_it_has_got(bundled):
    path, target, _case = bundled
    told: list[tuple[int, int]] = []
    target.system_session().import_bundle(path, trust_new=True, progress=lambda done, total: told.append((done, total)))
    with zipfile.ZipFile(path) as bundle:
        total = sum(i.file_size for i in bundle.infolist() if i.filename == "events.txt" or i.filename.startswith("evidence/"))
    assert {t for _d, t in told} == {total}
    assert [d for d, _t in told] == sorted(d for d, _t in told) and told[-1] == (total, total)


def test_with_much_evidence_the_files_are_checked_before_the_database_is_locked(bundled, tmp_path, monkeypatch):
    """Past OVERLAP_BYTES of evidence the import checks every file before it opens its transaction (so no
    other program's write waits for the hashing): the same outcome, refusals included."""
    from enforcement_app.services import bundles

    path, target, _case = bundled
    monkeypatch.setattr(bundles, "OVERLAP_BYTES", 0)
    opened: list[bool] = []
    real_atomic = type(target.db).atomic

    def atomic(db):
        opened.append(True)
        return real_atomic(db)

    forged = tmp_path / "forged.ecb"
    _rewrite(path, forged, lambda name, data: data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("evidence/") else data)
    monkeypatch.setattr(type(target.db), "atomic", atomic)
    with pytest.raises(BundleError):
        target.system_session().import_bundle(forged, trust_new=True)
    assert opened == []  # refused before any transaction began
    summary = target.system_session().import_bundle(path, trust_new=True)
    assert summary.evidence_files == 1 and target.verify().ok


def test_evidence_no_event_names_is_refused(bundled, world, tmp_path):
    """A trusted device's signed bundle carrying a file that no add_evidence event (in it, or already here)
    registers: nothing would account for the file in the store, so the bundle is refused."""
    import hashlib

    path, target, _case = bundled
    smuggled = b"a file no record mentions"
    sha = hashlib.sha256(smuggled).hexdigest()
    forged = tmp_path / "smuggled.ecb"
    with zipfile.ZipFile(path) as src:
        manifest = json.loads(src.read("manifest.json"))
        manifest["files"][f"evidence/{sha}"] = {"sha256": sha, "size": len(smuggled)}
        data, signature = _signed(world, manifest)
        with zipfile.ZipFile(forged, "w") as dst:
            for info in src.infolist():
                if info.filename not in ("manifest.json", "manifest.sig"):
                    dst.writestr(info.filename, src.read(info.filename))
            dst.writestr(f"evidence/{sha}", smuggled)
            dst.writestr("manifest.json", data)
            dst.writestr("manifest.sig", signature)
    with pytest.raises(BundleError) as refused:
        target.system_session().import_bundle(forged, trust_new=True)
    assert refused.value.problems == [f"包内的证据文件 {sha[:12]}… 没有任何记录登记它（包内和本数据库中都没有）"]
    assert _state_of(target) == (0, [])
