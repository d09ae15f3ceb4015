"""Numbers the agency gives: the case number (立案编号) when a filing is approved, and the number (文号) of each
document a step issues (告知书, 决定书, 听证通知书, 催告书 …; which ones, and their prefixes, are agency policy,
see :mod:`..domain.numbering`).

A number is allocated by the services, never typed, in the transaction that records the step: after the
procedure has accepted the step and before its event is written, into the event's payload, so it is hash-chained,
signed with a sign-off and printed from the record. A refused or rolled-back step takes its reservation with it:
no gaps. The transaction begins as the writer (``BEGIN IMMEDIATE``), so two users on one database file take
turns at the register, whose key would refuse a number given twice anyway.

**Across devices only one device numbers: the one that holds the agency's numbering**, the device on which the
agency was set up (the office desk that ran ``init``; laptops take the agency from its bundle). Numbers read
``prefix〔year〕serial号`` with nothing to tell two devices apart, and two laptops offline cannot know each
other's last serial, so a series kept on each device would give the same number twice; per-device sub-series
would print numbers no model document has, and numbering a document later, when it reaches the office, would
leave it served without one, or its number outside the record the party's copy was printed from. The office
is also where the agency's seal is, which every numbered document bears. So on any other device a step that
would be given a number is refused, naming the device to take it on; the step travels there by bundle, and its
number comes back with it. Events received from elsewhere keep the numbers they carry and allocate nothing
(the register holds only the numbers this device gave, as for case numbers). The one exception is the
on-the-spot decision of the simple procedure, which must be made where the officer stands: its document is the
pre-printed, serially numbered form (``form_no``, typed from the paper), and a laptop records it without a case
number rather than refuse it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.agency import Agency
from ..domain.numbering import DOCUMENT_ZH
from ..domain.procedure import ACTIONS, Context, title_of
from ..domain.procedure.folds import day_of
from ..domain.refusals import InvalidInput, Refusal, RuleViolation
from ..store import devices as device_store
from ..store import numbers as number_store
from .core import ServicesCore, SessionCore


def holds_numbering(services: ServicesCore, agency: Agency) -> bool:
    """Whether this device allocates the agency's numbers (see the module's docstring)."""
    holder = number_store.numbering_device(services.db, agency.id)
    return holder is None or holder == services.device_id


def require_numbering(services: ServicesCore, agency: Agency, kind: str) -> None:
    """Refuse ``kind`` here unless this device holds the agency's numbering."""
    if holds_numbering(services, agency):
        return
    holder = number_store.numbering_device(services.db, agency.id) or ""
    names = {p["device_id"]: p["name"] for p in device_store.peers(services.db)}
    where = f"{names[holder]}（{holder[:8]}）" if names.get(holder) else f"设备 {holder[:8]}"
    raise RuleViolation([Refusal(
        "numbering_device",
        f"本机关的案件编号和文号只由设立执法主体的设备{where}统一编定，以免两台设备编出相同的号；本机（{services.device_id[:8]}）不编号。"
        f"“{title_of(kind)}”要编号，请将案件以案件包交换到该设备上办理，办理结果再交换回本机",
    )])


def refuse_typed(kind: str, raw: Mapping[str, Any]) -> None:
    """A document number typed into the form of a step that issues a document: the register gives it, no one types it."""
    if ACTIONS[kind].issues is not None and raw.get("document_no") not in (None, ""):
        raise InvalidInput.at("document_no", "文号由系统在文书签发时按本机关的文号序列编定，不能填写；请删去所填的文号")


def number_document(session: SessionCore, case_id: str, ctx: Context, kind: str, clean: Mapping[str, Any]) -> dict[str, Any]:
    """The number of the document the accepted step ``kind`` issues, reserved now in the register: the payload's
    ``document_no`` and ``numbering``; {} when the step issues none or the agency does not number it. Inside the
    step's transaction, before its event is recorded."""
    issues = ACTIONS[kind].issues
    agency = ctx.agency
    if issues is None:
        return {}
    document = issues(clean)
    if agency is None:
        raise RuleViolation([Refusal("no_agency", "尚未设置执法主体，不能编定文号")])
    series = ctx.policy.document_numbers.prefix(document, agency)
    if series is None:
        return {}
    if series == agency.case_no_prefix:
        raise RuleViolation([Refusal(
            "document_series_clash",
            f"{DOCUMENT_ZH[document]}的文号前缀“{series}”与案件编号前缀相同，两者的号会重复：请管理员在裁量与审核参数中为该文书另设前缀")])
    require_numbering(session.services, agency, kind)
    year = (day_of(clean.get("on")) or ctx.today).year  # the document's date: 〔year〕 is the year it is issued
    serial, number = number_store.allocate_document_number(session.db, agency_id=agency.id, series=series, year=year,
                                                           document=document, case_id=case_id)
    return {"document_no": number,
            "numbering": {"document": document, "agency_id": agency.id, "series": series, "year": year, "serial": serial}}


def numbers_of(payload: Mapping[str, Any]) -> list[str]:
    """The numbers a recorded step gave, as the client shows them: ``行政处罚告知书 仲高新市监罚告〔2026〕1号``,
    ``案件编号 仲高新市监罚字〔2026〕12号``."""
    out = []
    if payload.get("case_no"):
        out.append(f"案件编号 {payload['case_no']}")
    numbering = payload.get("numbering")
    if isinstance(numbering, Mapping) and payload.get("document_no"):
        out.append(f"{DOCUMENT_ZH.get(str(numbering.get('document')), '文书')} {payload['document_no']}")
    return out


def numbers_given(session: SessionCore, case_ref: str, event_hash: str) -> list[str]:
    """The numbers the step ``event_hash`` of a case gave (see :func:`numbers_of`), to show after it is recorded."""
    session.require("view_cases")
    services = session.services
    state = services.current_state(services.resolve_case(case_ref))
    step = next((s for s in reversed(state.steps) if s.hash == event_hash), None)
    return numbers_of(step.payload) if step is not None else []
