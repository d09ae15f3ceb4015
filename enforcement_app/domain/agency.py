"""The agency (执法主体) and its case-number scheme."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    seal_name: str
    area: str
    case_no_prefix: str  # e.g. 仲高新市监罚字
    reconsideration_body: str = ""  # 行政复议机关 named in decisions (Art. 59(5))
    litigation_court: str = ""  # 有管辖权的人民法院

    def case_no(self, year: int, serial: int) -> str:
        """``仲高新市监罚字〔2026〕12号``."""
        return format_case_no(self.case_no_prefix, year, serial)

    @property
    def code(self) -> str:
        """The agency's code in document numbers (机关代字), which the policy's document-number prefixes start
        with (``{code}罚告``): its case-number prefix less the closing 罚字 (or 罚), the way SAMR agencies form
        both from one code (仲高新市监罚字 → 仲高新市监). A prefix of another shape is the code as it is."""
        for suffix in ("罚字", "罚"):
            if self.case_no_prefix.endswith(suffix) and len(self.case_no_prefix) > len(suffix):
                return self.case_no_prefix[: -len(suffix)]
        return self.case_no_prefix


def format_case_no(prefix: str, year: int, serial: int) -> str:
    """A number of a series (a case number, a document number): ``prefix〔year〕serial号``."""
    if serial < 1:
        raise ValueError("案件序号从1开始")
    return f"{prefix}〔{year}〕{serial}号"
