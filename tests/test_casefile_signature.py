"""The exported case file's PAdES signature, parsed back with pyHanko and pypdf: the agency's certificate as
the record issued it, a valid signature over the whole file, and verify-pdf refusing a file changed after
export (a flipped byte, an appended incremental update), an unsigned one and one signed with another key."""

from __future__ import annotations

import base64
import dataclasses
import io

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from test_casefile import _closed_case

from enforcement_app.casefile import render_case_file, verify_pdf
from enforcement_app.casefile.signature import FIELD
from enforcement_app.cli.main import main as cli
from enforcement_app.domain import agency_certificate
from enforcement_app.services import agency_certificates
from enforcement_app.store import events as event_store

AGENCY = "惠州仲恺高新技术产业开发区市场监督管理局"


@pytest.fixture
def signed(world, tmp_path):
    case_id, _hashes = _closed_case(world, tmp_path)
    data = world.as_(world.evaluator).case_file_data(case_id)
    rendered = render_case_file(data)
    path = tmp_path / "case.pdf"
    path.write_bytes(rendered.pdf)
    return world, case_id, data, rendered, path


def _recorded(world) -> list[dict]:
    agency = world.services.agency()
    return [e.payload for e in event_store.events_of(world.services.db, f"agency/{agency.id}")
            if e.kind == agency_certificates.ISSUE_KIND]


def test_the_exported_file_is_signed_with_the_agency_certificate_the_record_issued(signed):
    world, _case_id, data, rendered, path = signed
    [issued] = _recorded(world)
    der = base64.b64decode(issued["certificate"])
    certificate = x509.load_der_x509_certificate(der)
    assert certificate.subject == certificate.issuer  # self-signed: no CA offline
    assert agency_certificate.subject(der) == AGENCY and issued["device"] == world.services.device_id
    assert certificate.signature_algorithm_oid == x509.SignatureAlgorithmOID.RSA_WITH_SHA256
    assert certificate.public_key().key_size == 2048
    assert rendered.signed_by == issued["fingerprint"] == agency_certificate.fingerprint(der)
    # the private key is in the keystore, not in the database file
    key = world.services.keystore.get(agency_certificates.key_name(world.services.device_id))
    assert agency_certificate.public_key_bytes(agency_certificate.load_key(key)) == agency_certificate.public_key_of(der)
    world.services.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert key[-64:] not in world.services.path.read_bytes()

    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    [signature] = reader.embedded_signatures
    assert signature.field_name == FIELD and signature.signer_cert.dump() == der
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert signature.self_reported_timestamp == max(e.at for e in data.events)  # the record's time, not the clock's
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)]))
    assert status.bottom_line and status.intact and status.valid and status.trusted and status.docmdp_ok
    # the pages are the unsigned file's, and pypdf still reads the marker
    unsigned = render_case_file(dataclasses.replace(data, signer=None))
    assert not unsigned.signed_by and path.read_bytes().startswith(unsigned.pdf)
    assert len(PdfReader(path).pages) == len(PdfReader(io.BytesIO(unsigned.pdf)).pages)
    check = verify_pdf(world.as_(world.evaluator), path)
    assert check.ok and "电子签章有效" in check.message and issued["fingerprint"] in check.signature


def test_re_export_reuses_the_certificate_and_stays_byte_identical(signed):
    world, case_id, _data, rendered, _path = signed
    again = render_case_file(world.as_(world.evaluator).case_file_data(case_id))
    assert again.pdf == rendered.pdf and len(_recorded(world)) == 1


def test_a_byte_flipped_in_the_content_fails_verify_pdf(signed, tmp_path, capsys):
    world, _case_id, _data, _rendered, path = signed
    pdf = bytearray(path.read_bytes())
    at = pdf.index(b"stream", len(pdf) // 3) + 40  # inside a page's content, well before the signature
    pdf[at] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(pdf))
    check = verify_pdf(world.as_(world.evaluator), changed)
    assert not check.ok and check.message.startswith("案卷在签章后被改动过")
    assert cli(["--db", str(world.services.path), "verify-pdf", str(changed)]) == 1
    assert "不一致：案卷在签章后被改动过" in capsys.readouterr().out


def test_an_incremental_update_appended_after_signing_fails_verify_pdf(signed, tmp_path):
    world, _case_id, _data, _rendered, path = signed
    writer = IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()))
    writer.root["/PageMode"] = generic.NameObject("/UseThumbs")  # harmless-looking, but after the signature
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(out.getvalue())
    check = verify_pdf(world.as_(world.evaluator), appended)
    assert not check.ok and "签章之后文件又被追加了内容" in check.message
    # the record checks still ran: the file's marker matches the record, and the message does not claim otherwise
    assert check.pdf_head == check.db_head


def test_a_file_signed_with_another_key_or_unsigned_fails_verify_pdf(signed, tmp_path):
    world, _case_id, data, _rendered, _path = signed
    key = agency_certificate.new_key()
    der = agency_certificate.issue(key, AGENCY, world.services.device_id)  # the same name, another key
    other = agency_certificates.AgencySigner(key, der, agency_certificate.fingerprint(der), AGENCY)
    forged = tmp_path / "other-key.pdf"
    forged.write_bytes(render_case_file(dataclasses.replace(data, signer=other)).pdf)
    check = verify_pdf(world.as_(world.evaluator), forged)
    assert not check.ok and "不是本执法主体的证书所签" in check.message and other.fingerprint in check.message
    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(render_case_file(dataclasses.replace(data, signer=None)).pdf)
    check = verify_pdf(world.as_(world.evaluator), unsigned)
    assert not check.ok and "没有执法主体的电子签章" in check.message


def test_a_renamed_agency_gets_a_new_certificate_and_older_files_still_verify(signed, tmp_path):
    world, case_id, _data, rendered, path = signed
    adm = world.services.login("admin", "admin-pass-1")
    agency = world.services.agency()
    adm.set_agency({**{k: v for k, v in agency.__dict__.items() if k != "id"}, "name": "惠州仲恺高新区市场监督管理局"})
    renamed = render_case_file(world.as_(world.evaluator).case_file_data(case_id))
    first, second = _recorded(world)
    assert renamed.signed_by == second["fingerprint"] != first["fingerprint"] == rendered.signed_by
    assert second["subject"] == "惠州仲恺高新区市场监督管理局"
    assert verify_pdf(world.as_(world.evaluator), path).ok
