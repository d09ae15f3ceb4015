"""CLI handlers, called with args parsed by our own parser and a StringIO."""

from __future__ import annotations

import argparse
import io
import json
from datetime import date

import pytest

from enforcement_app.cli.discretion_cmd import add_parsers
from enforcement_app.domain.discretion import shipped_library
from enforcement_app.domain.policy import policy_on

POLICY = policy_on(date(2024, 1, 1))


def call(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="enforcement-cli")
    add_parsers(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    out = io.StringIO()
    code = args.handler(args, POLICY, shipped_library(), out)
    return code, out.getvalue()


def test_discretion_by_basis_json():
    code, text = call(
        "discretion", "--basis", "食品安全法 第一百二十四条", "--fact", "goods_value=1200",
        "--party", "person", "--act-date", "2024-03-01", "--decision-date", "2024-04-01", "--json",
    )
    doc = json.loads(text)
    assert code == 0
    assert doc["entry"] == "food_safety_124_1"
    assert doc["statutory_range"] == [50000, 100000] and doc["recommended_range"] == [65000, 85000]
    assert doc["grade"] == "general" and doc["hearing_right"] is True and doc["major"] is True


def test_discretion_human_readable_in_chinese_with_circumstances():
    code, text = call(
        "discretion", "--entry", "fire_protection_60_1_3", "--party", "person",
        "--circumstance", "积极配合调查，如实陈述违法事实", "--act-date", "2024-03-01",
    )
    assert code == 0
    assert "裁量阶次：从轻处罚" in text and "建议罚款：0.00元 至 100.00元" in text
    assert "适用简易程序：是" in text and "《消防法》第六十条第二款" in text


def test_goods_value_boundary_through_the_cli():
    _, below = call("discretion", "--entry", "food_safety_124_1", "--fact", "货值金额=9999.99", "--json")
    _, at = call("discretion", "--entry", "food_safety_124_1", "--fact", "goods_value=10,000.00", "--json")
    assert json.loads(below)["statutory_range"] == [50000, 100000]
    assert json.loads(at)["statutory_range"] == [100000, 200000]


def test_proposed_fine_above_the_maximum_is_refused(capsys):
    code, _ = call("discretion", "--entry", "fire_protection_60_1_3", "--fine", "50000.01")
    assert code == 2
    assert "超过法定最高限额" in capsys.readouterr().err


def test_deviation_with_reason_passes_and_is_flagged_in_json():
    code, text = call("discretion", "--entry", "fire_protection_60_1_3", "--fine", "6000", "--reason", "已整改", "--json")
    check = json.loads(text)["check"]
    assert code == 0 and check["accepted"] and check["deviation"] and check["legal_review"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--entry", "no_such_entry"), "没有条目 no_such_entry"),
        (("--basis", "食品安全法 第一百二十五条"), "对应多个条目"),
        (("--basis", "第一百二十四条"), "无法识别的法条引用"),
        (("--entry", "food_safety_124_1"), "请录入案件事实货值金额"),
        (("--entry", "food_safety_124_1", "--fact", "weight=3"), "--fact 应写成"),
        (("--entry", "food_safety_124_1", "--fact", "goods_value=-3"), "不能为负数"),
        (("--entry", "advertising_57_1_advertiser", "--act-date", "2024/01/01"), "YYYY-MM-DD"),
        # before the 2015 revision of 广告法 (in force 2015-09-01): no wording the entry encodes (2020 is assessed, Art. 37)
        (("--entry", "advertising_57_1_advertiser", "--act-date", "2015-01-01"), "2015-01-01"),
        (("--entry", "advertising_57_1_advertiser", "--circumstance", "minor_14_to_18"), "只适用于公民"),
    ],
)
def test_bad_input_gives_a_chinese_message_and_exit_code_2(capsys, argv, message):
    code, out = call("discretion", *argv)
    assert code == 2 and out == ""
    assert message in capsys.readouterr().err


def test_rules_list_json_lists_entries_with_bases():
    code, text = call("rules", "list", "--json")
    rows = {row["id"]: row for row in json.loads(text)}
    (shipped,) = shipped_library().sets
    assert code == 0 and list(rows) == [entry.id for entry in shipped.entries]
    assert rows["fire_protection_60_1_3"]["penalty_basis"] == ["《消防法》第六十条第一款第（三）项", "《消防法》第六十条第二款"]
    assert rows["advertising_57_1_advertiser"]["violation_basis"] == ["《广告法》第九条第（三）项"]


def test_rules_validate_good_and_bad_files(tmp_path, capsys):
    from enforcement_app.resources import resource_path

    shipped = resource_path("benchmarks", "statutory_default-2021.1.json")
    code, text = call("rules", "validate", str(shipped))
    count = len(json.loads(shipped.read_text(encoding="utf-8"))["entries"])
    assert code == 0 and f"{count} 个条目" in text
    data = json.loads(shipped.read_text(encoding="utf-8"))
    data["entries"][0]["fines"][0]["amount"]["tiers"][0]["amount"]["max"] = "abc"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, text = call("rules", "validate", str(bad))
    err = capsys.readouterr().err
    assert code == 2 and text == ""
    assert str(bad) in err and "food_safety_124_1" in err and "fines[0].amount.tiers[0].amount.max" in err
    code, _ = call("rules", "list", "--rules", str(bad))
    assert code == 2
