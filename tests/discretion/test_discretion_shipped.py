"""The shipped library against the statute texts. Expected numbers are written from the statutes (and the
brief's §3.4 table), in yuan, and converted here; nothing is copied from engine output."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from enforcement_app.domain.discretion import (
    BaseKind,
    CaseFacts,
    Grade,
    assess,
    dump_benchmark_set,
    shipped_library,
)
from enforcement_app.domain.discretion.circumstances import dump_catalogue
from enforcement_app.domain.discretion.library import shipped_files
from enforcement_app.domain.money import yuan
from enforcement_app.domain.penalties import PartyKind, PenaltyKind
from enforcement_app.domain.policy import policy_on
from enforcement_app.resources import resource_path

DAY = date(2024, 5, 6)
POLICY = policy_on(DAY)
P, ORG = PartyKind.PERSON, PartyKind.ORGANISATION
LIGHTER_ONE = ("cooperated_investigation",)  # one discretionary lightening circumstance → lighter
HEAVIER_ONE = ("repeat_within_year",)  # one aggravating circumstance → heavier


def run(entry: str, party: PartyKind = ORG, circumstances: tuple[str, ...] = (), **bases_yuan: str):
    bases = {BaseKind(k): yuan(v) for k, v in bases_yuan.items()}
    return assess(shipped_library(), entry, CaseFacts(party, DAY, bases=bases, circumstances=circumstances), POLICY)


def fen(amount: str | int) -> int:
    return yuan(amount)


def fen_range(low: str | int, high: str | int) -> tuple[int, int]:
    return fen(low), fen(high)


def as_pair(r) -> tuple[int, int]:
    return (r.low, r.high)


# ---- 食品安全法第一百二十四条: 不足一万元 50,000–100,000; 一万元以上 10–20 倍 -------------------------------


@pytest.mark.parametrize("goods", ["0", "0.01", "1200", "9999.99"])
def test_food_124_below_ten_thousand_goods_value_uses_the_fixed_range(goods):
    a = run("food_safety_124_1", goods_value=goods)
    assert as_pair(a.statutory_range) == fen_range(50000, 100000)
    assert as_pair(a.recommended_range) == fen_range(65000, 85000)  # 一般: 6.5–8.5 万
    assert as_pair(run("food_safety_124_1", circumstances=LIGHTER_ONE, goods_value=goods).recommended_range) == fen_range(50000, 65000)
    assert as_pair(run("food_safety_124_1", circumstances=HEAVIER_ONE, goods_value=goods).recommended_range) == fen_range(85000, 100000)


@pytest.mark.parametrize("goods", ["10000", "10000.01", "12345.67", "250000"])
def test_food_124_from_ten_thousand_goods_value_uses_ten_to_twenty_times(goods):
    g = Decimal(goods)
    a = run("food_safety_124_1", goods_value=goods)
    assert as_pair(a.statutory_range) == (fen(g * 10), fen(g * 20))
    assert as_pair(a.recommended_range) == (fen(g * 13), fen(g * 17))  # 13–17 × per §3.4
    lighter = run("food_safety_124_1", circumstances=LIGHTER_ONE, goods_value=goods).recommended_range
    heavier = run("food_safety_124_1", circumstances=HEAVIER_ONE, goods_value=goods).recommended_range
    assert as_pair(lighter) == (fen(g * 10), fen(g * 13))
    assert as_pair(heavier) == (fen(g * 17), fen(g * 20))


def test_food_124_boundary_one_fen_apart():
    below = run("food_safety_124_1", goods_value="9999.99")
    at = run("food_safety_124_1", goods_value="10000.00")
    assert below.statutory_range.high == fen(100000)
    assert at.statutory_range.low == fen(100000) and at.statutory_range.high == fen(200000)
    assert "货值金额 9,999.99元，不足 10,000.00元" in " ".join(below.explanation)
    assert "10,000.00元以上" in " ".join(at.explanation)


def test_food_124_measures_kinds_and_citations():
    a = run("food_safety_124_1", goods_value="1200")
    assert a.penalty_basis == "《食品安全法》第一百二十四条第一款"
    assert "《食品安全法》第三十四条第（十）项" in a.violation_basis
    assert {PenaltyKind.FINE, PenaltyKind.CONFISCATE_ILLEGAL_INCOME, PenaltyKind.CONFISCATE_ILLEGAL_PROPERTY} == a.penalty_kinds
    assert [m.text for m in a.measures][:3] == ["责令改正", "没收违法所得", "没收违法生产经营的食品、食品添加剂"]
    serious = run("food_safety_124_1", circumstances=("serious_circumstances",), goods_value="1200")
    assert PenaltyKind.REVOKE_PERMIT in serious.penalty_kinds
    assert serious.hearing_right.applies and serious.major.applies  # revocation is in both policy lists


def test_food_124_needs_the_goods_value():
    from enforcement_app.domain.refusals import InvalidInput

    with pytest.raises(InvalidInput, match="货值金额"):
        run("food_safety_124_1")


# ---- 食品安全法第一百二十五条 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goods", "statutory", "general"),
    [
        ("9999.99", fen_range(5000, 50000), fen_range(18500, 36500)),
        ("10000", fen_range(50000, 100000), fen_range(65000, 85000)),  # 5–10 ×, general 6.5–8.5 ×
        ("20000", fen_range(100000, 200000), fen_range(130000, 170000)),
    ],
)
def test_food_125_1_2_tiers(goods, statutory, general):
    a = run("food_safety_125_1_2", goods_value=goods)
    assert as_pair(a.statutory_range) == statutory
    assert as_pair(a.recommended_range) == general


def test_food_125_1_2_grades_match_the_brief_table():
    assert as_pair(run("food_safety_125_1_2", circumstances=LIGHTER_ONE, goods_value="100").recommended_range) == fen_range(5000, 18500)
    assert as_pair(run("food_safety_125_1_2", circumstances=HEAVIER_ONE, goods_value="100").recommended_range) == fen_range(36500, 50000)
    serious = run("food_safety_125_1_2", circumstances=("serious_circumstances",), goods_value="100")
    assert {PenaltyKind.ORDER_SUSPENSION, PenaltyKind.REVOKE_PERMIT} <= serious.penalty_kinds


def test_food_125_2_label_flaw_not_more_than_two_thousand_after_refusing_correction():
    a = run("food_safety_125_2", party=P)
    assert as_pair(a.statutory_range) == fen_range(0, 2000) and a.max_only
    assert as_pair(a.recommended_range) == fen_range(800, 1200)  # 40–60 % of the maximum
    assert as_pair(run("food_safety_125_2", P, LIGHTER_ONE).recommended_range) == fen_range(0, 400)  # ≤20 %
    assert a.fine_condition and "拒不改正" in a.fine_condition
    assert a.penalty_basis == "《食品安全法》第一百二十五条第二款"
    # Art. 51: ≤200 yuan for a person, ≤3,000 yuan for an organisation
    assert not run("food_safety_125_2", P, LIGHTER_ONE).simple_procedure.applies  # up to 400 > 200
    assert run("food_safety_125_2", ORG, LIGHTER_ONE).simple_procedure.applies


# ---- 消防法第六十条 -----------------------------------------------------------------------------------


def test_fire_60_unit_range_and_grades():
    assert as_pair(run("fire_protection_60_1_3", ORG).statutory_range) == fen_range(5000, 50000)
    assert as_pair(run("fire_protection_60_1_3", ORG, LIGHTER_ONE).recommended_range) == fen_range(5000, 18500)
    assert as_pair(run("fire_protection_60_1_3", ORG).recommended_range) == fen_range(18500, 36500)
    assert as_pair(run("fire_protection_60_1_3", ORG, HEAVIER_ONE).recommended_range) == fen_range(36500, 50000)


def test_fire_60_individual_warning_or_not_more_than_500():
    a = run("fire_protection_60_1_3", P)
    assert as_pair(a.statutory_range) == fen_range(0, 500)
    assert as_pair(a.recommended_range) == fen_range(200, 300)
    assert as_pair(run("fire_protection_60_1_3", P, LIGHTER_ONE).recommended_range) == fen_range(0, 100)
    assert a.alternatives == {PenaltyKind.WARNING}
    assert a.penalty_basis == "《消防法》第六十条第二款"
    assert run("fire_protection_60_1_3", P, LIGHTER_ONE).simple_procedure.applies


# ---- 城乡规划法第六十四条 ------------------------------------------------------------------------------


def test_planning_64_correctable_five_to_ten_percent_of_construction_cost():
    a = run("urban_planning_64_correctable", construction_cost="1000000")
    assert as_pair(a.statutory_range) == fen_range(50000, 100000)
    assert as_pair(a.recommended_range) == fen_range(65000, 85000)  # 6.5–8.5 %


def test_planning_64_rounds_towards_the_inside():
    # 5 % of 333.33 yuan = 16.6665 yuan → 16.67 (up); 10 % = 33.333 → 33.33 (down)
    a = run("urban_planning_64_correctable", construction_cost="333.33")
    assert as_pair(a.statutory_range) == (1667, 3333)
    lighter = run("urban_planning_64_correctable", circumstances=LIGHTER_ONE, construction_cost="333.33")
    assert as_pair(lighter.recommended_range) == (1667, 2166)  # 6.5 % = 21.66645 yuan → down


def test_planning_64_uncorrectable_not_more_than_ten_percent():
    a = run("urban_planning_64_uncorrectable", construction_cost="1000000")
    assert as_pair(a.statutory_range) == fen_range(0, 100000) and a.max_only
    assert as_pair(a.recommended_range) == fen_range(40000, 60000)  # 4–6 % of cost


# ---- 广告法第五十七条 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["advertising_57_1_advertiser", "advertising_57_1_publisher"])
def test_advertising_57_fixed_range(entry):
    assert as_pair(run(entry).statutory_range) == fen_range(200000, 1000000)
    assert as_pair(run(entry, ORG, LIGHTER_ONE).recommended_range) == fen_range(200000, 440000)
    assert as_pair(run(entry).recommended_range) == fen_range(440000, 760000)
    assert as_pair(run(entry, ORG, HEAVIER_ONE).recommended_range) == fen_range(760000, 1000000)


def test_advertising_57_publisher_confiscates_the_advertising_cost_without_a_multiple():
    a = run("advertising_57_1_publisher", advertising_cost="500000")
    assert as_pair(a.statutory_range) == fen_range(200000, 1000000)  # not a multiple of the cost
    assert any(m.text == "没收广告费用" for m in a.measures)
    assert PenaltyKind.CONFISCATE_ILLEGAL_INCOME in a.penalty_kinds
    assert a.violation_basis == ("《广告法》第九条第（三）项",)


# ---- 安全生产法第九十七条 ------------------------------------------------------------------------------


def test_work_safety_97_not_more_than_100000():
    assert as_pair(run("work_safety_97_3").statutory_range) == fen_range(0, 100000)
    assert as_pair(run("work_safety_97_3", ORG, LIGHTER_ONE).recommended_range) == fen_range(0, 20000)
    assert as_pair(run("work_safety_97_3").recommended_range) == fen_range(40000, 60000)


def test_work_safety_97_overdue_tier_and_responsible_persons():
    a = run("work_safety_97_1_overdue", ORG, HEAVIER_ONE)
    assert as_pair(a.statutory_range) == fen_range(100000, 200000)
    assert as_pair(a.recommended_range) == fen_range(170000, 200000)
    assert PenaltyKind.ORDER_SUSPENSION in a.penalty_kinds
    rp = a.responsible_person
    assert rp is not None and as_pair(rp.statutory_range) == fen_range(20000, 50000)
    assert as_pair(rp.recommended_range) == fen_range(41000, 50000)  # 70–100 % of 20,000–50,000
    assert a.hearing_right.applies and a.major.applies  # 责令停产停业 is on both lists
    assert run("work_safety_97_1_overdue", P).responsible_person is None


# ---- lookup, citations, files ---------------------------------------------------------------------------


def test_lookup_by_basis_as_written_in_the_statute():
    lib = shipped_library()
    assert [e.id for e in lib.find_by_basis("食品安全法 第一百二十四条")] == ["food_safety_124_1"]
    assert [e.id for e in lib.find_by_basis("《中华人民共和国食品安全法》第125条第二款")] == ["food_safety_125_2"]
    assert {e.id for e in lib.find_by_basis("食品安全法 第一百二十五条")} == {"food_safety_125_1_2", "food_safety_125_2"}
    assert [e.id for e in lib.find_by_basis("消防法 第六十条第二款")] == ["fire_protection_60_1_3"]
    assert {e.id for e in lib.find_by_basis("安全生产法 第九十七条第（三）项")} == {"work_safety_97_3", "work_safety_97_3_overdue"}
    assert [e.id for e in lib.find_by_basis("广告法 第58条第一款第（二）项")] == [
        "advertising_58_1_2", "advertising_58_1_2_no_cost", "advertising_58_1_2_serious", "advertising_58_1_2_serious_no_cost"]
    assert lib.find_by_basis("广告法 第五十八条第一款第（三）项") == ()
    assert lib.find_by_basis("广告法 第六十条") == ()


def test_every_shipped_entry_assesses_for_each_party_it_covers():
    lib = shipped_library()
    for _, entry in lib.entries():
        for rule in entry.fines:
            for party in rule.party_kinds:
                bases = {b: yuan(12345) for b in BaseKind}
                a = assess(lib, entry.id, CaseFacts(party, DAY, bases=bases), POLICY)
                assert a.grade is Grade.GENERAL
                assert a.statutory_range.low <= a.recommended_range.low <= a.recommended_range.high <= a.statutory_range.high
                assert a.explanation[0].startswith("适用裁量基准") and entry.short_name in a.explanation[0]
                assert entry.id not in a.explanation[0]  # what the panel shows names the conduct, not the program's key


def test_shipped_files_are_in_canonical_form():
    lib = shipped_library()
    for path, benchmark in zip(shipped_files(), lib.sets, strict=True):
        assert dump_benchmark_set(benchmark) == json.loads(path.read_text(encoding="utf-8"))
    catalogue_file = resource_path("benchmarks", "circumstances.json")
    assert dump_catalogue(lib.catalogue) == json.loads(catalogue_file.read_text(encoding="utf-8"))


def test_shipped_description_states_the_split_rules():
    (benchmark,) = shipped_library().sets
    assert "30%" in benchmark.description and "尚无" in benchmark.description


def test_to_json_has_the_agreed_keys():
    doc = run("food_safety_124_1", goods_value="9999.99").to_json()
    assert doc["statutory_range"] == [50000, 100000]
    assert doc["recommended_range"] == [65000, 85000]
    assert doc["grade"] == "general" and doc["entry"] == "food_safety_124_1"
    assert doc["benchmark_version"] == "2021.1"
    assert isinstance(doc["hearing_right"], bool) and isinstance(doc["major"], bool)
    assert all(isinstance(line, str) for line in doc["explanation"])
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc


def test_optional_confiscation_is_not_recommended_as_a_penalty_kind():
    a = run("urban_planning_64_uncorrectable", construction_cost="1000000")
    assert a.penalty_kinds == {PenaltyKind.FINE}
    assert any(m.text == "不能拆除的，没收实物或者违法收入" and not m.mandatory for m in a.measures)


def test_every_shipped_entry_names_its_facts_elements_with_the_bases_it_computes_from():
    (benchmark,) = shipped_library().sets
    assert benchmark.format == "discretion-benchmark/2"
    for entry in benchmark.entries:
        assert entry.required_elements, entry.id
        assert entry.bases_used <= {e.base for e in entry.required_elements}, entry.id
    food = benchmark.entry("food_safety_124_1")
    assert [e.name for e in food.required_elements] == ["品名", "数量", "生产日期或批号", "保质期", "违法情形", "货值金额", "违法所得", "供货者"]
    advert = benchmark.entry("advertising_57_1_publisher")
    assert {"发布媒介和形式", "使用的用语", "发布期间", "广告费用"} <= {e.name for e in advert.required_elements}
    assert advert.element("advertising_cost").base is BaseKind.ADVERTISING_COST


def test_every_shipped_entry_has_a_short_name_a_case_is_named_by():
    """Cases are chosen and titled by the conduct's short name (案由), never by the program's key nor by the whole
    sentence of the statute: each shipped entry has one, distinct, in Chinese words."""
    (benchmark,) = shipped_library().sets
    names = [entry.short_name for entry in benchmark.entries]
    assert all(names) and len(set(names)) == len(names)
    assert all(len(n) <= 30 and not any(c.isascii() and c.isalpha() for c in n) for n in names)
    assert benchmark.entry("food_safety_125_1_2").name == "销售无标签预包装食品"
    assert all(len(e.short_name) < len(e.cause) for e in benchmark.entries if len(e.cause) > 20)
