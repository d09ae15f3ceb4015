"""How the case list's conditions read the case table at any size (db/0016).

Each condition of the list (stage, a handler's own cases, overdue, a word of the search) is a
:class:`Condition`: the SQL that tests one row, and where it has an index of its own, the SQL that counts its
matches and the one that selects their rowids through it. What a condition means is its row test: a word
matches a case whose search text holds it, ASCII letters in either case (``LIKE``); a handler, a case of
``case_handler``. The list applies the row test to every row it shows, whichever way it reads them (walking
the index of its order, or reading the rarest condition's index), so both ways show the same rows. A word's
index may find more than its test: the trigram index ``case_fts`` (three characters or more) and the index of
adjacent pairs ``case_bigram`` (one or two, :func:`case_grams`) fold the case of every letter, not only ASCII,
so their count is exact (``Condition.exact``) only for a word with no letter that has a case (Chinese, digits,
punctuation); another word is counted through its index and its row test together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..domain.case import Stage
from ..domain.refusals import InvalidInput


def case_grams(text: str | None) -> str:
    """The words ``case_bigram`` indexes for a search text: every pair of adjacent letters or digits, and each
    letter or digit that ends a run of them, each once, separated by spaces (the unicode61 tokenizer then takes
    each as a word, folding its case). A word of one character is found as the prefix of these."""
    grams: set[str] = set()
    previous = ""
    for ch in text or "":
        if ch.isalnum():
            if previous:
                grams.add(previous + ch)
            previous = ch
        else:
            if previous:
                grams.add(previous)
            previous = ""
    if previous:
        grams.add(previous)
    return " ".join(sorted(grams))


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class Condition:
    """One condition of the list. ``test`` is SQL over a row of the case table; ``count`` counts the matching
    cases through an index (None: only by testing rows) and ``rowids`` selects their rowids through it, both
    with ``index_args``; a condition without ``rowids`` names in ``index`` the index of the case table its test
    is read through (the planner then uses it by itself when the condition is the one to read from)."""

    test: str
    test_args: tuple[Any, ...]
    count: str | None = None
    rowids: str | None = None
    index_args: tuple[Any, ...] = ()
    index: str | None = None
    exact: bool = True  # the index's count is the number of rows the test accepts (else it may be more)

    def through_index(self) -> tuple[str, list[Any]]:
        """The condition read through its index and tested (the index may find more than the test accepts)."""
        if self.rowids is None:
            return self.test, list(self.test_args)
        return f"rowid IN ({self.rowids}) AND {self.test}", [*self.index_args, *self.test_args]


def stage_condition(stage: str) -> Condition:
    """One stage, or several separated by commas (closed,archived: the files an evaluator scores)."""
    stages = [s.strip() for s in stage.split(",") if s.strip()]
    unknown = [s for s in stages if s not in {st.value for st in Stage}]
    if unknown or not stages:
        raise InvalidInput.at("stage", f"未知的阶段：{stage}（可选：{'、'.join(s.value for s in Stage)}）")
    marks = ", ".join("?" * len(stages))
    return Condition(f"stage IN ({marks})", tuple(stages), f'SELECT count(*) FROM "case" WHERE stage IN ({marks})',
                     index_args=tuple(stages), index="case_sort_stage")


def officer_condition(officer: str) -> Condition:
    return Condition('EXISTS (SELECT 1 FROM case_handler WHERE officer_id = ? AND case_id = "case".id)', (officer,),
                     "SELECT count(*) FROM case_handler WHERE officer_id = ?",
                     'SELECT c.rowid FROM case_handler h JOIN "case" c ON c.id = h.case_id WHERE h.officer_id = ?', (officer,))


def overdue_condition(today: date) -> Condition:
    return Condition("next_due != '' AND next_due < ?", (today.isoformat(),),
                     "SELECT count(*) FROM \"case\" WHERE next_due != '' AND next_due < ?", index_args=(today.isoformat(),),
                     index="case_sort_next_due")


def year_condition(year: int) -> Condition:
    return Condition("substr(COALESCE(NULLIF(closed_on, ''), received_on), 1, 4) = ?", (str(year),))


def word_conditions(query: str) -> list[Condition]:
    """A condition per word of ``query`` (words are separated by spaces; every word must be found)."""
    out = []
    for word in query.split():
        test, args = "search_text LIKE ? ESCAPE '\\'", (_like(word),)
        exact = not any(ch.lower() != ch.upper() for ch in word)  # no letter with a case: the index folds nothing
        if len(word) >= 3:
            out.append(Condition(test, args, "SELECT count(*) FROM case_fts WHERE case_fts MATCH ?",
                                 "SELECT rowid FROM case_fts WHERE case_fts MATCH ?", (_quoted(word),), exact=exact))
            continue
        # one or two characters: through the pairs of their letters and digits (a mark among them, as in 〔2,
        # leaves the other character's pairs to find: more than the word, the test keeps what holds it)
        run = max(_runs(word), key=len, default="")
        if run:
            match = _quoted(run) if len(run) == 2 else f"{_quoted(run)} *"  # one letter: a prefix of the pairs
            out.append(Condition(test, args, "SELECT count(*) FROM case_bigram WHERE case_bigram MATCH ?",
                                 "SELECT rowid FROM case_bigram WHERE case_bigram MATCH ?", (match,),
                                 exact=exact and run == word))
        else:
            out.append(Condition(test, args))  # marks alone: only the rows' own text can tell
    return out


def _runs(word: str) -> list[str]:
    runs, current = [], ""
    for ch in word:
        if ch.isalnum():
            current += ch
        elif current:
            runs.append(current)
            current = ""
    return [*runs, current] if current else runs


def conditions(*, stage: str | None = None, officer: str | None = None, overdue: bool = False, query: str | None = None,
               year: int | None = None, today: date) -> list[Condition]:
    out = []
    if stage:
        out.append(stage_condition(stage))
    if officer:
        out.append(officer_condition(officer))
    if overdue:
        out.append(overdue_condition(today))
    if year:
        out.append(year_condition(year))
    if query and query.strip():
        out.extend(word_conditions(query))
    return out


def where(conds: Iterable[Condition]) -> tuple[str, list[Any]]:
    """The conditions as one WHERE clause over the case table, each read through its index where it has one
    (a text through its word index, a handler through case_handler), for the services' lists and counts."""
    clauses, args = [], []
    for c in conds:
        clause, more = c.through_index()
        clauses.append(clause)
        args.extend(more)
    return " AND ".join(clauses) or "1 = 1", args
