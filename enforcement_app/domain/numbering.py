"""Document numbers (文号): which documents the agency numbers, in which series, and how a number reads.

A document number reads ``〈prefix〉〔〈year〉〕〈serial〉号`` (仲高新市监罚告〔2026〕12号). Each prefix is a series of
its own, per agency and year, counted from 1: the policy gives every kind of document its own prefix, so each
kind has its own series, and two kinds an agency chooses to number alike share one (their numbers still never
repeat). The prefixes are agency policy (``document_numbers`` in ``resources/agency/policy.json``), written as
templates on the agency's code (``{code}罚告``, see :attr:`..agency.Agency.code`); a kind the policy maps to
``null`` is issued without a number. The services allocate a number when the step issuing the document is
recorded, in that step's transaction, and write it into the step's event (``document_no``, and the series it
was drawn from in ``numbering``); see :mod:`..services.numbering` for why only one device allocates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..resources import load_json
from .agency import Agency

DOCUMENT_ZH = {
    "prior_notice": "行政处罚告知书",
    "hearing_notice": "听证通知书",
    "decision": "行政处罚决定书",
    "no_penalty_decision": "不予行政处罚决定书",
    "dismissal_decision": "撤销案件决定书",
    "transfer_letter": "涉嫌犯罪案件移送书",
    "reminder": "催告书",
    "service_receipt": "送达回证",
}
"""The documents the app can number, by the code of their series (a decision's depends on its outcome)."""

DECISION_DOCUMENT = {"penalty": "decision", "no_penalty": "no_penalty_decision", "dismissal": "dismissal_decision",
                     "transfer": "transfer_letter"}
"""The document a decision (处理决定) issues, by its outcome."""

AGENCY_CODE = "{code}"
PREFIX_MAX = 30
_PREFIX = re.compile(r"[^\s〔〕()（）\[\]【】{}]+")


@dataclass(frozen=True)
class DocumentNumbering:
    """The policy's document-number prefixes: ``(document, template)`` pairs, a template ``None`` when the
    document is issued without a number."""

    prefixes: tuple[tuple[str, str | None], ...]
    source: str = ""

    def template(self, document: str) -> str | None:
        return dict(self.prefixes).get(document)

    def prefix(self, document: str, agency: Agency) -> str | None:
        """The prefix ``document`` is numbered with at ``agency`` (its code put in), or None: not numbered."""
        template = self.template(document)
        return template.replace(AGENCY_CODE, agency.code) if template else None


def parse_document_numbering(data: Any, where: str, defaults: DocumentNumbering | None = None) -> DocumentNumbering:
    """Validate a policy version's ``document_numbers``; a document it does not name keeps its prefix from
    ``defaults`` (the shipped policy), so that a version written before documents were numbered, or one that
    changes a single prefix, numbers the rest as shipped. Errors (ValueError) name the field."""
    at = f"{where}.document_numbers"
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{at}: 应为 JSON 对象")
    stray = sorted(set(map(str, data)) - {"source", "prefixes"})
    if stray:  # a misspelt key would otherwise leave every prefix as shipped without a word
        raise ValueError(f"{at}: 未知的项目 {'、'.join(repr(k) for k in stray)}（可用：source、prefixes）")
    source = data.get("source", "")
    if not isinstance(source, str):
        raise ValueError(f"{at}.source: 应为文字")
    given = data.get("prefixes", {})
    if not isinstance(given, Mapping):
        raise ValueError(f"{at}.prefixes: 应为 JSON 对象（文书 → 文号前缀）")
    unknown = sorted(set(map(str, given)) - set(DOCUMENT_ZH))
    if unknown:
        raise ValueError(f"{at}.prefixes: 未知的文书 {'、'.join(unknown)}（可编号的文书：{'、'.join(DOCUMENT_ZH)}）")
    prefixes = dict(defaults.prefixes) if defaults is not None else dict.fromkeys(DOCUMENT_ZH)
    for document, template in given.items():
        if template is not None:
            bare = template.replace(AGENCY_CODE, "") if isinstance(template, str) else None
            if bare is None or not template.strip() or len(template) > PREFIX_MAX or (bare and not _PREFIX.fullmatch(bare)):
                raise ValueError(f"{at}.prefixes.{document}: 文号前缀应为不超过{PREFIX_MAX}字、不含空白和括号的文字"
                                 f"（可用 {AGENCY_CODE} 代表本机关代字），或 null（不编号），实际为 {str(template)[:40]!r}")
        prefixes[document] = template
    return DocumentNumbering(tuple((d, prefixes.get(d)) for d in DOCUMENT_ZH), source or (defaults.source if defaults else ""))


@cache
def shipped_document_numbering() -> DocumentNumbering:
    """The prefixes of the newest version shipped in ``resources/agency/policy.json``."""
    versions = load_json("agency", "policy.json")["versions"]
    return parse_document_numbering(versions[-1].get("document_numbers"), "resources/agency/policy.json")
