"""The case file's PAdES signature (pyHanko): signing the rendered PDF with the agency's certificate, and
checking a file's signature against the certificates the record issued.

The signature is a *certification* signature (DocMDP, no changes permitted) in an invisible field
``AgencySignature``, PAdES baseline B-B (``ETSI.CAdES.detached``, SHA-256, RSA PKCS#1 v1.5): any PDF reader
shows whether the file was changed after export, and who signed it. No page changes: the pages are exactly
the unsigned case file's, the signature is one incremental update appended to it.

Deterministic, as the unsigned file is (reportlab ``invariant=1``): the signing time is the case's last event
time (not the clock), PKCS#1 v1.5 signatures have no randomness, and two things pyHanko would otherwise take
from the moment or from ``os.urandom`` are fixed by :class:`_Writer`: the second part of the file identifier
(derived from the unsigned bytes) and the Info dictionary (left as reportlab wrote it, rather than given a
``/ModDate`` of now). Both are pyHanko internals; pyproject pins one pyHanko minor series and the
byte-identical re-export test fails if a new one moves them.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from ..domain import agency_certificate as certificates
from ..services.agency_certificates import AgencySigner

FIELD = "AgencySignature"
# room for the CMS container: a 2048-bit signature, the certificate and the signed attributes take about
# 2.5 kB; a fixed reservation spares pyHanko a dummy signing pass to estimate it
RESERVED_BYTES = 8192


class _Writer(IncrementalPdfFileWriter):
    """pyHanko's incremental writer with the two moment-dependent outputs fixed (see the module docstring)."""

    def __init__(self, pdf: bytes):
        super().__init__(io.BytesIO(pdf))
        first = self._document_id[0]
        self._document_id = generic.ArrayObject([first, generic.ByteStringObject(hashlib.sha256(pdf).digest()[:16])])

    def _update_meta(self) -> None:
        """Leave the Info dictionary as the case file has it (no ``/ModDate`` of now, no new producer)."""


class _CmsSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, signing with the key object already loaded: its own ``sign_raw`` loads the
    key from DER at every signature, and loading an RSA key checks it (about 40 ms, most of the signing time)."""

    def __init__(self, signer: AgencySigner):
        super().__init__(signing_cert=asn1_x509.Certificate.load(signer.certificate),
                         signing_key=asn1_keys.PrivateKeyInfo.load(certificates.key_bytes(signer.key)), cert_registry=None)
        self._key = signer.key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if digest_algorithm != "sha256":
            raise ValueError(f"执法主体签章只用 SHA-256，而非 {digest_algorithm}")
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())


class _SignerAt(signers.PdfSigner):
    """A PdfSigner whose signing time is given (the record's), not read from the clock."""

    def __init__(self, *args, at: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._at = at

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._at
        return session


def sign_case_file(pdf: bytes, signer: AgencySigner, at: datetime, *, reason: str, location: str) -> bytes:
    """``pdf`` with the agency's certification signature appended, signed as of ``at`` (timezone-aware)."""
    cms_signer = _CmsSigner(signer)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        name=signer.agency_name, reason=reason, location=location,
    )
    out = _SignerAt(meta, cms_signer, at=at).sign_pdf(_Writer(pdf), bytes_reserved=RESERVED_BYTES)
    return out.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    fingerprint: str  # of the signing certificate, "" when the file carries no signature
    message: str  # in Chinese, for the user


def check_signature(pdf: bytes, trusted: list[bytes]) -> SignatureCheck:
    """Whether ``pdf`` carries the agency's signature, by one of the ``trusted`` certificates (DER), intact
    and covering the whole file with nothing added after it."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        return SignatureCheck(False, "", f"案卷文件已损坏，无法读取其电子签章（{exc}）")
    ours = [s for s in embedded if s.field_name == FIELD]
    if not ours:
        return SignatureCheck(False, "", "案卷没有执法主体的电子签章：不能证明文件导出后未被改动（请用本系统重新导出）")
    signature = ours[-1]
    try:
        der = signature.signer_cert.dump()
    except (ValueError, KeyError, TypeError) as exc:
        return SignatureCheck(False, "", f"案卷的电子签章已损坏（{exc}）")
    fingerprint = certificates.fingerprint(der)
    if der not in trusted:
        return SignatureCheck(False, fingerprint, f"案卷的电子签章不是本执法主体的证书所签（签章证书指纹 {fingerprint}，"
                                                  "本数据库没有签发过该证书）")
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)])
    try:
        status = validate_pdf_signature(signature, context)
    except (SignatureValidationError, PdfReadError, ValueError, KeyError, TypeError) as exc:
        return SignatureCheck(False, fingerprint, f"案卷的电子签章无法核验，文件可能在签章后被改动（{exc}）")
    if not status.intact:
        return SignatureCheck(False, fingerprint, "案卷在签章后被改动过：签章所覆盖的内容与签章时不同")
    if not status.valid:
        return SignatureCheck(False, fingerprint, "案卷的电子签章无效：签名与签章证书不符")
    if not status.trusted:
        return SignatureCheck(False, fingerprint, "案卷签章证书未通过核验（证书不在有效期内或用途不符）")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or not status.docmdp_ok:
        return SignatureCheck(False, fingerprint, "案卷在签章后被改动过：签章之后文件又被追加了内容（增量更新）")
    return SignatureCheck(True, fingerprint, f"执法主体电子签章有效，签章后未被改动（证书指纹 {fingerprint}）")
