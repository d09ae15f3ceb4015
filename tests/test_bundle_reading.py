"""Hostile bundles: the zip's directory and the manifest's signature are checked before anything is inflated,
every member is read within its cap, and a refusal costs little memory whatever the file claims.

The zips here are written byte by byte (:func:`_crafted`), so that they can lie as an attacker's would:
about sizes, with a name twice, with names no bundle has."""

from __future__ import annotations

import functools
import hashlib
import json
import struct
import tracemalloc
import zlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from enforcement_app.services import Services
from enforcement_app.services.bundles import BundleError, UntrustedDevice

FORMAT = "ecr-bundle/3"
MB = 1 << 20
MANIFEST_CAP = 16 * MB  # bundle_format.MANIFEST_CAP, written out: these tests also run against the code before it
KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key().public_bytes_raw().hex()
STORED, DEFLATED = 0, 8


@functools.cache
def _zeros_deflated(megabytes: int) -> bytes:
    """Raw deflate data that inflates to ``megabytes`` MiB of zero bytes (about a thousandth of that)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(MB)
    return b"".join([packer.compress(zeros) for _ in range(megabytes)] + [packer.flush()])


def _member(name: str | bytes, data: bytes, *, method: int = STORED, size: int | None = None, crc: int | None = None) -> tuple:
    """A member as the zip's headers will declare it: ``data`` as stored, ``size`` and ``crc`` as claimed
    (by default the truth about ``data``, which must then be stored uncompressed)."""
    name = name.encode() if isinstance(name, str) else name
    return name, data, method, len(data) if size is None else size, zlib.crc32(data) if crc is None else crc


def _crafted(path, members: list[tuple], *, count: int | None = None) -> None:
    """A zip file of ``members`` whose local headers and central directory say what the members claim;
    ``count``: the number of members the end record claims."""
    out, directory = bytearray(), bytearray()
    for name, data, method, size, crc in members:
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size, len(name), 0) + name + data
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(data), size, len(name),
                                 0, 0, 0, 0, 0, offset) + name
    start = len(out)
    n = len(members) if count is None else count
    out += directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, min(n, 0xFFFF), min(n, 0xFFFF), len(directory), start, 0)
    path.write_bytes(bytes(out))


def _manifest(files: dict, fmt: str = FORMAT) -> dict:
    return {"format": fmt, "bundle_id": "b" * 32, "from_device": "forger", "from_name": "伪造设备", "public_key": PUBLIC,
            "created_at": "2025-03-04T10:00:00+08:00", "to_device": "", "cases": [], "events": 0, "files": files}


def _signature(manifest_bytes: bytes, fmt: str = FORMAT, key: Ed25519PrivateKey = KEY) -> bytes:
    return json.dumps({"format": fmt, "device": "forger", "name": "伪造设备", "public_key": PUBLIC,
                       "signature": key.sign(manifest_bytes).hex()}, ensure_ascii=False).encode()


def _signed(files: dict, fmt: str = FORMAT) -> list[tuple]:
    data = json.dumps(_manifest(files, fmt), ensure_ascii=False).encode()
    return [_member("manifest.json", data), _member("manifest.sig", _signature(data, fmt))]


EMPTY_EVENTS = {"events.txt": {"sha256": hashlib.sha256(b"").hexdigest(), "size": 0}}


@pytest.fixture
def receiver(tmp_path):
    services = Services(tmp_path / "receiver.db")
    yield services
    services.close()


def _refused(services: Services, path, *, trust_new: bool = True) -> tuple[BundleError, int]:
    """The refusal of importing ``path``, and the peak of the memory Python allocated meanwhile (bytes)."""
    session = services.system_session()
    tracemalloc.start()
    try:
        with pytest.raises(BundleError) as refused:
            session.import_bundle(path, trust_new=trust_new)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert services.db.execute("SELECT count(*) FROM event").fetchone()[0] == 0
    return refused.value, peak


@pytest.mark.parametrize("member", ["manifest.json", "manifest.sig"])
def test_a_member_that_would_inflate_past_its_cap_is_refused_unread(receiver, tmp_path, member):
    """A 400 MiB manifest (or signature) deflated to 400 KiB: refused from the zip's directory, not inflated."""
    bomb = tmp_path / "bomb.ecb"
    others = [m for m in _signed(EMPTY_EVENTS) if m[0] != member.encode()]
    _crafted(bomb, [_member("events.txt", b""), *others,
                    _member(member, _zeros_deflated(400), method=DEFLATED, size=400 * MB, crc=0)])
    refusal, peak = _refused(receiver, bomb)
    assert any(member in p and "超过上限" in p for p in refusal.problems), refusal.problems
    assert peak < 4 * MB


def test_a_member_whose_header_understates_its_size_is_read_no_further(receiver, tmp_path):
    """events.txt declared (in the directory and the signed manifest) as 1,000 bytes, its deflated data
    400 MiB: read in chunks up to the declared size, then refused."""
    lying = tmp_path / "lying.ecb"
    files = {"events.txt": {"sha256": hashlib.sha256(bytes(1000)).hexdigest(), "size": 1000}}
    _crafted(lying, [_member("events.txt", _zeros_deflated(400), method=DEFLATED, size=1000, crc=zlib.crc32(bytes(1000)) ^ 1),
                     *_signed(files)])
    refusal, peak = _refused(receiver, lying)
    assert any("events.txt" in p and "已损坏" in p for p in refusal.problems), refusal.problems
    assert peak < 4 * MB


def test_the_signature_is_checked_before_the_manifest_is_parsed(receiver, tmp_path):
    """A manifest of 15 MiB of JSON that would take some 300 MB to parse, under a signature that does not
    match it: refused at the signature, at the cost of reading the 15 MiB."""
    costly = b"[" + b"[]," * (5 * MB) + b"[]]"
    signature = _signature(b"another manifest")
    path = tmp_path / "costly.ecb"
    _crafted(path, [_member("events.txt", b""), _member("manifest.json", costly), _member("manifest.sig", signature)])
    refusal, peak = _refused(receiver, path)
    assert any("签名不符" in p for p in refusal.problems), refusal.problems
    assert peak < len(costly) + 4 * MB < MANIFEST_CAP + 4 * MB


def test_an_untrusted_device_is_refused_before_its_manifest_is_parsed(receiver, tmp_path):
    data = b"not even JSON"
    path = tmp_path / "untrusted.ecb"
    _crafted(path, [_member("events.txt", b""), _member("manifest.json", data), _member("manifest.sig", _signature(data))])
    with pytest.raises(UntrustedDevice) as refused:
        receiver.system_session().import_bundle(path)
    assert refused.value.device == "forger" and refused.value.name == "伪造设备"


def test_a_member_named_twice_is_refused(receiver, tmp_path):
    """zipfile keeps the last of two members of one name: the first would go unseen by the checks."""
    path = tmp_path / "twice.ecb"
    _crafted(path, [_member("events.txt", b"anything at all"), _member("events.txt", b""), *_signed(EMPTY_EVENTS)])
    refusal, _peak = _refused(receiver, path)
    assert refusal.problems == ["包内文件 events.txt 出现不止一次"]


@pytest.mark.parametrize("name", ["../../.bashrc", "/etc/cron.d/job", "evidence/../manifest.json", "evidence/" + "A" * 64,
                                  b"manifest.json\x00.exe", "evidence\\" + "a" * 64, "notes.txt"])
def test_a_member_no_bundle_has_is_refused_before_anything_is_read(receiver, tmp_path, name):
    path = tmp_path / "tricks.ecb"
    _crafted(path, [_member("events.txt", b""), *_signed(EMPTY_EVENTS), _member(name, b"x")])
    refusal, _peak = _refused(receiver, path)
    assert len(refusal.problems) == 1 and "不属于案件包" in refusal.problems[0], refusal.problems


def test_an_unknown_format_is_refused_naming_it(receiver, tmp_path):
    path = tmp_path / "future.ecb"
    _crafted(path, [_member("events.txt", b""), *_signed(EMPTY_EVENTS, fmt="ecr-bundle/9")])
    refusal, _peak = _refused(receiver, path)
    assert len(refusal.problems) == 1 and "ecr-bundle/9" in refusal.problems[0] and FORMAT in refusal.problems[0]


def test_a_bundle_of_the_previous_format_is_refused_asking_for_a_new_export(receiver, tmp_path):
    """ecr-bundle/2 put a bare signature in manifest.sig, and was parsed before its signature was checked."""
    data = json.dumps(_manifest(EMPTY_EVENTS, "ecr-bundle/2")).encode()
    path = tmp_path / "old.ecb"
    _crafted(path, [_member("events.txt", b""), _member("manifest.json", data), _member("manifest.sig", KEY.sign(data).hex().encode())])
    refusal, _peak = _refused(receiver, path)
    assert len(refusal.problems) == 1 and "ecr-bundle/2" in refusal.problems[0] and "重新导出" in refusal.problems[0]


def test_a_directory_claiming_more_members_than_a_bundle_holds_is_refused(receiver, tmp_path):
    path = tmp_path / "many.ecb"
    _crafted(path, [_member("events.txt", b""), *_signed(EMPTY_EVENTS)], count=0xFFFF)
    data = bytearray(path.read_bytes())
    # the zip64 form of the end record lets the count be anything: say 200,000 members
    end = data.rfind(b"PK\x05\x06")
    directory_size, directory_start = struct.unpack_from("<2L", data, end + 12)
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 200_000, 200_000, directory_size, directory_start)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end, 1)
    path.write_bytes(bytes(data[:end]) + record + locator + bytes(data[end:]))
    refusal, _peak = _refused(receiver, path)
    assert any("200,000" in p and "上限" in p for p in refusal.problems), refusal.problems
