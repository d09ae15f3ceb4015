"""Every projection rebuilt from the events and compared with what the tables hold (part of ``verify``).

The reference tables are always replayed. The case table is refolded case by case when its facts no longer
add up to the digest the last seal signed (an edit, a lost write), or when the check is ``deep``: a table
that matches its signed digest is exactly the one the sealed writes left, so refolding a million events
would only repeat what the seal already proves. The reference tables are replayed by :func:`..store.projection.rebuild`; the case table is rebuilt by
folding every case in one pass over the event table in arrival order, each case compared and dropped as
soon as its last event has been applied (so memory holds only the cases still open in the pass). A case
whose record forked is folded in causal order afterwards, as the services fold it. Each difference is
reported by case (or reference table and key) and field.
"""

from __future__ import annotations

import json
from datetime import datetime

from ..domain.case import CaseState, Step, step_day
from ..domain.forms import shown
from ..domain.procedure import apply
from ..store import cases as case_store
from ..store import projection, seals
from ..store.integrity import Problem
from . import states
from .projections import FACT_COLUMNS, case_facts
from .signatures import signature_problems

FIELD_ZH = {"agency_id": "执法主体", "case_no": "案件编号", "procedure": "程序", "stage": "阶段", "outcome": "处理结果", "title": "案件名称",
            "cause": "案由", "party_id": "当事人编号", "party_name": "当事人", "handlers": "承办人员", "received_on": "案源登记日期",
            "filed_on": "立案日期", "decided_on": "决定日期", "closed_on": "结案日期", "fine_fen": "罚款金额（分）",
            "review_status": "法制审核状态", "search_text": "检索文本", "pending_approvals": "待审批事项"}


def reference_problems(db, device: str) -> list[Problem]:
    rebuilt = projection.rebuild(db, device)
    problems = []
    for d in projection.differences(db, rebuilt):
        table = projection.TABLE_ZH[d.table]
        if d.rebuilt is None:
            message = f"{table}表中有一行（{d.key}）没有任何记录支持：表被改动"
        elif d.recorded is None:
            message = f"{table}表缺少记录所载的一行（{d.key}）：表被改动"
        else:
            message = f"{table}表中 {d.key} 的 {d.field} 为 {shown(d.recorded)}，按记录应为 {shown(d.rebuilt)}：表被改动"
        problems.append(Problem("projection_altered", message, file=f"{d.table}:{d.key}:{d.field}"))
    rebuilt.close()
    return problems


def projection_problems(db, device: str, label, *, deep: bool = False) -> list[Problem]:
    problems = reference_problems(db, device) + signature_problems(db, device, label, deep=deep)
    sealed = seals.last(db)
    if deep or sealed is None or case_store.recompute_rows_digest(db) != sealed.rows:
        found = case_problems(db, label)
        if not found and sealed is not None and not deep:
            found = [Problem("projection_unsealed", "案件表与最后一次设备签封不符，但按记录重建的结果与表一致：表曾在程序之外被改动后又复原")]
        problems += found
    if deep:  # the list's indexes beside the case table: derived from it, read by the list, sealed by nothing
        problems += [Problem("search_index", message) for message in case_store.search_index_problems(db)]
    return problems


def case_problems(db, label) -> list[Problem]:
    """The case table against the cases folded from their events."""
    stored = case_store.stored_rows(db, FACT_COLUMNS)
    remaining = case_store.case_event_counts(db)
    open_states: dict[str, CaseState] = {}
    last: dict[str, str] = {}
    forked: set[str] = set()
    problems: list[Problem] = []
    loads, fromiso = json.loads, datetime.fromisoformat
    for stream, digest, parents, kind, actor, at, payload in case_store.case_events_in_arrival_order(db):
        if stream in forked:
            continue
        if parents != last.get(stream, ""):  # a fork, or an event that joins branches: folded in causal order below
            forked.add(stream)
            open_states.pop(stream, None)
            continue
        last[stream] = digest
        state = open_states.get(stream)
        if state is None:
            state = open_states[stream] = CaseState(id=stream)
        try:
            p = loads(payload)
            moment = fromiso(at)
        except (TypeError, ValueError):
            forked.add(stream)  # unreadable: the hash check reports it; the case is folded the careful way
            open_states.pop(stream, None)
            continue
        apply(state, Step(len(state.steps) + 1, digest, kind, actor, moment, step_day(p, moment), p))
        left = remaining.get(stream, 0) - 1
        remaining[stream] = left
        if left == 0:
            problems += _compare(stream, case_facts(open_states.pop(stream)), stored.pop(stream, None), label)
    for stream in sorted(forked | set(open_states)):
        try:
            state = states.case_state(db, stream)[0]
        except Exception as exc:  # noqa: BLE001 - a record that cannot be folded is itself the finding
            problems.append(Problem("projection_unbuildable", f"按记录无法重建该案件：{exc}", label(stream)))
            stored.pop(stream, None)
            continue
        problems += _compare(stream, case_facts(state), stored.pop(stream, None), label)
    for case_id in sorted(stored):
        problems.append(Problem("projection_altered", "案件表中有该案件的一行，但没有任何记录支持：表被改动", label(case_id)))
    return problems


def _compare(case_id: str, rebuilt: tuple, recorded: tuple | None, label) -> list[Problem]:
    if recorded is None:
        return [Problem("projection_altered", "案件表缺少该案件的一行：表被改动", label(case_id))]
    return [
        Problem("projection_altered", f"案件表中{FIELD_ZH[column]}为 {shown(have)}，按记录应为 {shown(want)}：表被改动",
                label(case_id), file=column)
        for column, have, want in zip(FACT_COLUMNS, recorded, rebuilt, strict=True) if have != want
    ]
