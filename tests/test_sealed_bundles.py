"""Bundles on removable media are sealed to their receiving device: the file holds no identity number in the
clear, only that device opens it, any change to it is refused, and a bundle in the clear is written only
when asked for."""

from __future__ import annotations

import json
import os
import tracemalloc

import pytest
import steps

from enforcement_app.cli.main import main as cli
from enforcement_app.domain.refusals import InvalidInput
from enforcement_app.services import Services
from enforcement_app.services.bundles import BundleError

SEALED_MAGIC = b"ecr-sealed/1\n"
ID_NUMBER = b"11010519491231002X"  # world.person's


def _device_id(services: Services) -> str:
    return services.device_info()["device_id"]


@pytest.fixture
def office(world, tmp_path):
    """An office machine that has sent the laptop (world) one bundle: the laptop trusts it and knows its key."""
    office = Services(tmp_path / "office.db", clock=world.clock)
    office.system_session().name_device("执法一队办公室")
    hello = tmp_path / "hello.ecb"
    office.system_session().export_bundle(hello, encrypt=False)
    world.as_(world.admin).import_bundle(hello, trust_new=True)
    yield office
    office.close()


def _case_with_evidence(world, tmp_path, megabytes: int = 0) -> str:
    case_id = steps.lead(world, world.person)
    steps.file(world, case_id)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + (os.urandom(megabytes << 20) if megabytes else bytes(range(256)) * 40))
    world.as_(world.officer_a).add_evidence(case_id, photo, {"kind": "audiovisual", "description": "现场照片", "source": "现场拍摄",
                                                              "collected_by": [world.officer_a.id]})
    return case_id


def test_a_bundle_is_sealed_to_its_receiving_device_and_opens_there(world, office, tmp_path, monkeypatch):
    from enforcement_app.store import workers

    case_id = _case_with_evidence(world, tmp_path)
    office_id = _device_id(office)
    assert world.services.receiving_devices() == [{"device_id": office_id, "name": "执法一队办公室"}]
    path = tmp_path / "to-office.ecb"
    summary = world.as_(world.officer_a).export_bundle(path, to_device=office_id)
    assert summary.encrypted_to == office_id
    data = path.read_bytes()
    assert data.startswith(SEALED_MAGIC)
    assert ID_NUMBER not in data and b"events.txt" not in data and "刘某".encode() not in data  # nothing readable

    started = []
    real_start = workers.start

    def start(*args, **kwargs):
        started.append(real_start(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(workers, "start", start)
    result = office.system_session().import_bundle(path, trust_new=True)
    assert result.new_cases and result.evidence_files == 1
    assert [p.returncode for p in started] == [0]  # the worker itself decrypted and staged the evidence
    assert office.verify().ok
    assert office.system_session().view(case_id).state.party_name == "刘某"
    # and the office now knows the laptop's key: it can seal its answer
    assert office.receiving_devices() == [{"device_id": world.services.device_id, "name": world.services.device_info()["name"]}]


def test_a_sealed_bundle_for_another_device_is_refused_naming_that_device(world, office, tmp_path):
    _case_with_evidence(world, tmp_path)
    path = tmp_path / "to-office.ecb"
    world.as_(world.officer_a).export_bundle(path, to_device=_device_id(office))
    with Services(tmp_path / "elsewhere.db") as elsewhere:
        with pytest.raises(BundleError) as refused:
            elsewhere.system_session().import_bundle(path, trust_new=True)
        assert refused.value.problems == [
            f"此案件包是加密发给设备 执法一队办公室（{_device_id(office)}）的，只有该设备能打开；"
            f"本机是 {elsewhere.device_info()['name']}（{elsewhere.device_info()['device_id']}）"]
        assert elsewhere.db.execute("SELECT count(*) FROM event").fetchone()[0] == 0


def test_an_export_is_refused_without_a_known_receiving_device_unless_asked_for_in_the_clear(world, tmp_path):
    steps.lead(world, world.person)
    s = world.as_(world.officer_a)
    with pytest.raises(InvalidInput) as refused:
        s.export_bundle(tmp_path / "any.ecb")
    assert "--to-device" in str(refused.value) and "--plain" in str(refused.value)
    with pytest.raises(InvalidInput) as refused:
        s.export_bundle(tmp_path / "unknown.ecb", to_device="f" * 32)
    assert "还没有收到过设备" in str(refused.value) and "--plain" in str(refused.value)
    assert not list(tmp_path.glob("*.ecb*"))  # nothing written
    plain = s.export_bundle(tmp_path / "plain.ecb", encrypt=False)
    assert plain.encrypted_to == "" and (tmp_path / "plain.ecb").read_bytes()[:2] == b"PK"
    recorded = world.services.db.execute("SELECT payload FROM event WHERE kind = 'export_bundle'").fetchall()
    assert [json.loads(r[0])["encrypted"] for r in recorded] == [False]  # an export in the clear is on record as such


@pytest.mark.parametrize("damage", ["header", "first chunk", "last chunk", "cut at a chunk boundary", "bytes appended",
                                    "chunks swapped"])
def test_a_sealed_bundle_changed_anywhere_is_refused(world, office, tmp_path, damage):
    from enforcement_app.store import sealed

    _case_with_evidence(world, tmp_path, megabytes=1)
    path = tmp_path / "to-office.ecb"
    world.as_(world.officer_a).export_bundle(path, to_device=_device_id(office))
    data = bytearray(path.read_bytes())
    with path.open("rb") as fh:
        _header, prefix = sealed.read_header(fh)
    start, full = len(prefix), sealed.CHUNK + sealed.TAG
    if damage == "header":
        at = data.index(b'"from_name"')
        data[at + 14] ^= 1
    elif damage == "first chunk":
        data[start + 100] ^= 1
    elif damage == "last chunk":
        data[-1] ^= 1
    elif damage == "cut at a chunk boundary":
        del data[start + full * ((len(data) - start) // full - 1):]
    elif damage == "bytes appended":
        data += b"\x00" * 20
    else:
        data[start:start + 2 * full] = data[start + full:start + 2 * full] + data[start:start + full]
    path.write_bytes(bytes(data))
    with pytest.raises(BundleError) as refused:
        office.system_session().import_bundle(path, trust_new=True)
    assert refused.value.problems
    assert office.db.execute("SELECT count(*) FROM event WHERE kind = 'import_bundle'").fetchone()[0] == 0


def test_sealing_and_opening_hold_one_piece_of_the_bundle_at_a_time(world, office, tmp_path, monkeypatch):
    """24 MB of evidence, sealed and opened (the staging here in this process, so that tracemalloc sees
    it) while Python's allocations peak far below it."""
    from enforcement_app.store import workers

    for n in range(3):
        (tmp_path / str(n)).mkdir()
        _case_with_evidence(world, tmp_path / str(n), megabytes=8)
    path = tmp_path / "to-office.ecb"
    tracemalloc.start()
    try:
        world.as_(world.officer_a).export_bundle(path, to_device=_device_id(office))
        exporting = tracemalloc.get_traced_memory()[1]
        assert path.read_bytes()[:len(SEALED_MAGIC)] == SEALED_MAGIC
        tracemalloc.reset_peak()

        def no_worker(*args, **kwargs):
            raise OSError("no worker here")

        monkeypatch.setattr(workers, "start", no_worker)
        result = office.system_session().import_bundle(path, trust_new=True)
        importing = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.evidence_files == 3 and office.verify().ok
    assert exporting < 8 << 20 and importing < 8 << 20, (exporting, importing)


def test_the_cli_seals_to_a_device_and_writes_in_the_clear_only_with_plain(world, office, tmp_path, capsys, monkeypatch):
    steps.lead(world, world.person)
    world.services.close()
    monkeypatch.setenv("ENFORCEMENT_PASSWORD", "secret-pass-1")  # zhangming's: exporting records the export
    db = ["--db", str(world.services.path), "--user", "zhangming", "bundle", "export", "--out"]
    assert cli([*db, str(tmp_path / "refused.ecb")]) == 2
    assert "--plain" in capsys.readouterr().err
    assert cli([*db, str(tmp_path / "sealed.ecb"), "--to-device", _device_id(office)]) == 0
    assert (tmp_path / "sealed.ecb").read_bytes().startswith(SEALED_MAGIC)
    assert cli([*db, str(tmp_path / "plain.ecb"), "--plain"]) == 0
    assert (tmp_path / "plain.ecb").read_bytes()[:2] == b"PK"


def test_a_sealed_file_reads_back_the_same_bytes_from_anywhere(tmp_path):
    """Reads and reads into a buffer at any offset and length, across chunk boundaries, give the bytes
    sealed; and any size seals (none, one byte, a chunk exactly, one more)."""
    import random

    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from enforcement_app.store import sealed

    receiver = X25519PrivateKey.generate()
    rng = random.Random(7)
    for size in (0, 1, sealed.CHUNK, sealed.CHUNK + 1, 3 * sealed.CHUNK + 12345):
        data = rng.randbytes(size)
        path = tmp_path / f"{size}.sealed"
        writer = sealed.SealedWriter(path.open("wb"), receiver.public_key().public_bytes_raw(),
                                     {"to_device": "d", "to_name": "", "from_device": "f", "from_name": ""})
        for at in range(0, size, 10_000):
            writer.write(data[at:at + 10_000])
        writer.close()
        with path.open("rb") as fh:
            header, prefix = sealed.read_header(fh)
        with sealed.SealedReader(path, sealed.content_key(receiver, header, prefix)) as reader:
            assert reader.size == size and reader.read() == data
            for _ in range(40):
                at, n = rng.randrange(size + 1), rng.randrange(3 * sealed.CHUNK)
                reader.seek(at)
                assert reader.read(n) == data[at:at + n]
                buffer = bytearray(n)
                reader.seek(at)
                got = reader.readinto(buffer)
                assert bytes(buffer[:got]) == data[at:at + n]


def test_a_sealed_bundle_of_an_unknown_version_is_refused_naming_it(world, office, tmp_path):
    steps.lead(world, world.person)
    path = tmp_path / "to-office.ecb"
    world.as_(world.officer_a).export_bundle(path, to_device=_device_id(office))
    path.write_bytes(b"ecr-sealed/9\n" + path.read_bytes()[len(SEALED_MAGIC):])
    with pytest.raises(BundleError) as refused:
        office.system_session().import_bundle(path, trust_new=True)
    assert len(refused.value.problems) == 1 and "ecr-sealed/9" in refused.value.problems[0] and "ecr-sealed/1" in refused.value.problems[0]
