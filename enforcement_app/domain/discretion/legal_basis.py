"""Legal citations (law, article, paragraph, item) as the statutes write them, and their lookup form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import numerals
from .validation import Reader


@dataclass(frozen=True)
class LegalBasis:
    """A citation as the statute writes it: ``食品安全法`` ``第一百二十四条`` ``第一款`` ``第（五）项``."""

    law: str
    article: str
    paragraph: str | None = None
    item: str | None = None

    def __post_init__(self) -> None:
        # Rule data is immutable and cited several times per assessment: format the citation once.
        object.__setattr__(self, "_cited", f"《{self.law}》{self.article}{self.paragraph or ''}{self.item or ''}")

    def cite(self) -> str:
        return self._cited  # type: ignore[attr-defined]

    @property
    def numbers(self) -> tuple[int, int | None, int | None]:
        """(article, paragraph, item) as integers, for matching citations written either way."""
        return (
            numerals.to_int(numerals.ARTICLE_RE.match(self.article).group(1)),  # type: ignore[union-attr]
            numerals.to_int(numerals.PARAGRAPH_RE.match(self.paragraph).group(1)) if self.paragraph else None,  # type: ignore[union-attr]
            numerals.to_int(numerals.ITEM_RE.match(self.item).group(1)) if self.item else None,  # type: ignore[union-attr]
        )



def parse_basis(reader: Reader | None) -> LegalBasis | None:
    if reader is None or not reader.ok:
        return None
    reader.check_keys({"law", "article", "paragraph", "item"})
    law = reader.text("law")
    article = reader.text("article")
    paragraph = reader.text("paragraph", required=False)
    item = reader.text("item", required=False)
    checks = (
        ("article", article, numerals.ARTICLE_RE, "第一百二十四条"),
        ("paragraph", paragraph, numerals.PARAGRAPH_RE, "第一款"),
        ("item", item, numerals.ITEM_RE, "第（五）项"),
    )
    valid = True
    for key, value, pattern, example in checks:
        if value is not None and not pattern.match(value):
            reader.fail(key, f"应按法条原文书写中文序号，如 {example}，实际为 {value!r}")
            valid = False
    if law is not None and (law.startswith("《") or law.startswith("中华人民共和国")):
        reader.fail("law", f"法律名称写简称且不带书名号，如 食品安全法，实际为 {law!r}")
        valid = False
    if law is None or article is None or not valid:
        return None
    return LegalBasis(law, article, paragraph, item)



def dump_basis(basis: LegalBasis) -> dict[str, str]:
    out = {"law": basis.law, "article": basis.article}
    if basis.paragraph:
        out["paragraph"] = basis.paragraph
    if basis.item:
        out["item"] = basis.item
    return out




_QUERY_RE = re.compile(
    r"^《?(?:中华人民共和国)?(?P<law>[^》\s第]+?)》?\s*"
    r"第(?P<article>[0-9]+|[零〇一二两三四五六七八九十百千]+)条"
    r"(?:第(?P<paragraph>[0-9]+|[零〇一二两三四五六七八九十百千]+)款)?"
    r"(?:第?[（(](?P<item>[0-9]+|[零〇一二两三四五六七八九十百千]+)[）)]项?)?$"
)


@dataclass(frozen=True)
class BasisQuery:
    """A citation typed by a user: ``食品安全法 第一百二十四条``, ``《中华人民共和国广告法》第57条第（一）项``.

    Numbers may be Chinese numerals as the statutes write them or Arabic digits; the parts left out
    match anything, so an article matches every paragraph and item under it.
    """

    law: str
    article: int
    paragraph: int | None = None
    item: int | None = None

    @classmethod
    def parse(cls, text: str) -> BasisQuery:
        match = _QUERY_RE.match(re.sub(r"\s+", " ", text.strip()))
        if not match:
            raise ValueError(f"无法识别的法条引用：{text!r}（应如“食品安全法 第一百二十四条”）")

        def number(group: str) -> int | None:
            value = match.group(group)
            if value is None:
                return None
            return int(value) if value.isdigit() else numerals.to_int(value)

        return cls(match.group("law"), number("article"), number("paragraph"), number("item"))  # type: ignore[arg-type]

    def as_basis(self) -> LegalBasis:
        """The citation as the statute writes it (Chinese numerals), for rules written against statute text."""
        return LegalBasis(self.law, numerals.article(self.article),
                          numerals.paragraph(self.paragraph) if self.paragraph else None,
                          numerals.item(self.item) if self.item else None)

    def matches(self, basis: LegalBasis) -> bool:
        article, paragraph, item = basis.numbers
        return (
            basis.law == self.law
            and article == self.article
            and (self.paragraph is None or paragraph == self.paragraph)
            and (self.item is None or item == self.item)
        )


_LIST_SPLIT = re.compile(r"[、，,；;]|(?:和|及|以及)(?=《|第)")


def citations(text: str) -> list[BasisQuery]:
    """The provisions a text cites, written as a list: ``《食品安全法》第六十七条、第七十一条`` cites two
    articles of one law (a part without a law's name takes the name before it). Raises ``ValueError`` on a
    part that is no citation."""
    out: list[BasisQuery] = []
    law = ""
    for part in (p.strip() for p in _LIST_SPLIT.split(text.strip())):
        if not part:
            continue
        if part.startswith("第") and law:
            part = f"《{law}》{part}"
        query = BasisQuery.parse(part)
        law = query.law
        out.append(query)
    if not out:
        raise ValueError(f"未写明法条：{text!r}")
    return out


def within(cited: BasisQuery, provision: BasisQuery) -> bool:
    """Does the citation name the provision at least as precisely as the provision is written (an item
    of the paragraph cited may be named; the paragraph or item the provision names may not be left out)?"""
    return (
        cited.law == provision.law
        and cited.article == provision.article
        and (provision.paragraph is None or cited.paragraph == provision.paragraph)
        and (provision.item is None or cited.item == provision.item)
    )
