"""The agency's power list (权责清单, issue #19): a case under a provision outside it is refused at filing,
naming the body the statute makes competent; a delegation admits it and the case file says so; versions take
effect on their dates; a malformed file is refused whole; the evaluation finds the veto 主体不合法 in a file
recorded outside the list; the demo stays within its agency's list."""

from __future__ import annotations

import copy
import io
import json
import re

import pytest
import steps
from conftest import signed_in
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from test_client import clients, settle  # noqa: F401 - the client's fixture and its wait

from enforcement_app.casefile import render_case_file
from enforcement_app.cli.main import main as cli
from enforcement_app.domain import power_list
from enforcement_app.domain.discretion import shipped_library
from enforcement_app.domain.power_list import (
    PowerListFormatError,
    find_power,
    findings_of,
    parse_power_list_versions,
)
from enforcement_app.domain.refusals import InvalidInput, PermissionDenied, RuleViolation
from enforcement_app.resources import load_json
from enforcement_app.services import Services
from enforcement_app.services.bundles import BundleError

SHIPPED = load_json("agency", "power_list.json")
KNOWN = {entry.id for _set, entry in shipped_library().entries()}

# a delegation made up for the tests (no such 委托书 is known): the planning department entrusts its
# penalties under 城乡规划法第六十四条 to the market-supervision bureau of the test world, for two years
DELEGATION = {
    "id": "urban_planning_64_delegated", "name": "对未取得建设工程规划许可证进行建设等行为的行政处罚（受委托）",
    "provisions": [{"law": "城乡规划法", "article": "第六十四条"}],
    "source": {"kind": "delegated", "body": "惠州仲恺高新区规划建设局", "document": "关于委托实施城乡规划行政处罚事项的决定",
               "document_no": "仲规建〔2025〕3号", "valid_from": "2025-04-01", "valid_to": "2025-04-30",
               "basis": {"law": "城乡规划法", "article": "第六十四条"}},
}


def _market_version(version: str, effective_from: str, *, extra=(), without=()) -> dict:
    """The shipped list as a new version of the agency's own: its powers, less ``without`` and plus ``extra``."""
    shipped = copy.deepcopy(SHIPPED["versions"][0])
    powers = [p for p in shipped["powers"] if p["id"] not in without] + [copy.deepcopy(p) for p in extra]
    return {**shipped, "version": version, "effective_from": effective_from, "title": f"本局权责清单（{version}）", "powers": powers}


def _document(*versions: dict) -> dict:
    return {"format": "power-list/1", "versions": list(versions)}


def _lead(world, entry: str, cause: str = "违法行为", party=None) -> str:
    return world.as_(world.officer_a).register_lead({
        "source": "inspection", "act_date": "2025-02-20", "cause": cause, "cause_entry": entry, "summary": "检查发现",
        "party_id": (party or world.company).id, "handlers": [world.officer_a.id, world.officer_b.id]})


def _refusal(exc: RuleViolation, rule: str = "outside_power_list"):
    found = [r for r in exc.refusals if r.rule == rule]
    assert found, f"no {rule} among {[r.rule for r in exc.refusals]}"
    return found[0]


def _pdf_text(data) -> str:
    reader = PdfReader(io.BytesIO(render_case_file(data).pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _cases(services) -> int:
    return services.db.execute("SELECT count(*) FROM stream_head WHERE instr(stream, '/') = 0").fetchone()[0]


# --- refused at filing, naming the competent body ----------------------------------------------------------


@pytest.mark.parametrize("entry, provision, body", [
    ("fire_protection_60_1_3", "《中华人民共和国消防法》第七十条", "由住房和城乡建设主管部门、消防救援机构按照各自职权决定"),
    ("urban_planning_64_correctable", "《中华人民共和国城乡规划法》第六十四条", "由县级以上地方人民政府城乡规划主管部门责令停止建设"),
    ("work_safety_97_3", "《中华人民共和国安全生产法》第一百一十五条", "由应急管理部门和其他负有安全生产监督管理职责的部门按照职责分工决定"),
])
def test_a_lead_under_an_entry_outside_the_list_is_refused_naming_the_competent_body(world, entry, provision, body):
    before = _cases(world.services)
    with pytest.raises(RuleViolation) as refused:
        _lead(world, entry)
    refusal = _refusal(refused.value)
    assert refusal.field == "cause_entry" and refusal.article == "行政处罚法第十七条"
    assert entry in refusal.message and "不在本机关权责清单" in refusal.message
    assert f"依据{provision}" in refusal.message and body in refusal.message
    assert _cases(world.services) == before  # nothing recorded
    # the same on the spot: a simple-procedure decision is the agency's decision too
    with pytest.raises(RuleViolation) as on_the_spot:
        world.as_(world.officer_a).record_simple_decision({
            "at": "2025-03-03T10:00", "place": "厂区", "cause": "违法行为", "cause_entry": entry, "facts": "事实", "basis": "依据",
            "form_no": "No.1", "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True,
            "compliance": "十五日内缴纳", "remedies": "复议诉讼", "party_id": world.person.id, "penalty_kinds": ["warning"]})
    assert body in _refusal(on_the_spot.value).message


def test_a_lead_within_the_list_is_filed_and_its_case_file_prints_the_statutory_power(world):
    case_id = steps.lead(world, world.company)  # food_safety_124_1
    steps.file(world, case_id)
    text = _pdf_text(world.as_(world.officer_a).case_file_data(case_id))
    assert "职权来源法定职权，依据《食品安全法》第一百二十四条第一款" in text  # the row of the 立案审批表
    spot = world.as_(world.officer_a).record_simple_decision({
        "at": "2025-03-03T10:00", "place": "店内", "cause": "预包装食品标签瑕疵经责令改正拒不改正", "cause_entry": "food_safety_125_2",
        "facts": "标签瑕疵，经责令改正拒不改正", "basis": "《中华人民共和国食品安全法》第一百二十五条第二款", "form_no": "No.1",
        "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True, "compliance": "十五日内缴纳",
        "remedies": "复议诉讼", "party_id": world.person.id, "penalty_kinds": ["fine"], "fine_fen": 20000})
    assert "职权来源：法定职权，依据《食品安全法》第一百二十五条" in _pdf_text(world.as_(world.officer_a).case_file_data(spot))


def test_filing_is_judged_by_the_list_in_force_on_the_day_it_is_asked_for_and_approved(world):
    """A version starting on 2025-03-10 drops 食品安全法第一百二十四条 from the list: a lead registered before may
    not be filed after; what was recorded before stays as it was."""
    case_id, other = steps.lead(world, world.company), steps.lead(world, world.person)
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "投诉反映销售过期食品", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "涉嫌违反食品安全法第三十四条"})
    world.as_(world.admin).import_power_list(_document(_market_version("local-2025-03", "2025-03-10", without=("food_safety_124",))))
    assert world.as_(world.head).view(case_id).state.stage == "filing"  # not yet in force: still allowed
    assert next(a for a in world.as_(world.head).view(case_id).actions if a.kind == "approve_filing").allowed
    world.clock.set("2025-03-10T09:00")
    blocked = next(a for a in world.as_(world.head).view(case_id).actions if a.kind == "approve_filing")
    assert not blocked.allowed and "outside_power_list" in {r.rule for r in blocked.reasons}
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.head).perform(case_id, "approve_filing", {"opinion": "同意立案"})
    message = _refusal(refused.value).message
    assert "local-2025-03" in message and "2025-03-10起施行" in message
    assert "依据《中华人民共和国食品安全法》第一百二十四条" in message and "县级以上人民政府食品安全监督管理部门" in message
    with pytest.raises(RuleViolation) as not_asked:
        world.as_(world.officer_a).perform(other, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    assert _refusal(not_asked.value).field == ""  # the filing request has no entry field: the lead's is meant
    with pytest.raises(RuleViolation):
        steps.lead(world, world.person)
    # the head may still decide not to file it; the record made before is unchanged and verifies
    world.as_(world.head).perform(case_id, "refuse_filing", {"reason": "不属于本机关职权范围"})
    assert [s.kind for s in world.as_(world.head).view(case_id).state.steps] == ["register_lead", "request_filing", "refuse_filing"]
    veto = next(line for line in world.as_(world.evaluator).evaluation_sheet(case_id).lines if line.item.id == "veto_body")
    assert veto.suggestion.veto is False  # not filing what is not the agency's is no veto
    assert world.services.verify().ok


def test_a_delegation_admits_the_case_from_its_date_within_its_term_and_the_file_prints_its_source(world):
    world.as_(world.admin).import_power_list(_document(_market_version("local-2025-04", "2025-04-01", extra=(DELEGATION,))))
    world.clock.set("2025-03-31T09:00")
    with pytest.raises(RuleViolation):
        _lead(world, "urban_planning_64_correctable", "未取得建设工程规划许可证进行建设")
    world.clock.set("2025-04-01T09:00")
    case_id = _lead(world, "urban_planning_64_correctable", "未取得建设工程规划许可证进行建设")
    steps.file(world, case_id)
    late = _lead(world, "urban_planning_64_correctable", "未取得建设工程规划许可证进行建设", world.person)
    steps.request_filing(world, late)
    food = steps.lead(world, world.person)  # the powers of its own stay in the new version
    world.clock.set("2025-05-06T09:00")  # the 委托书's term has ended
    with pytest.raises(RuleViolation) as lapsed:
        world.as_(world.head).perform(late, "approve_filing", {})
    assert "委托期限为2025-04-01至2025-04-30，2025-05-06不在委托期限内" in _refusal(lapsed.value).message
    steps.file(world, food)

    text = _pdf_text(world.as_(world.officer_a).case_file_data(case_id))
    assert "受委托实施：委托机关惠州仲恺高新区规划建设局，委托书《关于委托实施城乡规划行政处罚事项的决定》（仲规建〔2025〕3号）" in text
    assert "委托期限2025-04-01至2025-04-30" in text and "以委托行政机关名义实施（《中华人民共和国行政处罚法》第二十条第四款）" in text
    sheet = world.as_(world.evaluator).evaluation_sheet(case_id)
    body = next(line for line in sheet.lines if line.item.id == "veto_body")
    assert body.suggestion.veto is False and "仲规建〔2025〕3号" in body.evidence


# --- versions and files --------------------------------------------------------------------------------------


def test_a_malformed_power_list_file_is_refused_whole_with_every_problem_named(world, tmp_path):
    good = _market_version("local-2026", "2026-01-01")
    bad = _market_version("local-2027", "2027-01-01", extra=(DELEGATION,))
    bad["powers"][0]["source"]["kind"] = "assigned"
    bad["powers"][1]["provisions"][0]["article"] = "第125条"
    bad["powers"][2]["entries"] = ["no_such_entry"]
    del bad["powers"][3]["source"]["document_no"]
    path = tmp_path / "清单.json"
    path.write_text(json.dumps(_document(good, bad), ensure_ascii=False), encoding="utf-8")
    before = world.services.verify().events
    with pytest.raises(PowerListFormatError) as refused:
        world.as_(world.admin).import_power_list(path)
    text = str(refused.value)
    for where, what in (("versions[1].powers[0].source.kind", "assigned"), ("versions[1].powers[1].provisions[0].article", "第125条"),
                        ("versions[1].powers[2].entries[0]", "no_such_entry"), ("versions[1].powers[3].source.document_no", "缺少必填字段")):
        assert f"清单.json：字段 {where}：" in text and what in text
    assert len(refused.value.refusals) == 4
    assert world.services.verify().events == before  # not even the good version was recorded
    assert [v.version for v in world.services.power_list_versions()] == ["default-2021"]

    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="清单.json：不是可读的 UTF-8 JSON"):
        world.as_(world.admin).import_power_list(path)
    with pytest.raises(PermissionDenied):
        world.as_(world.officer_a).import_power_list(_document(good))  # administrators only


def test_a_recorded_version_is_never_replaced_and_importing_it_again_changes_nothing(world):
    admin = world.as_(world.admin)
    document = _document(_market_version("local-2026", "2026-01-01"))
    assert [r["status"] for r in admin.import_power_list(document)] == ["imported"]
    assert [r["status"] for r in admin.import_power_list(document)] == ["unchanged"]
    changed = _document(_market_version("local-2026", "2026-01-01", without=("advertising_57",)))
    with pytest.raises(InvalidInput, match="已存在且内容不同，未覆盖"):
        admin.import_power_list(changed)
    same_day = _document(_market_version("local-2026b", "2026-01-01"))
    with pytest.raises(InvalidInput, match="同日起施行"):
        admin.import_power_list(same_day)
    with pytest.raises(InvalidInput, match="default-2021 已存在"):
        admin.import_power_list(_document(_market_version("default-2021", "2021-07-15", without=("advertising_57",))))
    assert [v.version for v in world.services.power_list_versions()] == ["default-2021", "local-2026"]
    assert world.services.verify().ok  # the table is what the events say


def test_the_command_line_imports_and_shows_the_list(world, tmp_path, monkeypatch):
    path = tmp_path / "list.json"
    path.write_text(json.dumps(_document(_market_version("local-2025-04", "2025-04-01", extra=(DELEGATION,))), ensure_ascii=False),
                    encoding="utf-8")
    monkeypatch.setenv("ENFORCEMENT_PASSWORD", "admin-pass-1")
    out, err = io.StringIO(), io.StringIO()
    assert cli(["--db", str(world.services.path), "--user", "admin", "power-list", "import", str(path)], out=out, err=err) == 0
    assert "已导入：权责清单版本 local-2025-04" in out.getvalue() and "自 2025-04-01 起施行" in out.getvalue()
    out = io.StringIO()
    assert cli(["--db", str(world.services.path), "--user", "admin", "power-list", "show", "--on", "2025-04-02"], out=out, err=err) == 0
    assert "urban_planning_64_delegated" in out.getvalue() and "仲规建〔2025〕3号" in out.getvalue()
    path.write_text(json.dumps(_document({"version": "x"})), encoding="utf-8")
    err = io.StringIO()
    assert cli(["--db", str(world.services.path), "--user", "admin", "power-list", "import", str(path)], out=out, err=err) != 0
    assert "versions[0].effective_from" in err.getvalue() and "Traceback" not in err.getvalue()


REQUIRED = ["version", "effective_from", "agency", "title", "powers", "powers.0.id", "powers.0.name", "powers.0.source",
            "powers.0.source.kind", "powers.0.source.basis", "powers.0.provisions", "powers.0.source.basis.law"]


@pytest.mark.parametrize("path", REQUIRED)
def test_every_required_field_is_required(path):
    version = copy.deepcopy(SHIPPED["versions"][0])
    *parents, last = path.split(".")
    target = version
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    del target[last]
    with pytest.raises(PowerListFormatError):
        parse_power_list_versions(_document(version), "x.json", KNOWN)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=12)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


ALL_PATHS = list(_paths(SHIPPED))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(ALL_PATHS), value=JSON)
def test_any_value_anywhere_is_read_or_refused_with_the_lists_own_error(where, value):
    """Replace any part of the shipped file by any JSON value: the file still reads (the value was acceptable
    there) or is refused with a :class:`PowerListFormatError` naming a field, never another error."""
    document = copy.deepcopy(SHIPPED)
    if where:
        target = document
        for key in where[:-1]:
            target = target[key]
        target[where[-1]] = value
    else:
        document = value
    try:
        versions = parse_power_list_versions(document, "x.json", KNOWN)
    except PowerListFormatError as exc:
        assert exc.refusals and all(r.rule == "power_list_format" and r.message.startswith("x.json：") for r in exc.refusals)
        return
    assert versions and all(v.value.powers for v in versions)
    assert parse_power_list_versions(_document(*map(power_list.dump_version, versions)), "y.json", KNOWN) == versions


# --- the evaluation and the bundles ---------------------------------------------------------------------------


def _as_an_older_program(monkeypatch):
    """Record as a program from before the power lists did: nothing checks the list."""
    monkeypatch.setattr(power_list, "entry_refusals", lambda *args, **kwargs: [])


def test_the_evaluation_finds_the_veto_in_a_file_recorded_outside_the_list(world, monkeypatch):
    with monkeypatch.context() as old:
        _as_an_older_program(old)
        case_id = _lead(world, "fire_protection_60_1_3", "占用、堵塞消防通道")
        steps.file(world, case_id)
    sheet = world.as_(world.evaluator).evaluation_sheet(case_id)
    lines = {line.item.id: line for line in sheet.lines}
    veto = lines["veto_body"]
    assert veto.suggestion.veto is True
    assert "批准立案（2025-03-03）" in veto.evidence and "依据《中华人民共和国消防法》第七十条" in veto.evidence
    assert veto.findings[0].documents == ("立案审批表",)
    assert lines["content_body"].suggestion.score == 0
    text = _pdf_text(world.as_(world.officer_a).case_file_data(case_id))
    assert "职权来源未在本机关权责清单内" in text and "消防救援机构" in text
    # the same machine goes on refusing what the older program let through
    with pytest.raises(RuleViolation):
        _lead(world, "fire_protection_60_1_3")

    within = steps.lead(world, world.company)
    steps.file(world, within)
    line = next(line for line in world.as_(world.evaluator).evaluation_sheet(within).lines if line.item.id == "veto_body")
    assert line.suggestion.veto is False and "法定职权，依据《食品安全法》第一百二十四条第一款" in line.evidence

    unnamed = world.as_(world.officer_a).register_lead({
        "source": "complaint", "act_date": "2025-02-20", "cause": "销售超过保质期的食品", "summary": "投诉",
        "party_id": world.company.id, "handlers": [world.officer_a.id, world.officer_b.id]})
    steps.file(world, unnamed)  # naming no entry: judged by the statute of the rule its filing request names
    line = next(line for line in world.as_(world.evaluator).evaluation_sheet(unnamed).lines if line.item.id == "veto_body")
    assert line.suggestion.veto is False and "依涉嫌违反的《食品安全法》第三十四条第（十）项所属法律核对" in line.evidence


def _new_machine(world, name: str) -> Services:
    return Services(world.services.path.parent / f"{name}.db", clock=world.clock)


def _ship(source, target: Services, tmp_path, name: str):
    path = tmp_path / f"{name}.ecb"
    source.export_bundle(path, encrypt=False)
    has_users = target.db.execute("SELECT count(*) FROM officer").fetchone()[0]
    receiver = signed_in(target, "admin") if has_users else target.system_session()
    return receiver.import_bundle(path, trust_new=True)


def test_a_bundle_brings_the_power_list_and_its_cases_are_judged_by_the_receiving_machines_rules(world, tmp_path, monkeypatch):
    office = _new_machine(world, "office")
    try:
        world.as_(world.admin).import_power_list(_document(_market_version("local-2025-03", "2025-03-03", extra=(
            {**DELEGATION, "source": {**DELEGATION["source"], "valid_from": "2025-03-03"}},))))
        delegated = _lead(world, "urban_planning_64_correctable", "未取得建设工程规划许可证进行建设")
        steps.file(world, delegated)
        _ship(world.as_(world.officer_a), office, tmp_path, "first")  # the list travels with the agency's configuration
        assert "local-2025-03" in [v.version for v in office.power_list_versions()]
        assert signed_in(office, "zhangming").view(delegated).state.case_no

        world.clock.set("2025-03-04T09:00")
        with monkeypatch.context() as old:
            _as_an_older_program(old)
            fire = _lead(world, "fire_protection_60_1_3", "占用、堵塞消防通道")
        with pytest.raises(BundleError) as refused:
            _ship(world.as_(world.officer_a), office, tmp_path, "second")
        problems = "；".join(refused.value.problems)
        assert "案源登记" in problems and "消防救援机构" in problems and "不在本机关权责清单" in problems
        assert office.db.execute("SELECT count(*) FROM event WHERE stream = ?", [fire]).fetchone()[0] == 0
        # the receiving machine's administrator records the delegation that covers it: the same bundle is accepted
        fire_delegation = {"id": "fire_delegated", "name": "《消防法》规定的部分行政处罚（受委托）", "provisions": [{"law": "消防法"}],
                           "source": {"kind": "delegated", "body": "惠州仲恺高新区消防救援大队", "document": "委托书", "document_no": "仲消〔2025〕1号",
                                      "valid_from": "2025-03-04", "valid_to": "2025-12-31"}}
        signed_in(office, "admin").import_power_list(_document(_market_version("office-2025-03-04", "2025-03-04", extra=(fire_delegation,))))
        assert _ship(world.as_(world.officer_a), office, tmp_path, "third").new_cases
    finally:
        office.close()


# --- the demo -------------------------------------------------------------------------------------------------


def test_every_demo_case_is_within_the_demo_agencys_list(tmp_path):
    from enforcement_app.services.demo import build_demo

    with Services(tmp_path / "demo.db") as services:
        build_demo(services, cases=20)
        versions, library = services.power_list_versions(), services.benchmarks()
        agency = services.agency()
        assert versions[0].value.agency == agency.name
        case_ids = [r[0] for r in services.db.execute("SELECT stream FROM stream_head WHERE instr(stream, '/') = 0")]
        assert len(case_ids) == 20
        for case_id in case_ids:
            state = services.current_state(case_id)
            assert state.cause_entry, state.title
            opened = find_power(state.cause_entry, state.steps[0].day, versions, library)  # the lead, or the decision on the spot
            assert opened is not None and opened.within, (state.title, opened)
            found = findings_of(state, versions, library)
            assert all(f is not None and f.within for f in found.values()), (state.title, found)


# --- the client ---------------------------------------------------------------------------------------------


@pytest.mark.gui
def test_the_administrator_imports_a_power_list_from_the_admin_page(world, clients, qtbot, tmp_path):  # noqa: F811 - the fixture imported
    from PySide6.QtWidgets import QPushButton

    worker, window, _ = clients("admin", "admin-pass-1")
    window.show_page("admin")
    page = window.admin
    assert page.findChild(QPushButton, "import_power_list") is not None
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(_document({"version": "x"})), encoding="utf-8")
    page.import_power_list(str(broken))
    settle(qtbot, worker)
    assert "broken.json：字段 versions[0].effective_from：缺少必填字段" in page.output.toPlainText()
    path = tmp_path / "list.json"
    path.write_text(json.dumps(_document(_market_version("local-2025-04", "2025-04-01", extra=(DELEGATION,))), ensure_ascii=False),
                    encoding="utf-8")
    page.import_power_list(str(path))
    settle(qtbot, worker)
    assert "imported: 本局权责清单（local-2025-04）（local-2025-04，2025-04-01）" in page.output.toPlainText()
    world.services.refresh()
    assert [v.version for v in world.services.power_list_versions()] == ["default-2021", "local-2025-04"]


def test_a_bundles_version_that_clashes_with_one_here_is_reported_and_not_taken(world, tmp_path):
    """Two machines' administrators each recorded a version from the same day: the one a bundle brings is not
    taken (which would apply could not be said), and this machine goes on with its own."""
    office = _new_machine(world, "office")
    try:
        _ship(world.as_(world.officer_a), office, tmp_path, "first")
        signed_in(office, "admin").import_power_list(_document(_market_version("office-2025-06", "2025-06-01")))
        world.as_(world.admin).import_power_list(_document(_market_version("laptop-2025-06", "2025-06-01", without=("advertising_57",))))
        summary = _ship(world.as_(world.officer_a), office, tmp_path, "second")
        assert any("laptop-2025-06" in c and "同日（2025-06-01）" in c for c in summary.conflicts)
        assert [v.version for v in office.power_list_versions()] == ["default-2021", "office-2025-06"]
        assert office.verify().ok
    finally:
        office.close()


@pytest.mark.gui
def test_the_new_case_dialog_offers_only_the_entries_within_the_list(world, clients, qtbot):  # noqa: F811 - the fixture imported
    worker, window, _ = clients("zhangming")
    window.new_case()
    settle(qtbot, worker)
    offered = {window.new_case_dialog.entry.itemData(i) for i in range(window.new_case_dialog.entry.count())}
    assert offered == {"", "food_safety_124_1", "food_safety_125_1_2", "food_safety_125_2", "advertising_57_1_advertiser",
                       "advertising_57_1_publisher"}


# --- the provision broken at filing; a case naming no entry; the delegating body's name ----------------------


def _filing_pdf_row(world, case_id: str) -> str:
    text = _pdf_text(world.as_(world.officer_a).case_file_data(case_id))
    start = text.index("立案审批表")
    return text[start:text.index("承办人意见", start)]


def test_the_filing_request_states_the_provision_broken_not_the_penalty_clause(world):
    """适用法律错误 is a veto: the 立案审批表 says which rule the party is suspected of breaking (违反了…), one of the
    entry's violation bases, and it is recorded in the event it prints from."""
    case_id = steps.lead(world, world.company)  # food_safety_124_1 names five items of 食品安全法第三十四条
    officer = world.as_(world.officer_a)
    before = officer.view(case_id).state.steps

    def refused(violation: str) -> str:
        with pytest.raises(InvalidInput) as exc:
            officer.perform(case_id, "request_filing", {"facts": "投诉反映销售过期食品", "violation": violation, "reason": "涉嫌违法"})
        found = [r for r in exc.value.refusals if r.field == "violation"]
        assert found, exc.value.refusals
        return found[0].message

    assert "第三十四条第（十）项" in refused("")  # five to choose from: the officer names it, the choices are offered
    assert "写成了罚则" in refused("《中华人民共和国食品安全法》第一百二十四条第一款第（五）项")
    assert "不是所适用裁量基准条目的违法条款" in refused("《中华人民共和国广告法》第九条第（三）项")
    assert "无法识别的法条引用" in refused("食品安全有关规定")
    assert officer.view(case_id).state.steps == before  # nothing recorded
    officer.perform(case_id, "request_filing", {"facts": "投诉反映销售过期食品", "violation": "《食品安全法》第34条第（十）项",
                                                "reason": "涉嫌销售超过保质期的食品"})
    recorded = officer.view(case_id).state
    assert recorded.steps[-1].payload["violation"] == "《食品安全法》第34条第（十）项"
    assert recorded.suspected_violation == "《食品安全法》第34条第（十）项"
    row = _filing_pdf_row(world, case_id)
    assert "涉嫌违反的法律规定《食品安全法》第34条第（十）项" in row and "第一百二十四条第一款第（五）项" not in row.split("职权来源")[0]


def test_an_entry_naming_one_rule_gives_it_to_the_filing_request(world):
    case_id = _lead(world, "advertising_57_1_advertiser", "发布含有表示功效、安全性的断言的医疗广告")
    entry = world.services.benchmarks().entry("advertising_57_1_advertiser")
    assert len(entry.violation_basis) == 1
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "店招宣称“根治”", "reason": "涉嫌发布违法广告"})
    assert world.as_(world.officer_a).view(case_id).state.suspected_violation == entry.violation_basis[0].cite()


def _unlisted_lead(world, party=None) -> str:
    return world.as_(world.officer_a).register_lead({
        "source": "inspection", "act_date": "2025-02-20", "cause": "违法行为", "summary": "检查发现",
        "party_id": (party or world.company).id, "handlers": [world.officer_a.id, world.officer_b.id]})


def test_a_case_naming_no_entry_is_judged_by_the_statute_of_the_rule_broken_at_filing(world):
    """行政处罚法第十七条 for a case the benchmark library does not cover: the power list names penalty clauses,
    so at filing the provision broken must belong to a statute the list has powers under; the file says how it
    was checked, and the evaluation judges it rather than leaving it open."""
    case_id = _unlisted_lead(world)
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.officer_a).perform(case_id, "request_filing", {
            "facts": "疏散通道堆放杂物", "violation": "《中华人民共和国消防法》第二十八条", "reason": "涉嫌占用疏散通道"})
    refusal = _refusal(refused.value)
    assert refusal.field == "violation" and refusal.article == "行政处罚法第十七条"
    assert "本案涉嫌违反的《消防法》第二十八条所属法律不在本机关权责清单" in refusal.message
    assert "依据《中华人民共和国消防法》第七十条" in refusal.message and "消防救援机构" in refusal.message
    assert [s.kind for s in world.as_(world.officer_a).view(case_id).state.steps] == ["register_lead"]

    world.as_(world.officer_a).perform(case_id, "request_filing", {
        "facts": "店招宣称“根治高血压”", "violation": "《中华人民共和国广告法》第九条第（三）项", "reason": "涉嫌发布违法广告"})
    world.as_(world.head).perform(case_id, "approve_filing", {"opinion": "同意立案"})
    row = _filing_pdf_row(world, case_id)
    assert "职权来源法定职权，依据《广告法》第五十七条" in row and "依涉嫌违反的《广告法》第九条第（三）项所属法律核对" in row
    found = findings_of(world.services.current_state(case_id), world.services.power_list_versions(), world.services.benchmarks())
    assert all(f is not None and f.within and f.statute_only for f in found.values()) and len(found) == 2


def test_a_decision_naming_no_entry_is_refused_under_a_penalty_clause_outside_the_list(world):
    """On the spot the decision cites its penalty clause: it must fall under a power of the list that day."""
    spot = {"at": "2025-03-03T10:00", "place": "店内", "cause": "预包装食品标签瑕疵经责令改正拒不改正", "facts": "标签瑕疵，经责令改正拒不改正",
            "form_no": "No.1", "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True,
            "compliance": "十五日内缴纳", "remedies": "复议诉讼", "party_id": world.person.id, "penalty_kinds": ["fine"], "fine_fen": 20000}
    officer = world.as_(world.officer_a)
    with pytest.raises(RuleViolation) as outside:
        officer.record_simple_decision({**spot, "basis": "《中华人民共和国消防法》第六十条第二款"})
    message = _refusal(outside.value).message
    assert "本案适用的罚则《消防法》第六十条第二款不在本机关权责清单" in message and "无权作出处罚" in message
    with pytest.raises(RuleViolation) as uncited:
        officer.record_simple_decision({**spot, "basis": "依据有关规定"})
    assert _refusal(uncited.value, "basis_uncited").field == "basis"
    # a clause cited with the penalty law's own articles beside it: those are procedure, not a power to check
    officer.record_simple_decision({**spot, "at": "2025-03-03T11:00", "form_no": "No.2",
                                    "basis": "《中华人民共和国食品安全法》第一百二十五条第二款、《中华人民共和国行政处罚法》第五十一条"})
    case_id = officer.record_simple_decision({**spot, "basis": "《中华人民共和国食品安全法》第一百二十五条第二款"})
    assert "职权来源：法定职权，依据《食品安全法》第一百二十五条（《行政处罚权责清单（系统内置缺省清单）》：" in _pdf_text(officer.case_file_data(case_id))
    body = next(line for line in world.as_(world.evaluator).evaluation_sheet(case_id).lines if line.item.id == "veto_body")
    assert body.suggestion is not None and body.suggestion.veto is False and "法定职权" in body.evidence  # judged, not left open


def test_a_decision_under_a_delegation_is_made_and_printed_in_the_delegating_bodys_name(world, tmp_path):
    """行政处罚法第二十条第四款: 受委托组织在委托范围内，以委托行政机关名义实施行政处罚. The decision records the
    delegating body as the body deciding, a different one is refused, and the documents carry its name — not the
    agency's electronic seal, which is not the delegating body's."""
    delegated = copy.deepcopy(SHIPPED["versions"][0])
    for power in delegated["powers"]:
        if power["id"] == "food_safety_124":
            power["source"] = {"kind": "delegated", "body": "惠州仲恺高新区食品安全委员会办公室", "document": "委托实施食品安全行政处罚的决定",
                               "document_no": "仲食安委〔2025〕1号", "valid_from": "2025-01-01", "valid_to": "2025-12-31"}
    world.as_(world.admin).import_power_list(_document({**delegated, "version": "delegated-2025", "effective_from": "2025-01-01"}))
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id)
    steps.notice(world, case_id)
    world.clock.set("2025-03-18T09:00")
    with pytest.raises(InvalidInput) as wrong:
        steps.decide(world, case_id, agency_name="惠州仲恺高新区另一机关")
    assert any(r.field == "agency_name" and "第二十条第四款" in r.message for r in wrong.value.refusals)
    steps.decide(world, case_id)
    state = world.as_(world.head).view(case_id).state
    assert state.steps[-1].payload["agency_name"] == "惠州仲恺高新区食品安全委员会办公室"
    data = world.as_(world.officer_a).case_file_data(case_id)
    assert data.issuer == "惠州仲恺高新区食品安全委员会办公室"
    text = _pdf_text(data)
    own = world.services.agency().name
    for title in ("行政处罚决定书", "行政处罚告知书", "立案审批表"):  # each document headed by the body it is made in the name of
        assert f"惠州仲恺高新区食品安全委员会办公室{title}" in text and f"{own}{title}" not in text
    assert "惠州仲恺高新区食品安全委员会办公室（印章）" in text
