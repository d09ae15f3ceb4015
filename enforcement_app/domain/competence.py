"""Who the statutes make competent (职权法定): the provisions that name the body whose penalties they are.

Law, not configuration: ``resources/law/competence.json`` quotes, word for word, the sentence of each
statute that says which body decides its penalties (消防法第七十条, 安全生产法第一百一十五条) or the
penalty article that names it itself (城乡规划法第六十四条, 食品安全法第一百二十四条). It is read to say,
when a case is refused because its provision is outside the agency's power list (:mod:`.power_list`), which
body the law makes competent instead. Each rule is in force from the day its quoted wording is known to be
in force (the amendment whose text is in ``shared/domain/laws``); earlier wordings are not recorded, so for an
earlier day no body is named.

A :class:`Provision` is a statute, or an article, paragraph or item of it, as a rule (or a power list) covers
it: the parts left out cover everything under the part given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from ..resources import load_json
from .discretion import numerals
from .discretion.legal_basis import LegalBasis
from .discretion.validation import Collector, Reader

FORMAT = "competence/1"


@dataclass(frozen=True)
class Provision:
    """``消防法`` (the whole statute), ``食品安全法 第一百二十四条``, down to an item: written as the statute
    writes it (law by its short name, without 《》 or 中华人民共和国)."""

    law: str
    article: str | None = None
    paragraph: str | None = None
    item: str | None = None

    def cite(self) -> str:
        return f"《{self.law}》{self.article or ''}{self.paragraph or ''}{self.item or ''}"

    def covers(self, basis: LegalBasis) -> bool:
        """Whether ``basis`` falls under this provision (every part given is the basis's own)."""
        if basis.law != self.law:
            return False
        article, paragraph, item = basis.numbers
        numbers = (
            (self.article, numerals.ARTICLE_RE, article),
            (self.paragraph, numerals.PARAGRAPH_RE, paragraph),
            (self.item, numerals.ITEM_RE, item),
        )
        for part, pattern, number in numbers:
            if part is None:
                return True
            if number != numerals.to_int(pattern.match(part).group(1)):  # type: ignore[union-attr]
                return False
        return True

    @property
    def depth(self) -> int:
        """How precisely it is written: 0 for a whole statute, 3 down to an item."""
        return sum(part is not None for part in (self.article, self.paragraph, self.item))

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("law", self.law), ("article", self.article), ("paragraph", self.paragraph), ("item", self.item)) if v}


def parse_provision(reader: Reader | None) -> Provision | None:
    """A provision read from ``{law, article?, paragraph?, item?}``; a paragraph needs its article, an item
    its article (the paragraph may be left out where the article has one). Problems go to the reader."""
    if reader is None or not reader.ok:
        return None
    reader.check_keys({"law", "article", "paragraph", "item"})
    law = reader.text("law")
    parts = {}
    valid = True
    for key, pattern, example in (("article", numerals.ARTICLE_RE, "第一百二十四条"), ("paragraph", numerals.PARAGRAPH_RE, "第一款"),
                                  ("item", numerals.ITEM_RE, "第（五）项")):
        value = reader.text(key, required=False)
        if value is not None and not _numbered(pattern, value):
            reader.fail(key, f"应按法条原文书写中文序号，如 {example}，实际为 {value!r}")
            valid = False
        parts[key] = value
    if (parts["paragraph"] or parts["item"]) and not parts["article"]:
        reader.fail("article", "写明款或项时须写明所在的条")
        valid = False
    if law is not None and (law.startswith("《") or law.startswith("中华人民共和国")):
        reader.fail("law", f"法律名称写简称且不带书名号，如 食品安全法，实际为 {law!r}")
        valid = False
    if law is None or not valid:
        return None
    return Provision(law, parts["article"], parts["paragraph"], parts["item"])


def _numbered(pattern, value: str) -> bool:
    match = pattern.match(value)
    if not match:
        return False
    try:
        return numerals.to_int(match.group(1)) > 0
    except ValueError:
        return False


@dataclass(frozen=True)
class CompetenceRule:
    """The statute's word on who decides the penalties of the provisions it ``covers``: ``provision`` (the
    article that says it), ``text`` quoted from it (…… where words are left out) and the ``authority`` it names."""

    covers: Provision
    provision: Provision
    statute: str  # the statute's full title, e.g. 中华人民共和国消防法
    authority: str
    text: str
    effective_from: date
    effective_to: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def sentence(self) -> str:
        """``依据《中华人民共和国消防法》第七十条：“本法规定的行政处罚，……”``"""
        p = self.provision
        return f"依据《{self.statute}》{p.article or ''}{p.paragraph or ''}{p.item or ''}：“{self.text}”"


def parse_competence(document: Any, where: str) -> tuple[CompetenceRule, ...]:
    """Every rule of a ``competence/1`` document; raises ValueError naming each problem."""
    errors = Collector(where)
    top = Reader(document, errors, "", "")
    rules: list[CompetenceRule] = []
    if top.ok:
        top.check_keys({"format", "description", "rules"})
        if top.data.get("format") != FORMAT:
            top.fail("format", f"应为 {FORMAT}")
        for path, item in top.objects("rules"):
            r = Reader(item, errors, "", path)
            if not r.ok:
                continue
            r.check_keys({"covers", "provision", "statute", "authority", "text", "effective_from", "effective_to", "source"})
            covers, provision = parse_provision(r.child("covers")), parse_provision(r.child("provision"))
            statute, authority, text = r.text("statute"), r.text("authority"), r.text("text")
            start, end = r.date("effective_from"), r.date("effective_to", required=False)
            if None in (covers, provision, statute, authority, text, start):
                continue
            if authority not in text.replace("……", ""):  # type: ignore[union-attr]
                r.fail("authority", "应为所引条文中的机关名称")
                continue
            rules.append(CompetenceRule(covers, provision, statute, authority, text, start, end))  # type: ignore[arg-type]
    if errors.issues:
        raise ValueError("；".join(str(i) for i in errors.issues))
    return tuple(rules)


@cache
def shipped_competence() -> tuple[CompetenceRule, ...]:
    return parse_competence(load_json("law", "competence.json"), "resources/law/competence.json")


def competent_for(basis: LegalBasis, day: date, rules: tuple[CompetenceRule, ...] | None = None) -> CompetenceRule | None:
    """The most precisely written rule in force on ``day`` that covers ``basis``, or None when the law
    data says nothing of it."""
    found = [r for r in (shipped_competence() if rules is None else rules) if r.in_force_on(day) and r.covers.covers(basis)]
    return max(found, key=lambda r: r.covers.depth, default=None)

