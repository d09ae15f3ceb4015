"""The discretion benchmark inside the case: the report, notice and decision run the engine on the
proposal; the statutory range is a hard limit; leaving the recommended range needs a written reason
and makes the decision major (legal review, Art. 58). Agency benchmark sets import into the database
and export back, whole or not at all."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import steps

from enforcement_app.cli.main import main as cli
from enforcement_app.domain.discretion import dump_benchmark_set, shipped_library
from enforcement_app.domain.refusals import InvalidInput, PermissionDenied, RuleViolation
from enforcement_app.domain.review import major_reasons
from enforcement_app.services import Services

# 食品安全法 第一百二十四条第一款: goods value under 10,000 yuan -> a fine of 50,000 to 100,000 yuan
STATUTORY_MIN, STATUTORY_MAX = 50_000, 100_000


def _split(grade: str) -> tuple[int, int]:
    """The shipped set's split rule for a range with both limits, applied to the statutory range."""
    (benchmark,) = shipped_library().sets
    low, high = (Decimal(p) / 100 for p in benchmark.split_rules.range[grade])
    width = STATUTORY_MAX - STATUTORY_MIN
    return int(STATUTORY_MIN + width * low), int(STATUTORY_MIN + width * high)


def _investigated(world):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    return case_id


def _report(world, case_id, fine_yuan, *, circumstances=(), reason="", outcome="penalty"):
    payload = {
        "outcome": outcome,
        "facts": steps.FACTS, "facts_elements": steps.ELEMENTS,
        "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        "discretion": "按裁量基准",
        "deviation_reason": reason,
        "benchmark": {"entry": "food_safety_124_1", "bases": {"goods_value": "120.00"}, "circumstances": list(circumstances)},
    }
    if outcome == "penalty":
        payload.update({"penalty_kinds": ["fine"], "fine_fen": fine_yuan * 100})
    if outcome == "no_penalty":
        payload.update(steps.exemption(world, case_id))
    return world.as_(world.officer_a).perform(case_id, "submit_investigation_report", payload)


def _major_items(world, state) -> set[str]:
    return {r.item for r in major_reasons(state, world.services.policy_on(world.clock().date()))}


def _events(world, case_id) -> int:
    return world.services.db.execute("SELECT count(*) FROM event WHERE stream = ?", [case_id]).fetchone()[0]


def test_a_fine_inside_the_recommended_range_is_no_deviation(world):
    case_id = _investigated(world)
    low, high = _split("general")
    _report(world, case_id, (low + high) // 2)
    state = world.as_(world.officer_a).view(case_id).state
    assert state.benchmark["grade"] == "general"
    assert state.benchmark["statutory_range_fen"] == [STATUTORY_MIN * 100, STATUTORY_MAX * 100]
    assert state.benchmark["recommended_range_fen"] == [low * 100, high * 100]
    assert not state.benchmark["deviation"] and not state.proposal.benchmark_deviation
    assert "benchmark_deviation" not in _major_items(world, state)


def test_leaving_the_recommended_range_needs_a_written_reason(world):
    case_id = _investigated(world)
    low, _high = _split("general")
    before = _events(world, case_id)
    with pytest.raises(InvalidInput) as refused:
        _report(world, case_id, low - 1)
    assert "benchmark_deviation_reason" in steps.rules_of(refused.value)
    assert any(r.field == "deviation_reason" for r in refused.value.refusals)
    assert _events(world, case_id) == before  # nothing recorded


def test_a_deviation_with_its_reason_is_recorded_and_requires_legal_review(world):
    case_id = _investigated(world)
    low, _high = _split("general")
    _report(world, case_id, low - 1, reason="当事人主动召回并销毁全部过期产品")
    view = world.as_(world.officer_a).view(case_id)
    assert view.state.benchmark["deviation"] and view.state.proposal.benchmark_deviation
    assert "benchmark_deviation" in _major_items(world, view.state)
    decide = next(a for a in view.actions if a.kind == "make_decision")
    assert "legal_review_required" in {r.rule for r in decide.reasons}


def test_a_fine_above_the_statutory_maximum_is_refused(world):
    case_id = _investigated(world)
    before = _events(world, case_id)
    with pytest.raises(RuleViolation) as refused:
        _report(world, case_id, STATUTORY_MAX + 1, reason="情节恶劣")
    assert "fine_above_statutory_maximum" in steps.rules_of(refused.value)
    assert _events(world, case_id) == before


def test_mitigation_below_the_minimum_under_article_32_is_no_deviation(world):
    """Art. 32 says 应当从轻或者减轻: going below the minimum is one of the two results the law allows (issue #15),
    recorded as 减轻 (for the policy's collective discussion), not a deviation needing a reason."""
    case_id = _investigated(world)
    _report(world, case_id, STATUTORY_MIN - 10_000, circumstances=["eliminated_harm"])
    benchmark = world.as_(world.officer_a).view(case_id).state.benchmark
    assert benchmark["grade"] == "lighter" and not benchmark["deviation"] and benchmark["mitigated"]
    assert any("低于法定最低限" in m and "减轻处罚" in m for m in benchmark["messages"])
    assert benchmark["input"]["circumstances"] == ["eliminated_harm"]


def test_no_penalty_against_the_benchmark_needs_a_reason(world):
    case_id = _investigated(world)
    with pytest.raises(InvalidInput) as refused:
        _report(world, case_id, 0, outcome="no_penalty")
    assert any(r.field == "deviation_reason" for r in refused.value.refusals)
    _report(world, case_id, 0, outcome="no_penalty", circumstances=["first_violation_exemption"])
    assert world.as_(world.officer_a).view(case_id).state.benchmark["grade"] == "no_penalty"


def test_a_later_proposal_is_checked_again_with_the_recorded_facts(world):
    case_id = _investigated(world)
    low, high = _split("general")
    _report(world, case_id, low)
    # the notice raises the fine beyond the recommended range without restating the benchmark facts
    with pytest.raises(InvalidInput) as refused:
        world.as_(world.officer_a).perform(case_id, "issue_prior_notice", {
            "penalty_kinds": ["fine"], "fine_fen": (high + 1) * 100,
            "facts": "当事人销售超过保质期的酸奶12盒，货值金额120元",
            "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"})
    assert "benchmark_deviation_reason" in steps.rules_of(refused.value)


def test_bad_benchmark_input_names_the_field(world):
    case_id = _investigated(world)
    payload = {"outcome": "penalty", "penalty_kinds": ["fine"], "fine_fen": 6_000_000, "facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "b", "discretion": "d",
               "benchmark": {"entry": "no_such_entry", "bases": {"goods_value": "12O"}}}
    with pytest.raises(InvalidInput) as refused:
        world.as_(world.officer_a).perform(case_id, "submit_investigation_report", payload)
    assert "benchmark.bases.goods_value" in {r.field for r in refused.value.refusals}
    payload["benchmark"]["bases"] = {"goods_value": "120"}
    with pytest.raises(InvalidInput) as refused:
        world.as_(world.officer_a).perform(case_id, "submit_investigation_report", payload)
    assert {r.field for r in refused.value.refusals} == {"benchmark.entry"}


# --- import and export ----------------------------------------------------------------------------------


def _agency_set(tmp_path, **changes):
    (shipped,) = shipped_library().sets
    document = dump_benchmark_set(shipped)
    document.update({"id": "huizhou_market", "name": "惠州仲恺市场监管裁量基准", "version": "2026.1",
                     "effective_from": "2026-01-01", "issuing_body": "惠州仲恺高新区市场监督管理局"})
    document.update(changes)
    path = tmp_path / f"{document['id']}-{document['version']}.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _cli(world, *args):
    password = world.services.path.with_name("admin-password.txt")
    password.write_text("admin-pass-1\n", encoding="utf-8")
    return cli(["--db", str(world.services.path), "--user", "admin", "--password-file", str(password), *args])


def test_import_is_recorded_listed_and_idempotent(world, tmp_path, capsys):
    path = _agency_set(tmp_path)
    world.services.close()
    assert _cli(world, "rules", "import", str(path), "--json") == 0
    assert json.loads(capsys.readouterr().out)["status"] == "imported"
    assert _cli(world, "rules", "import", str(path), "--json") == 0
    assert json.loads(capsys.readouterr().out)["status"] == "unchanged"
    assert _cli(world, "rules", "list", "--date", "2026-03-01", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert {e["benchmark_id"] for e in listed} == {"huizhou_market"}
    with Services(world.services.path) as services:
        assert services.db.execute("SELECT count(*) FROM benchmark_set").fetchone()[0] == 1
        assert services.db.execute("SELECT count(*) FROM event WHERE kind = 'import_benchmark_set'").fetchone()[0] == 1
        assert services.verify().ok


def test_a_changed_set_under_the_same_version_is_refused_not_overwritten(world, tmp_path, capsys):
    world.as_(world.admin).import_benchmarks(_agency_set(tmp_path))
    changed = _agency_set(tmp_path / "..", description="改过的说明")
    world.services.close()
    assert _cli(world, "rules", "import", str(changed)) == 2
    assert "已存在且内容不同" in capsys.readouterr().err
    with Services(world.services.path) as services:
        (stored,) = services.db.execute("SELECT document FROM benchmark_set").fetchall()
    assert "改过的说明" not in stored[0]


def test_a_malformed_file_is_refused_whole_naming_file_entry_and_field(world, tmp_path, capsys):
    document = json.loads(_agency_set(tmp_path).read_text(encoding="utf-8"))
    document["entries"][3]["fines"][0]["amount"]["max"] = "十万"
    del document["entries"][7]["penalty_basis"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    world.services.close()
    assert _cli(world, "rules", "import", str(bad)) == 2
    err = capsys.readouterr().err
    assert "整份未导入" in err and str(bad) in err
    assert document["entries"][3]["id"] in err and "max" in err
    assert document["entries"][7]["id"] in err and "penalty_basis" in err
    with Services(world.services.path) as services:
        assert services.db.execute("SELECT count(*) FROM benchmark_set").fetchone()[0] == 0
        assert services.db.execute("SELECT count(*) FROM event WHERE kind = 'import_benchmark_set'").fetchone()[0] == 0


def test_only_an_administrator_imports(world, tmp_path):
    with pytest.raises(PermissionDenied):
        world.as_(world.officer_a).import_benchmarks(_agency_set(tmp_path))


def test_export_gives_back_the_imported_document(world, tmp_path, capsys):
    path = _agency_set(tmp_path)
    world.as_(world.admin).import_benchmarks(path)
    world.services.close()
    out = tmp_path / "exported.json"
    assert _cli(world, "rules", "export", "huizhou_market", "--out", str(out)) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(path.read_text(encoding="utf-8"))
    assert _cli(world, "rules", "export", "huizhou_market", "--out", str(out)) == 2  # never overwrites
    assert _cli(world, "rules", "export", "no_such_set", "--out", str(tmp_path / "x.json")) == 2


@pytest.mark.parametrize(("general", "expected"), [(["20", "50"], "huizhou_market"), (["40", "80"], "statutory_default")],
                         ids=["later set lighter", "later set heavier"])
def test_the_set_in_force_at_the_act_applies_unless_a_later_one_is_lighter(world, tmp_path, general, expected):
    # Art. 37 (从旧兼从轻): an act of February 2025 decided in March 2026, when the agency's 2026 set is in force
    split = {"range": {"lighter": ["0", general[0]], "general": general, "heavier": [general[1], "100"]},
             "max_only": {"lighter": ["0", "20"], "general": ["40", "60"], "heavier": ["80", "100"]}}
    world.as_(world.admin).import_benchmarks(_agency_set(tmp_path, split_rules=split))
    case_id = _investigated(world)
    world.clock.set("2026-03-02T10:00")
    _report(world, case_id, 70_000, reason="按所适用基准的建议幅度")
    recorded = world.as_(world.officer_a).view(case_id).state.benchmark
    assert recorded["set"].split()[0] == expected


def test_without_benchmark_facts_the_statutory_maximum_still_holds(world):
    case_id = world.as_(world.officer_a).register_lead({
        "source": "inspection", "act_date": "2025-02-20", "cause": "发布含有“最佳”用语的广告", "cause_entry": "advertising_57_1_advertiser",
        "summary": "网店页面使用绝对化用语", "party_id": world.company.id, "handlers": [world.officer_a.id, world.officer_b.id]})
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    payload = {"outcome": "penalty", "penalty_kinds": ["fine"], "facts": "使用“最佳”用语", "facts_elements": steps.ADVERT_ELEMENTS, "discretion": "从重",
               "violation": "《中华人民共和国广告法》第九条第（三）项", "basis": "《中华人民共和国广告法》第五十七条第（一）项"}
    with pytest.raises(RuleViolation) as refused:  # Art. 57: 200,000 to 1,000,000 yuan
        world.as_(world.officer_a).perform(case_id, "submit_investigation_report", {**payload, "fine_yuan": "1000000.01"})
    assert "fine_above_statutory_maximum" in steps.rules_of(refused.value)
    world.as_(world.officer_a).perform(case_id, "submit_investigation_report", {**payload, "fine_yuan": "1000000"})
