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


def format_case_no(prefix: str, year: int, serial: int) -> str:
    if serial < 1:
        raise ValueError("案件序号从1开始")
    return f"{prefix}〔{year}〕{serial}号"
