"""Document numbers (文号): each kind of document has its own series per agency and year, counted from 1, given
by the services when the document is issued, in the transaction that records it, never twice (two writers at once
on one file, devices exchanging bundles), never typed; old records keep the numbers they were typed with."""

from __future__ import annotations

import copy
import io
import re
import threading

import pytest
import steps
from conftest import signed_in
from steps import rules_of

from enforcement_app.domain.numbering import DOCUMENT_ZH, parse_document_numbering
from enforcement_app.domain.procedure import ACTIONS, prepare
from enforcement_app.domain.record import Event
from enforcement_app.domain.refusals import InvalidInput, RuleViolation
from enforcement_app.resources import load_json
from enforcement_app.services import Services
from enforcement_app.store import cases as case_store
from enforcement_app.store import events as event_store
from enforcement_app.store import numbers as number_store

NOTICE = {"penalty_kinds": ["fine", "confiscate_illegal_property"], "fine_fen": 5_000_000,
          "facts": "当事人销售超过保质期的酸奶12盒，货值金额120元", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项",
          "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"}


def _reported(world, party=None) -> str:
    """A case filed on 3 March 2025, inspected, questioned and reported on the 10th with a 50,000-yuan fine:
    ready for its prior notice."""
    world.clock.set("2025-03-03T09:00")
    case_id = steps.investigated(world, party or world.company)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id, fine_yuan=50000)
    return case_id


def _notify(world, case_id, services=None) -> str:
    """Issue the prior notice (not served); returns its number as recorded."""
    session = signed_in(services, "zhangming") if services is not None else world.as_(world.officer_a)
    session.perform(case_id, "issue_prior_notice", NOTICE)
    return (services or world.services).current_state(case_id).notice["document_no"]


def _register(services) -> list[tuple[str, int, int, str]]:
    return [(r["series"], r["year"], r["serial"], r["document"]) for r in number_store.document_numbers(services.db)]


def _events(services, kind: str) -> int:
    return services.db.execute("SELECT count(*) FROM event WHERE kind = ?", [kind]).fetchone()[0]


def _serial(number: str) -> int:
    return int(re.fullmatch(r".+〔\d{4}〕(\d+)号", number).group(1))


def test_each_kind_of_document_has_its_own_series_counted_from_one(world):
    first, second = _reported(world), _reported(world)
    world.clock.set("2025-03-03T09:00")
    third = steps.investigated(world, world.company)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, third, outcome="no_penalty")
    assert _notify(world, first) == "仲高新市监罚告〔2025〕1号"
    assert _notify(world, second) == "仲高新市监罚告〔2025〕2号"
    s = world.as_(world.officer_a)
    s.perform(first, "serve_document", {"document": "prior_notice", "method": "direct", "recipient": "黄某"})
    world.clock.set("2025-03-18T09:00")
    decision = steps.decide(world, first)
    steps.decide(world, third, outcome="no_penalty", evidence=[], reasons="首次违法、危害后果轻微并及时改正（行政处罚法第三十三条第一款）")
    states = {c: world.services.current_state(c) for c in (first, second, third)}
    assert states[first].decision["document_no"] == "仲高新市监处罚〔2025〕1号"  # its own series, not the notices' nor the case's
    assert states[third].decision["document_no"] == "仲高新市监不罚〔2025〕1号"
    assert [states[c].case_no for c in (first, second, third)] == [f"仲高新市监罚字〔2025〕{n}号" for n in (1, 2, 3)]
    # the number is recorded in the event that issued the document, with the series it was drawn from
    assert states[first].decision["numbering"] == {"document": "decision", "agency_id": world.services.agency().id,
                                                   "series": "仲高新市监处罚", "year": 2025, "serial": 1}
    assert s.numbers_given(first, decision) == ["行政处罚决定书 仲高新市监处罚〔2025〕1号"]
    assert _register(world.services) == [("仲高新市监不罚", 2025, 1, "no_penalty_decision"), ("仲高新市监处罚", 2025, 1, "decision"),
                                         ("仲高新市监罚告", 2025, 1, "prior_notice"), ("仲高新市监罚告", 2025, 2, "prior_notice")]
    report = world.services.verify(deep=True)
    assert report.ok, report.problems  # the register is a projection of the events: rebuilt, it is the same


def test_the_series_start_again_at_one_in_a_new_year(world):
    assert _notify(world, _reported(world)) == "仲高新市监罚告〔2025〕1号"
    world.clock.set("2026-01-05T09:00")
    case_id = _reported_in_2026(world)
    assert world.services.current_state(case_id).case_no == "仲高新市监罚字〔2026〕1号"
    assert _notify(world, case_id) == "仲高新市监罚告〔2026〕1号"
    assert _notify(world, _reported_in_2026(world)) == "仲高新市监罚告〔2026〕2号"


def _reported_in_2026(world) -> str:
    case_id = steps.lead(world, world.company, act_date="2025-12-20")
    steps.file(world, case_id)
    steps.inspect(world, case_id, at="2026-01-05T10:00")
    steps.report(world, case_id, fine_yuan=50000)
    return case_id


def test_a_refused_step_allocates_nothing_and_the_next_number_has_no_gap(world, monkeypatch):
    case_id = _reported(world)
    s = world.as_(world.officer_a)
    with pytest.raises(InvalidInput) as refused:  # refused by the procedure
        s.perform(case_id, "issue_prior_notice", {**NOTICE, "basis": ""})
    assert "basis" in {r.field for r in refused.value.refusals}
    with pytest.raises(InvalidInput) as typed:  # a number typed into the form
        s.perform(case_id, "issue_prior_notice", {**NOTICE, "document_no": "仲高新市监罚告〔2025〕9号"})
    assert [r.field for r in typed.value.refusals] == ["document_no"] and "系统" in typed.value.refusals[0].message

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    # the number reserved, the event recorded, then the write fails: the reservation rolls back with the step
    monkeypatch.setattr(case_store, "write_case_rows", fail)
    with pytest.raises(OSError):
        s.perform(case_id, "issue_prior_notice", NOTICE)
    monkeypatch.undo()
    assert _register(world.services) == [] and _events(world.services, "issue_prior_notice") == 0
    assert _notify(world, case_id) == "仲高新市监罚告〔2025〕1号"
    assert world.services.verify().ok


def test_two_writers_at_once_never_get_the_same_number(world):
    """Two users on one database file, each in a thread with its own connection, issue notices at the same
    moment: the writes take turns at the register and every number is given once."""
    cases = [_reported(world) for _ in range(6)]
    path, start, given, errors = world.services.path, threading.Barrier(2), {}, []

    def officer(mine: list[str]) -> None:
        try:
            with Services(path, clock=world.clock) as services:
                session = signed_in(services, "zhangming")
                start.wait(timeout=30)
                for case_id in mine:
                    session.perform(case_id, "issue_prior_notice", NOTICE)
                    given[case_id] = services.current_state(case_id).notice["document_no"]
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=officer, args=(cases[n::2],)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(given.values(), key=_serial) == [f"仲高新市监罚告〔2025〕{n}号" for n in range(1, 7)]
    assert [r[2] for r in _register(world.services)] == [1, 2, 3, 4, 5, 6]
    assert world.services.verify().ok


def _ship(source_session, target: Services, path) -> object:
    source_session.export_bundle(path, encrypt=False)
    has_users = target.db.execute("SELECT count(*) FROM officer").fetchone()[0]
    receiver = signed_in(target, "admin") if has_users else target.system_session()
    return receiver.import_bundle(path, trust_new=True)


def test_only_the_device_that_set_up_the_agency_gives_numbers(world, tmp_path):
    """A laptop that took the agency from the office's bundle records the case, but the steps that would be
    numbered are refused there, naming the office's device: two laptops offline could otherwise give one
    number twice."""
    case_id = _reported(world)
    laptop = Services(tmp_path / "laptop.db", clock=world.clock)
    try:
        _ship(world.as_(world.officer_a), laptop, tmp_path / "to-laptop.ecb")
        officer = signed_in(laptop, "zhangming")
        with pytest.raises(RuleViolation) as refused:
            officer.perform(case_id, "issue_prior_notice", NOTICE)
        assert rules_of(refused.value) == {"numbering_device"} and world.services.device_id[:8] in str(refused.value)
        lead = officer.register_lead({"source": "inspection", "received_on": "2025-03-10", "act_date": "2025-03-01", "cause": "销售超过保质期的食品",
                                      "cause_entry": "food_safety_124_1", "summary": "巡查发现", "party_id": world.company.id,
                                      "handlers": [world.officer_a.id, world.officer_b.id]})
        officer.perform(lead, "request_filing", {"facts": "巡查发现过期食品", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "涉嫌违反食品安全法第三十四条"})
        with pytest.raises(RuleViolation) as refused:
            signed_in(laptop, "wangju").perform(lead, "approve_filing", {"opinion": "同意立案"})
        assert rules_of(refused.value) == {"numbering_device"}
        # the on-the-spot decision is made where the officer stands, on its pre-printed numbered form: recorded,
        # without a case number
        simple = officer.record_simple_decision({
            "at": "2025-03-10T10:00", "place": "惠风路路口", "cause": "未按规定公示营业执照", "facts": "未公示营业执照",
            "basis": "《中华人民共和国食品安全法》第一百二十五条第二款", "form_no": "No.0001235", "officers": [world.officer_a.id, world.officer_b.id],
            "certificates_shown": True, "compliance": "十五日内缴纳", "remedies": "六十日内申请行政复议或六个月内提起行政诉讼",
            "party_id": world.company.id, "penalty_kinds": ["fine"], "fine_fen": 20000})
        assert laptop.current_state(simple).case_no == "" and laptop.current_state(simple).decision["form_no"] == "No.0001235"
        assert _register(laptop) == [] and laptop.db.execute("SELECT count(*) FROM case_number").fetchone()[0] == 0
        assert _events(laptop, "issue_prior_notice") == _events(laptop, "approve_filing") - 1 == 0
        assert laptop.verify().ok
        # on the office's desk the same steps are numbered
        assert _notify(world, case_id) == "仲高新市监罚告〔2025〕1号"
    finally:
        laptop.close()


def test_numbers_travel_with_their_events_and_a_bundle_received_twice_allocates_nothing(world, tmp_path):
    case_id = _reported(world)
    assert _notify(world, case_id) == "仲高新市监罚告〔2025〕1号"
    target = Services(tmp_path / "target.db", clock=world.clock)
    try:
        _ship(world.as_(world.officer_a), target, tmp_path / "first.ecb")
        again = _ship(world.as_(world.officer_a), target, tmp_path / "again.ecb")
        assert again.new_events == 0
        assert target.current_state(case_id).notice["document_no"] == "仲高新市监罚告〔2025〕1号"
        assert _register(target) == []  # the register holds the numbers this device gave; received ones are the sender's
        # the events come back to the office that numbered them: nothing is numbered again
        _ship(signed_in(target, "admin"), world.services, tmp_path / "back.ecb")
        assert _register(world.services) == [("仲高新市监罚告", 2025, 1, "prior_notice")]
        assert _notify(world, _reported(world)) == "仲高新市监罚告〔2025〕2号"
        for services in (world.services, target):
            report = services.verify(deep=True)
            assert report.ok, report.problems
    finally:
        target.close()


def test_old_records_keep_the_numbers_they_were_typed_with_and_no_new_number_repeats_one(world):
    """Before the app numbered documents the number was typed, and recorded in the step's payload: such a
    record replays, verifies and prints as it is, and the series passes over a number it already carries."""
    from pypdf import PdfReader

    from enforcement_app.casefile import render_documents

    services, old = world.services, _reported(world)
    state = services.current_state(old)
    ctx = services.context(world.officer_a, party=world.company)
    typed = "仲高新市监罚告〔2025〕1号"  # typed by hand, in the very form the series now takes
    payload = {**prepare(state, ctx, "issue_prior_notice", NOTICE), "document_no": typed}
    with services.transaction():
        event_store.append(services.db, Event(old, event_store.stream_heads(services.db, old), world.officer_a.id,
                                              services.device_id, world.clock(), "issue_prior_notice", payload))
    services.forget_states()
    services.reproject_cases()
    assert services.current_state(old).notice["document_no"] == typed
    assert _register(services) == []
    pdf = render_documents(world.as_(world.officer_a).case_file_data(old), ("prior_notice",))
    assert typed in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert _notify(world, _reported(world)) == "仲高新市监罚告〔2025〕2号"
    report = services.verify(deep=True)
    assert report.ok, report.problems


def test_a_number_is_never_corrected(world):
    case_id = _reported(world)
    _notify(world, case_id)
    notice = next(st for st in world.services.current_state(case_id).steps if st.kind == "issue_prior_notice")
    with pytest.raises(InvalidInput) as refused:
        world.as_(world.officer_a).perform(case_id, "correct_record", {"corrects": notice.hash, "reason": "文号写错",
                                                                       "changes": {"document_no": "仲高新市监罚告〔2025〕7号"}})
    assert "不能更正" in str(refused.value)


def test_the_agency_policy_gives_the_prefixes(world):
    """An agency's own version: its prefixes from the date it takes effect, a 送达回证 numbered if it says so,
    the shipped prefixes for what it leaves out; a prefix equal to the case number's is refused."""
    version = copy.deepcopy(load_json("agency", "policy.json")["versions"][0])
    version.update({"version": "local-2025", "effective_from": "2025-03-01",
                    "document_numbers": {"prefixes": {"prior_notice": "仲高新市监告", "service_receipt": "{code}送"}}})
    world.as_(world.admin).set_policy(version)
    case_id = _reported(world)
    assert _notify(world, case_id) == "仲高新市监告〔2025〕1号"
    s = world.as_(world.officer_a)
    s.perform(case_id, "serve_document", {"document": "prior_notice", "method": "direct", "recipient": "黄某"})
    receipt = next(st for st in world.services.current_state(case_id).steps if st.kind == "serve_document")
    assert receipt.payload["document_no"] == "仲高新市监送〔2025〕1号"
    from enforcement_app.casefile import list_documents

    listed = {e.title: e.number for e in list_documents(world.as_(world.officer_a).case_file_data(case_id))}
    assert listed["送达回证（行政处罚告知书）"] == "仲高新市监送〔2025〕1号"
    world.clock.set("2025-03-18T09:00")
    steps.decide(world, case_id)
    assert world.services.current_state(case_id).decision["document_no"] == "仲高新市监处罚〔2025〕1号"  # left out: as shipped

    clash = {**version, "version": "local-2025b", "effective_from": "2025-03-19",
             "document_numbers": {"prefixes": {"prior_notice": "仲高新市监罚字"}}}
    world.as_(world.admin).set_policy(clash)
    world.clock.set("2025-03-19T09:00")
    other = steps.lead(world, world.company)
    steps.file(world, other)
    steps.inspect(world, other, at="2025-03-19T10:00")
    steps.report(world, other, fine_yuan=50000)
    with pytest.raises(RuleViolation) as refused:
        s.perform(other, "issue_prior_notice", NOTICE)
    assert rules_of(refused.value) == {"document_series_clash"}
    assert _events(world.services, "issue_prior_notice") == 1


@pytest.mark.parametrize("prefixes, where", [
    ({"verdict": "罚"}, "未知的文书"),
    ({"decision": "罚 决"}, "decision"),
    ({"decision": "罚〔"}, "decision"),
    ({"decision": 7}, "decision"),
    ({"decision": ""}, "decision"),
])
def test_a_bad_prefix_is_refused_naming_it(prefixes, where):
    with pytest.raises(ValueError, match=where):
        parse_document_numbering({"prefixes": prefixes}, "policy")


def test_the_register_knows_every_step_that_numbers_a_document():
    declared = {k for k, a in ACTIONS.items() if a.issues is not None}
    assert set(number_store.NUMBERED_KINDS) == declared
    assert {ACTIONS[k].issues({"outcome": o}) for k in declared for o in ("penalty", "no_penalty", "dismissal", "transfer")} == set(DOCUMENT_ZH)


def test_looking_for_a_number_an_older_record_carries_uses_the_index(world):
    plan = " ".join(str(r) for r in world.services.db.execute("EXPLAIN QUERY PLAN " + number_store._CARRIED, ["x"]))
    assert "event_document_no" in plan


def test_the_demo_numbers_every_decision_in_its_own_series(tmp_path):
    """The issue this answers: demo decisions carried other cases' case numbers. Now every decision's number is
    of the series of its outcome, once, and no case number is a decision's."""
    from enforcement_app.services.demo import build_demo

    with Services(tmp_path / "demo.db") as services:
        build_demo(services, cases=20)
        states = [services.current_state(c) for c in case_store.case_streams(services.db)]
        decided = [s for s in states if s.decision is not None and s.procedure.value == "general"]
        assert {s.outcome.value for s in decided} == {"penalty", "no_penalty", "dismissal", "transfer"}
        series = {"penalty": "仲高新市监处罚", "no_penalty": "仲高新市监不罚", "dismissal": "仲高新市监撤案", "transfer": "仲高新市监刑移"}
        numbers = [s.decision["document_no"] for s in decided]
        assert len(set(numbers)) == len(numbers)
        assert not set(numbers) & {s.case_no for s in states}
        for s in decided:
            assert re.fullmatch(series[s.outcome.value] + r"〔\d{4}〕\d+号", s.decision["document_no"]), s.decision["document_no"]
        for prefix in series.values():  # each series counted from 1 without a gap, per year
            by_year: dict[int, list[int]] = {}
            for r in number_store.document_numbers(services.db):
                if r["series"] == prefix:
                    by_year.setdefault(r["year"], []).append(r["serial"])
            assert all(sorted(v) == list(range(1, len(v) + 1)) for v in by_year.values())
        notices = [s.notice["document_no"] for s in states if s.notice]
        assert notices and all(n.startswith("仲高新市监罚告〔") for n in notices) and len(set(notices)) == len(notices)
        assert services.verify().ok


def test_the_command_line_says_which_number_a_step_was_given(world, tmp_path, monkeypatch):
    import json

    from enforcement_app.cli.main import main as cli

    case_id = _reported(world)
    world.services.close()
    password = tmp_path / "pw.txt"
    password.write_text("secret-pass-1\n", encoding="utf-8")
    monkeypatch.delenv("ENFORCEMENT_PASSWORD", raising=False)
    out, err = io.StringIO(), io.StringIO()
    code = cli(["--db", str(world.services.path), "--user", "zhangming", "--password-file", str(password),
                "do", case_id, "issue_prior_notice", "--data", json.dumps(NOTICE, ensure_ascii=False), "--json"], out, err)
    assert code == 0, err.getvalue()
    (given,) = json.loads(out.getvalue())["numbers"]  # the command line runs on the real clock: this year's series
    assert re.fullmatch(r"行政处罚告知书 仲高新市监罚告〔\d{4}〕1号", given)
    out, err = io.StringIO(), io.StringIO()
    code = cli(["--db", str(world.services.path), "--user", "zhangming", "--password-file", str(password),
                "do", case_id, "issue_prior_notice", "--data", json.dumps({**NOTICE, "document_no": "告1"}, ensure_ascii=False)], out, err)
    assert code == 2 and "document_no" in err.getvalue() and "文号由系统" in err.getvalue()


def test_the_case_file_prints_each_number_and_lists_it_in_the_contents(world, tmp_path):
    from pypdf import PdfReader
    from test_casefile import _contents_rows

    from enforcement_app.casefile import render_case_file

    case_id, _hashes = steps.closed_case(world, tmp_path)
    rendered = render_case_file(world.as_(world.evaluator).case_file_data(case_id))
    reader = PdfReader(io.BytesIO(rendered.pdf))
    body_offset = reader.get_destination_page_number(reader.outline[2])  # the cover and the contents come first
    _contents_rows(reader, body_offset, rendered.documents)  # each document's row, with its number, is in the contents
    rows = {title: number for title, number, _first, _last in rendered.documents}
    assert rows["立案审批表"] == "仲高新市监罚字〔2025〕1号"
    assert rows["行政处罚告知书"] == "仲高新市监罚告〔2025〕1号"
    assert rows["行政处罚决定书"] == "仲高新市监处罚〔2025〕1号"
    assert rows["送达回证（行政处罚告知书）"] == ""  # the shipped policy numbers no receipt; it names what it served
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    for served in ("行政处罚告知书仲高新市监罚告〔2025〕1号", "行政处罚决定书仲高新市监处罚〔2025〕1号"):
        assert served in text  # on the 送达回证, as 送达文书名称及文号
    assert "决定书文号：仲高新市监处罚〔2025〕1号" in re.sub(r"\s+", "", reader.pages[0].extract_text())  # the cover
