"""Rule files: malformed files are refused whole with located errors; import/export round-trips;
the version in force (从旧兼从轻, Art. 37) is chosen between small fixture sets written to tmp_path."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enforcement_app.domain.discretion import (
    BaseKind,
    BenchmarkFormatError,
    CaseFacts,
    Grade,
    UnknownEntry,
    assess,
    dump_benchmark_set,
    load_benchmark_file,
    parse_benchmark_set,
    shipped_library,
    write_benchmark_file,
)
from enforcement_app.domain.money import yuan
from enforcement_app.domain.penalties import PartyKind
from enforcement_app.domain.policy import policy_on

CATALOGUE = shipped_library().catalogue
POLICY = policy_on(date(2024, 1, 1))


def make_set(version="1", start="2022-01-01", end=None, low="1000", high="2000", entry_id="demo_1") -> dict:
    return {
        "format": "discretion-benchmark/1",
        "id": "demo",
        "issuing_body": "测试机关",
        "version": version,
        "effective_from": start,
        "effective_to": end,
        "description": "测试用基准",
        "split_rules": {
            "range": {"lighter": ["0", "30"], "general": ["30", "70"], "heavier": ["70", "100"]},
            "max_only": {"lighter": ["0", "20"], "general": ["40", "60"], "heavier": ["80", "100"]},
        },
        "entries": [
            {
                "id": entry_id,
                "cause": "测试违法行为",
                "violation_basis": [{"law": "消防法", "article": "第二十八条"}],
                "penalty_basis": {"law": "消防法", "article": "第六十条", "paragraph": "第一款", "item": "第（三）项"},
                "penalty_kinds": ["fine"],
                "measures": [{"kind": "order_correction", "text": "责令改正"}],
                "fines": [{"party": ["person", "organisation"], "amount": {"unit": "yuan", "min": low, "max": high}}],
            }
        ],
    }


def write(tmp_path: Path, name: str, data: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def issues_of(path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(BenchmarkFormatError) as caught:
        load_benchmark_file(path, CATALOGUE)
    return [(i.file, i.entry, i.field) for i in caught.value.issues]


# ---- malformed files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "entry", "field"),
    [
        (lambda d: d["entries"][0]["fines"][0]["amount"].pop("max"), "demo_1", "fines[0].amount.max"),
        (lambda d: d["entries"][0]["fines"][0]["amount"].update(min="3000"), "demo_1", "fines[0].amount.min"),
        (lambda d: d["entries"][0]["fines"][0]["amount"].update(max="12.345"), "demo_1", "fines[0].amount.max"),
        (lambda d: d["entries"][0]["fines"][0]["amount"].update(max=2000.5), "demo_1", "fines[0].amount.max"),
        (lambda d: d["entries"][0]["fines"][0]["amount"].update(unit="euro"), "demo_1", "fines[0].amount.unit"),
        (lambda d: d["entries"][0]["fines"][0]["amount"].update(unit="multiple"), "demo_1", "fines[0].amount.base"),
        (lambda d: d["entries"][0]["fines"][0].update(party=["alien"]), "demo_1", "fines[0].party[0]"),
        (lambda d: d["entries"][0]["penalty_basis"].update(article="第60条"), "demo_1", "penalty_basis.article"),
        (lambda d: d["entries"][0]["penalty_basis"].update(item="（三）"), "demo_1", "penalty_basis.item"),
        (lambda d: d["entries"][0]["penalty_basis"].update(law="《消防法》"), "demo_1", "penalty_basis.law"),
        (lambda d: d["entries"][0].update(penalty_kinds=["fine", "flogging"]), "demo_1", "penalty_kinds[1]"),
        (lambda d: d["entries"][0].update(penalty_kinds=["warning"]), "demo_1", "penalty_kinds"),
        (lambda d: d["entries"][0].update(causee="typo"), "demo_1", "causee"),
        (lambda d: d["entries"][0].pop("cause"), "demo_1", "cause"),
        (lambda d: d["entries"][0].update(short_name="food_safety_125"), "demo_1", "short_name"),
        (lambda d: d["entries"][0].update(short_name="销售无标签预包装食品案"), "demo_1", "short_name"),
        (lambda d: d["entries"][0].update(short_name="销" * 31), "demo_1", "short_name"),
        (lambda d: d["entries"][0].update(short_name=""), "demo_1", "short_name"),
        (lambda d: d["entries"].append({**d["entries"][0], "id": "demo_2", "short_name": "测试"})
         or d["entries"][0].update(short_name="测试"), "demo_2", "short_name"),
        (lambda d: d["entries"][0]["measures"][0].update(kind="flog"), "demo_1", "measures[0].kind"),
        (lambda d: d["entries"][0]["fines"][0]["amount"].update(grades={"lighter": ["900", "1200"]}), "demo_1",
         "fines[0].amount.grades.lighter"),
        (lambda d: d["entries"][0].update(circumstances=[{"id": "repeat_within_year", "name": "x", "effect": "heavier",
                                                           "strength": "mandatory"}]), "demo_1", "circumstances[0].id"),
        (lambda d: d.update(effective_from="2022-13-01"), "", "effective_from"),
        (lambda d: d.update(effective_to="2021-01-01"), "", "effective_to"),
        (lambda d: d["split_rules"]["range"].pop("heavier"), "", "split_rules.range"),
        (lambda d: d.update(format="other/1"), "", "format"),
    ],
)
def test_each_error_names_file_entry_and_field(tmp_path, mutate, entry, field):
    data = make_set()
    mutate(data)
    path = write(tmp_path, "bad.json", data)
    assert (str(path), entry, field) in issues_of(path)


def test_tier_errors_are_located(tmp_path):
    data = make_set()
    data["entries"][0]["fines"][0]["amount"] = {
        "tiered_on": "goods_value",
        "tiers": [
            {"below_yuan": "10000", "amount": {"unit": "yuan", "min": "1", "max": "2"}},
            {"below_yuan": "5000", "amount": {"unit": "yuan", "min": "1", "max": "2"}},
            {"below_yuan": "9", "amount": {"unit": "multiple", "base": "goods_value", "min": "1", "max": "2"}},
        ],
    }
    found = issues_of(write(tmp_path, "tiers.json", data))
    fields = {f for _, _, f in found}
    assert {"fines[0].amount.tiers[1].below_yuan", "fines[0].amount.tiers[2].below_yuan"} <= fields


def test_all_errors_are_reported_at_once_and_nothing_is_imported(tmp_path):
    data = make_set()
    good = copy.deepcopy(data["entries"][0])
    good["id"] = "demo_good"
    data["entries"][0]["fines"][0]["amount"].pop("max")
    data["entries"][0]["penalty_basis"]["article"] = "第60条"
    bad_two = copy.deepcopy(good)
    bad_two["id"] = "demo_3"
    bad_two["measures"] = "责令改正"
    data["entries"] += [good, bad_two, copy.deepcopy(good)]  # the last repeats demo_good
    path = write(tmp_path, "many.json", data)
    found = issues_of(path)
    assert ("demo_1", "fines[0].amount.max") in [(e, f) for _, e, f in found]
    assert ("demo_1", "penalty_basis.article") in [(e, f) for _, e, f in found]
    assert ("demo_3", "measures") in [(e, f) for _, e, f in found]
    assert ("demo_good", "id") in [(e, f) for _, e, f in found]
    with pytest.raises(BenchmarkFormatError) as caught:
        load_benchmark_file(path, CATALOGUE)
    assert str(path) in str(caught.value) and "条目 demo_3" in str(caught.value)
    assert all(r.rule == "benchmark_format" for r in caught.value.refusals)


def test_not_json_names_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{ not json", encoding="utf-8")
    assert issues_of(path) == [(str(path), "", "(文件)")]


# ---- round trip ---------------------------------------------------------------------------------------


def test_export_then_import_gives_the_same_set(tmp_path):
    (shipped,) = shipped_library().sets
    out = tmp_path / "exported.json"
    write_benchmark_file(shipped, out)
    assert load_benchmark_file(out, CATALOGUE) == shipped


@given(
    st.decimals(min_value=0, max_value=10**6, places=2),
    st.decimals(min_value="0.01", max_value=10**6, places=2),
    st.booleans(),
)
def test_parse_dump_parse_round_trips(low, extra, max_only):
    data = make_set(low=str(low), high=str(low + extra))
    if max_only:
        del data["entries"][0]["fines"][0]["amount"]["min"]
    once = parse_benchmark_set(data, "x.json", CATALOGUE)
    again = parse_benchmark_set(dump_benchmark_set(once), "x.json", CATALOGUE)
    assert again == once
    assert dump_benchmark_set(again) == dump_benchmark_set(once)


# ---- versions: 从旧兼从轻 -------------------------------------------------------------------------------


def library_with(tmp_path: Path, *sets: dict):
    lib = shipped_library()
    return lib.with_sets(load_benchmark_file(write(tmp_path, f"s{i}.json", s), lib.catalogue) for i, s in enumerate(sets))


def run(lib, act: date, decided: date):
    return assess(lib, "demo_1", CaseFacts(PartyKind.ORGANISATION, act, decision_date=decided), POLICY)


def test_version_in_force_at_the_act_applies(tmp_path):
    lib = library_with(
        tmp_path,
        make_set("old", "2022-01-01", "2022-12-31", "1000", "2000"),
        make_set("new", "2023-01-01", None, "3000", "4000"),
    )
    a = run(lib, date(2022, 6, 1), date(2022, 8, 1))
    assert a.benchmark_version == "old" and (a.statutory_range.low, a.statutory_range.high) == (yuan(1000), yuan(2000))
    assert run(lib, date(2023, 2, 1), date(2023, 3, 1)).benchmark_version == "new"


def test_a_heavier_later_version_does_not_apply(tmp_path):
    lib = library_with(
        tmp_path,
        make_set("old", "2022-01-01", "2022-12-31", "1000", "2000"),
        make_set("new", "2023-01-01", None, "3000", "4000"),
    )
    a = run(lib, date(2022, 6, 1), date(2023, 6, 1))
    assert a.benchmark_version == "old"
    assert "从旧兼从轻" in a.explanation[1] and "第三十七条" in a.explanation[1]


def test_a_lighter_later_version_applies(tmp_path):
    lib = library_with(
        tmp_path,
        make_set("old", "2022-01-01", "2022-12-31", "1000", "2000"),
        make_set("new", "2023-01-01", None, "500", "1500"),
    )
    a = run(lib, date(2022, 6, 1), date(2023, 6, 1))
    assert a.benchmark_version == "new" and a.statutory_range.high == yuan(1500)
    assert "适用新版" in a.explanation[1]


def test_an_equally_heavy_later_version_keeps_the_old(tmp_path):
    lib = library_with(
        tmp_path,
        make_set("old", "2022-01-01", "2022-12-31", "1000", "2000"),
        make_set("new", "2023-01-01", None, "1000", "2000"),
    )
    assert run(lib, date(2022, 6, 1), date(2023, 6, 1)).benchmark_version == "old"


def test_a_later_version_that_exempts_the_case_is_lighter(tmp_path):
    old = make_set("old", "2022-01-01", "2022-12-31")
    new = make_set("new", "2023-01-01", None)
    old["entries"][0]["circumstances"] = [
        {"id": "demo_case", "name": "测试情形", "effect": "heavier", "strength": "discretionary"}
    ]
    new["entries"][0]["circumstances"] = [
        {"id": "demo_case", "name": "测试情形", "effect": "no_penalty", "strength": "mandatory"}
    ]
    lib = library_with(tmp_path, old, new)
    facts = CaseFacts(PartyKind.ORGANISATION, date(2022, 6, 1), date(2023, 6, 1), circumstances=("demo_case",))
    a = assess(lib, "demo_1", facts, POLICY)
    assert a.benchmark_version == "new" and a.grade is Grade.NO_PENALTY


def test_no_version_in_force_at_the_act_is_refused(tmp_path):
    lib = library_with(tmp_path, make_set("old", "2022-01-01", None))
    with pytest.raises(UnknownEntry, match="2021-06-01"):
        run(lib, date(2021, 6, 1), date(2022, 6, 1))
    with pytest.raises(UnknownEntry, match="没有条目 nope"):
        assess(lib, "nope", CaseFacts(PartyKind.PERSON, date(2022, 6, 1)), POLICY)


# ---- facts elements (discretion-benchmark/2) -----------------------------------------------------------


def make_set_2(**kwargs) -> dict:
    """A /2 set: its entry names the facts its provision needs."""
    data = make_set(**kwargs)
    data["format"] = "discretion-benchmark/2"
    data["entries"][0]["facts_elements"] = [
        {"key": "venue", "name": "场所"},
        {"key": "conduct", "name": "违法行为方式", "hint": "堆放的物品及数量"},
        {"key": "photos", "name": "现场照片", "required": False},
    ]
    return data


def test_a_short_name_is_optional_and_round_trips(tmp_path):
    """A set imported before entries had short names still loads (its entries are named by their cause); one
    that gives them keeps them through export and import."""
    data = make_set()
    (entry,) = parse_benchmark_set(data, "old.json", CATALOGUE).entries
    assert entry.short_name == "" and entry.name == "测试违法行为"
    data["entries"][0]["short_name"] = "测试行为"
    named = parse_benchmark_set(data, "new.json", CATALOGUE)
    assert named.entries[0].name == "测试行为"
    assert parse_benchmark_set(dump_benchmark_set(named), "again.json", CATALOGUE) == named


def test_a_set_of_format_2_names_each_entrys_facts_elements_and_round_trips():
    benchmark = parse_benchmark_set(make_set_2(), "x.json", CATALOGUE)
    entry = benchmark.entry("demo_1")
    assert [e.name for e in entry.required_elements] == ["场所", "违法行为方式"]
    assert entry.element("photos").required is False and entry.element("conduct").hint == "堆放的物品及数量"
    dumped = dump_benchmark_set(benchmark)
    assert dumped["format"] == "discretion-benchmark/2"
    assert parse_benchmark_set(dumped, "x.json", CATALOGUE) == benchmark


def test_a_set_of_format_1_has_no_elements_and_is_written_back_as_format_1():
    benchmark = parse_benchmark_set(make_set(), "x.json", CATALOGUE)
    assert benchmark.entry("demo_1").facts_elements == ()
    assert dump_benchmark_set(benchmark)["format"] == "discretion-benchmark/1"


def tiered_on_goods_value(d: dict) -> None:
    d["entries"][0]["fines"][0]["amount"] = {"tiered_on": "goods_value", "tiers": [
        {"below_yuan": "10000", "amount": {"unit": "yuan", "min": "1", "max": "2"}},
        {"amount": {"unit": "multiple", "base": "goods_value", "min": "1", "max": "2"}}]}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["entries"][0].pop("facts_elements"), "facts_elements"),
        (lambda d: d["entries"][0].update(facts_elements=[]), "facts_elements"),
        (lambda d: d["entries"][0]["facts_elements"][1].update(key="场所"), "facts_elements[1].key"),
        (lambda d: d["entries"][0]["facts_elements"][1].update(key="venue"), "facts_elements[1].key"),
        (lambda d: d["entries"][0]["facts_elements"][1].update(name="场所"), "facts_elements[1].name"),
        (lambda d: d["entries"][0]["facts_elements"][1].pop("name"), "facts_elements[1].name"),
        (lambda d: d["entries"][0]["facts_elements"][1].update(required="yes"), "facts_elements[1].required"),
        (lambda d: d["entries"][0]["facts_elements"][1].update(unit="euro"), "facts_elements[1].unit"),
        (lambda d: d["entries"][0]["facts_elements"][1].update(base="goods_value"), "facts_elements[1].base"),
        (lambda d: d["entries"][0]["facts_elements"][1].update(kind="text"), "facts_elements[1].kind"),
        # the goods value the fine is tiered on is a fact the case must establish
        (tiered_on_goods_value, "facts_elements"),
        (lambda d: d.update(format="discretion-benchmark/1"), "facts_elements"),  # /1 knows no elements
    ],
)
def test_each_facts_element_error_names_file_entry_and_field(tmp_path, mutate, field):
    data = make_set_2()
    mutate(data)
    path = write(tmp_path, "bad.json", data)
    assert (str(path), "demo_1", field) in issues_of(path)


def test_the_base_of_a_fine_is_a_required_amount_element(tmp_path):
    data = make_set_2()
    tiered_on_goods_value(data)
    data["entries"][0]["facts_elements"].append({"key": "goods_value", "name": "货值金额", "unit": "yuan", "base": "goods_value"})
    entry = parse_benchmark_set(data, "x.json", CATALOGUE).entry("demo_1")
    assert entry.element("goods_value").amount and entry.bases_used == {BaseKind.GOODS_VALUE}
    data["entries"][0]["facts_elements"][-1]["required"] = False
    assert (str(write(tmp_path, "optional.json", data)), "demo_1", "facts_elements") in issues_of(tmp_path / "optional.json")
