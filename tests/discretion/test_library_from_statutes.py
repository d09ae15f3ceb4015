"""Every entry of the shipped benchmark library read against the statute texts in ``shared/domain/laws``.

Nothing here is taken from the engine or from the entry's own wording: the statute files are parsed into
articles, paragraphs and items by this module, and each entry's citations must name a part that exists;
each fine, multiple, percentage and tier bound must be written, in the statute's Chinese numerals
(五万元, 十倍, 百分之五, 不足一万元), in the text of the provision the entry cites, and in the entry's own
``text`` for that amount; every ``text`` an entry quotes (amounts, serious clauses, measures) must be the
statute's words. Amounts are spelled out here from the numbers in the entry, not looked up in the code
under test.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from enforcement_app.domain.discretion import shipped_library
from enforcement_app.domain.discretion.model import AmountRange, AmountUnit, BenchmarkEntry, TieredAmount
from enforcement_app.resources import resource_path

LAWS = resource_path("law", "statutes")  # shipped with the program: the check runs on every machine
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "domain" / "laws"  # the project's domain folder, when present


@pytest.mark.skipif(not SHARED.is_dir(), reason="the project's shared domain folder is not beside this checkout")
def test_the_shipped_statute_texts_are_those_of_the_domain_folder():
    shared = {f.name: f.read_bytes() for f in SHARED.glob("*.md")}
    shipped = {f.name: f.read_bytes() for f in LAWS.glob("*.md") if f.name != "README.md"}
    assert shipped == shared

SHIPPED_FILE = resource_path("benchmarks", "statutory_default-2021.1.json")
STATUTES = ("食品安全法", "广告法", "消防法", "城乡规划法", "安全生产法")
ID_PREFIX = {
    "food_safety": "食品安全法", "advertising": "广告法", "fire_protection": "消防法",
    "urban_planning": "城乡规划法", "work_safety": "安全生产法",
}
BASE_ZH = {"goods_value": "货值金额", "illegal_income": "违法所得", "advertising_cost": "广告费用", "construction_cost": "工程造价"}

# ---------------------------------------------------------------------------------------------------------
# Chinese numerals, both ways, written here independently of enforcement_app.domain.discretion.numerals

_DIGITS = "零一二三四五六七八九"
_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL = "[零一二三四五六七八九十百千]+"


def zh_int(text: str) -> int:
    """``一百二十四`` → 124, ``十`` → 10, ``一百零五`` → 105."""
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS.index(ch)
        else:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
    return total + (digit or 0)


def int_zh(number: int) -> str:
    """124 → ``一百二十四``, 10 → ``十``, 15 → ``十五``, 105 → ``一百零五`` (1–9999), as the statutes write them."""
    assert 0 < number < 10000, number
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out, zero = out + "零", False
        if not (unit == 10 and digit == 1 and not out):
            out += _DIGITS[digit]
        out += name
    return out


def whole(value: Decimal) -> int:
    assert value == value.to_integral_value(), f"the statutes set whole numbers, not {value}"
    return int(value)


def yuan_zh(value: Decimal) -> str:
    """50000 → ``五万元``, 5000 → ``五千元``, 1000000 → ``一百万元``, 500 → ``五百元``."""
    number = whole(value)
    if number >= 10000 and number % 10000 == 0:
        return f"{int_zh(number // 10000)}万元"
    return f"{int_zh(number)}元"


def test_numerals_as_the_statutes_write_them():
    amounts = (500, 2000, 5000, 10000, 30000, 50000, 100000, 150000, 200000, 300000, 1000000, 2000000)
    assert [yuan_zh(Decimal(n)) for n in amounts] == [
        "五百元", "二千元", "五千元", "一万元", "三万元", "五万元", "十万元", "十五万元", "二十万元", "三十万元", "一百万元",
        "二百万元"]
    assert [int_zh(n) for n in (1, 10, 15, 20, 30, 105, 124)] == ["一", "十", "十五", "二十", "三十", "一百零五", "一百二十四"]
    assert all(zh_int(int_zh(n)) == n for n in range(1, 400))
    assert written("五万元以下", "处五万元以下的罚款") and not written("五万元以下", "处十五万元以下的罚款")
    assert not written("五万元以下", "处一万元以上五万元以下的罚款") and written("一万元以上五万元以下", "处一万元以上五万元以下的罚款")


# ---------------------------------------------------------------------------------------------------------
# The statute texts: articles (第…条 at the start of a line), their paragraphs (one a line), items (（…）)

ARTICLE_HEAD = re.compile(rf"^第({NUMERAL})条[ 　]+(.*)$")
ITEM_HEAD = re.compile(rf"^（({NUMERAL})）")
REFERENCE = re.compile(rf"依照(?:本条)?(前款|第({NUMERAL})款)(?:的)?规定")


@dataclass
class Paragraph:
    lead: str
    items: dict[int, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join([self.lead, *self.items.values()])


@dataclass
class Article:
    number: int
    paragraphs: list[Paragraph]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True)
class Statute:
    law: str
    path: Path
    articles: dict[int, Article]


def statute_file(law: str) -> Path:
    found = sorted(LAWS.glob(f"{law}(*).md"))
    assert len(found) == 1, f"expected one text of {law} in {LAWS}, found {[p.name for p in found]}"
    return found[0]


@cache
def statute(law: str) -> Statute:
    path = statute_file(law)
    articles: dict[int, Article] = {}
    current: Article | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):  # a chapter or section heading ends the article before it
            current = None
            continue
        head = ARTICLE_HEAD.match(line)
        if head:
            current = Article(zh_int(head.group(1)), [Paragraph(head.group(2))])
            assert current.number == len(articles) + 1, f"{path.name}: article {current.number} out of order"
            articles[current.number] = current
            continue
        if current is None:
            continue  # the preamble: dates of adoption and amendment
        item = ITEM_HEAD.match(line)
        if item:
            items = current.paragraphs[-1].items
            number = zh_int(item.group(1))
            assert number == len(items) + 1, f"{path.name} 第{int_zh(current.number)}条: item {number} out of order"
            items[number] = line
        else:
            current.paragraphs.append(Paragraph(line))
    return Statute(law, path, articles)


def test_the_statutes_parse_into_numbered_articles():
    sizes = {law: len(statute(law).articles) for law in STATUTES}
    assert sizes == {"食品安全法": 154, "广告法": 74, "消防法": 74, "城乡规划法": 70, "安全生产法": 119}
    food = statute("食品安全法").articles[124]
    assert len(food.paragraphs) == 3 and len(food.paragraphs[0].items) == 9
    assert food.paragraphs[0].items[5].startswith("（五）生产经营标注虚假生产日期")
    fire = statute("消防法").articles[60]
    assert len(fire.paragraphs) == 3 and fire.paragraphs[1].lead.startswith("个人有前款")


def locate(basis) -> tuple[Article, Paragraph | None, str]:
    """The cited article, paragraph (or None) and item text (or ""); fails if any part does not exist."""
    law = statute(basis.law)
    number, paragraph_no, item_no = (zh_int(part) if part else None for part in (
        _numeral(basis.article, "条"), _numeral(basis.paragraph, "款"), _numeral(basis.item, "项")))
    assert number in law.articles, f"{basis.cite()}: {law.path.name} has no {basis.article}"
    article = law.articles[number]
    paragraph = None
    if paragraph_no is not None:
        assert paragraph_no <= len(article.paragraphs), f"{basis.cite()}: {basis.article} has {len(article.paragraphs)} paragraph(s)"
        paragraph = article.paragraphs[paragraph_no - 1]
    item = ""
    if item_no is not None:
        holder = paragraph if paragraph is not None else article.paragraphs[0]
        assert paragraph is not None or all(not p.items for p in article.paragraphs[1:]), (
            f"{basis.cite()}: items in more than one paragraph; cite the paragraph")
        assert item_no in holder.items, f"{basis.cite()}: no item {basis.item} there"
        item = holder.items[item_no]
    return article, paragraph, item


def _numeral(part: str | None, unit: str) -> str | None:
    if part is None:
        return None
    match = re.fullmatch(rf"第（?({NUMERAL})）?{unit}", part)
    assert match, f"not a citation part: {part!r}"
    return match.group(1)


def scope(basis) -> str:
    """The text a penalty citation stands for: the cited paragraph with its items (the amounts are in the
    paragraph's lead-in), plus any paragraph it applies by reference (依照第一款规定给予处罚); the whole
    article when no paragraph is cited, which is allowed only for an article of one paragraph."""
    article, paragraph, _item = locate(basis)
    if paragraph is None:
        assert len(article.paragraphs) == 1, (
            f"{basis.cite()}: 第{int_zh(article.number)}条 has {len(article.paragraphs)} paragraphs; cite the paragraph")
        return article.text
    parts = [paragraph.text]
    index = article.paragraphs.index(paragraph)
    for ref in REFERENCE.finditer(paragraph.lead):
        target = index - 1 if ref.group(1) == "前款" else zh_int(ref.group(2)) - 1
        assert 0 <= target < len(article.paragraphs) and target != index, basis.cite()
        parts.append(article.paragraphs[target].text)
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------------------
# The phrases an amount is written with


def range_phrase(amount: AmountRange) -> str:
    """How the statute writes the range: ``五千元以上五万元以下``, ``货值金额十倍以上二十倍以下``,
    ``工程造价百分之五以上百分之十以下``; a range without a minimum is ``…以下`` alone."""
    if amount.unit is AmountUnit.YUAN:
        low, high = (yuan_zh(amount.minimum) if amount.minimum is not None else None), yuan_zh(amount.maximum)
        prefix = ""
    elif amount.unit is AmountUnit.MULTIPLE:
        low = f"{int_zh(whole(amount.minimum))}倍" if amount.minimum is not None else None
        high, prefix = f"{int_zh(whole(amount.maximum))}倍", BASE_ZH[amount.base.value]
    else:
        low = f"百分之{int_zh(whole(amount.minimum))}" if amount.minimum is not None else None
        high, prefix = f"百分之{int_zh(whole(amount.maximum))}", BASE_ZH[amount.base.value]
    return f"{prefix}{low}以上{high}以下" if low else f"{prefix}{high}以下"


def written(phrase: str, text: str) -> bool:
    """The phrase is in the text, not as the tail of a larger number (五万元 in 十五万元) and, for a "not more
    than" phrase, not as the upper half of a range (…以上五万元以下)."""
    guard = "(?<![零一二三四五六七八九十百千])" + ("" if "以上" in phrase else "(?<!以上)")
    return re.search(guard + re.escape(phrase), text) is not None


def quoted(text: str, statute_text: str) -> bool:
    """The text is the statute's words; ``……`` marks words left out between quoted pieces."""
    return all(piece in statute_text for piece in text.split("……") if piece)


def distributed(statute_text: str) -> set[str]:
    """The orders and confiscations a clause makes, each on its own: 没收违法所得和违法生产经营的食品 gives
    没收违法所得 and 没收违法生产经营的食品; 责令停止施工、停止使用或者停产停业 gives 责令停止使用."""
    out: set[str] = set()
    for verb, splitter in (("没收", "和|以及"), ("责令", "、|或者|和")):
        for match in re.finditer(rf"{verb}([^，；。：:\n]+)", statute_text):
            out.update(verb + part for part in re.split(splitter, match.group(1)) if part)
    return out


@cache
def correction_order_of_the_administrative_penalty_law() -> bool:
    """《行政处罚法》第二十八条第一款: 行政机关实施行政处罚时，应当责令当事人改正或者限期改正违法行为."""
    text = statute("行政处罚法").articles[28].paragraphs[0].lead
    return "应当责令当事人改正或者限期改正违法行为" in text


# ---------------------------------------------------------------------------------------------------------
# The library

LIBRARY = shipped_library()
ENTRIES = [entry for _set, entry in LIBRARY.entries()]


def test_the_library_has_at_least_forty_entries_with_unique_ids():
    raw = json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))
    ids = [entry["id"] for entry in raw["entries"]]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert len(ids) >= 40
    assert [e.id for e in ENTRIES] == ids  # the library holds exactly the file's entries
    counts = {law: sum(e.penalty_basis.law == law for e in ENTRIES) for law in STATUTES}
    least = {"食品安全法": 11, "广告法": 10, "消防法": 6, "城乡规划法": 4, "安全生产法": 9}  # 12 first shipped, 28 or more added
    assert all(counts[law] >= n for law, n in least.items()), counts


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_the_id_names_the_statute_and_article_of_the_penalty_basis(entry: BenchmarkEntry):
    match = re.fullmatch(r"([a-z_]+?)_(\d+)(?:_[a-z0-9]+)*", entry.id)
    assert match, entry.id
    assert ID_PREFIX[match.group(1)] == entry.penalty_basis.law
    assert int(match.group(2)) == zh_int(_numeral(entry.penalty_basis.article, "条"))


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_every_citation_exists_in_the_statute(entry: BenchmarkEntry):
    for basis in (*entry.penalty_bases, *entry.violation_basis):
        assert basis.law in STATUTES, basis.cite()
        locate(basis)
    if entry.responsible_persons and entry.responsible_persons.basis:
        locate(entry.responsible_persons.basis)
    scope(entry.penalty_basis)  # a penalty basis in an article of several paragraphs names its paragraph


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_the_violation_basis_is_a_rule_not_the_penalty_article(entry: BenchmarkEntry):
    assert entry.violation_basis, entry.id
    penalties = {(b.law, b.article) for b in entry.penalty_bases}
    for basis in entry.violation_basis:
        assert (basis.law, basis.article) not in penalties, f"{entry.id}: {basis.cite()} is the penalty article"
        article, _paragraph, _item = locate(basis)
        assert "罚款" not in article.text, f"{entry.id}: {basis.cite()} is a penalty provision"


def _amount_checks(amount: AmountRange, statute_text: str, where: str) -> None:
    phrase = range_phrase(amount)
    assert written(phrase, statute_text), f"{where}: “{phrase}” is not in the statute"
    assert written(phrase, amount.text), f"{where}: the text “{amount.text}” does not state “{phrase}”"
    assert quoted(amount.text, statute_text), f"{where}: “{amount.text}” is not the statute's words"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_every_amount_is_the_statutes(entry: BenchmarkEntry):
    for index, rule in enumerate(entry.fines):
        text = scope(rule.basis or entry.penalty_basis)
        where = f"{entry.id} fines[{index}]"
        amount = rule.amount
        if isinstance(amount, TieredAmount):
            base = BASE_ZH[amount.base.value]
            for i, tier in enumerate(amount.tiers):
                _amount_checks(tier.amount, text, f"{where} tier {i}")
                if tier.below_yuan is not None:  # 不足一万元 in this tier, 一万元以上 in the next
                    below, above = f"{base}不足{yuan_zh(tier.below_yuan)}", f"{base}{yuan_zh(tier.below_yuan)}以上"
                    assert below in text and below in tier.amount.text, f"{where}: “{below}”"
                    assert above in text and above in amount.tiers[i + 1].amount.text, f"{where}: “{above}”"
        else:
            _amount_checks(amount, text, where)
    rp = entry.responsible_persons
    if rp is not None:
        text = scope(rp.basis or entry.penalty_basis)
        _amount_checks(rp.amount, text, f"{entry.id} responsible_persons")
        assert "直接负责的主管人员" in rp.amount.text


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_serious_clauses_and_measures_quote_the_statute(entry: BenchmarkEntry):
    text = "\n".join(scope(b) for b in entry.penalty_bases)
    if entry.serious is not None:
        assert quoted(entry.serious.text, text), f"{entry.id}: “{entry.serious.text}”"
        assert entry.serious.penalty_kinds, entry.id
    if "情节严重" in text:  # the statute's aggravated case is applied or pointed to, never silently dropped
        assert entry.serious is not None or "情节严重" in (entry.note or ""), entry.id
    orders = distributed(text)
    for measure in entry.measures:
        if measure.text == "责令改正" and correction_order_of_the_administrative_penalty_law():
            continue  # ordered for every penalty by 行政处罚法第二十八条第一款
        assert measure.text in text or measure.text in orders, f"{entry.id}: measure “{measure.text}”"
        if measure.text.startswith("可以") or f"可以{measure.text}" in text or f"可以并处{measure.text}" in text:
            assert not measure.mandatory, f"{entry.id}: “{measure.text}” is 可以 in the statute: mandatory false"



# the words by which the statute imposes each kind of penalty an entry lists
KIND_WORDS = {
    "warning": ("警告",), "fine": ("罚款",), "confiscate_illegal_income": ("没收",),
    "confiscate_illegal_property": ("没收",), "revoke_permit": ("吊销",),
    "order_suspension": ("停产停业", "停业", "停止执业"), "restrict_business": ("暂停广告发布业务", "停止相关业务"),
}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_penalty_kinds_are_the_ones_the_statute_imposes(entry: BenchmarkEntry):
    text = "\n".join(scope(b) for b in entry.penalty_bases)
    kinds = entry.penalty_kinds | (entry.serious.penalty_kinds if entry.serious else frozenset())
    for kind in kinds:
        assert any(word in text for word in KIND_WORDS[kind.value]), f"{entry.id}: {kind.value} is not in the statute"
    if "警告" in text:
        assert "warning" in {k.value for k in kinds}, f"{entry.id}: the statute gives a warning"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_amount_bases_are_facts_elements_with_their_base(entry: BenchmarkEntry):
    recorded = {e.base for e in entry.required_elements if e.base is not None}
    assert entry.bases_used <= recorded, entry.id
    assert len({e.key for e in entry.facts_elements}) == len(entry.facts_elements)
