"""Typed refusals: every refused action names the rule that refused it, in plain Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_ARTICLE_NO = re.compile(r"第[零〇一二两三四五六七八九十百千0-9]+条")


@dataclass(frozen=True)
class Refusal:
    rule: str  # stable identifier, e.g. "two_officers"; the UI may translate by it
    message: str  # plain Chinese, naming the article or the missing step
    article: str = ""
    field: str = ""  # the form field concerned, when there is one

    def __post_init__(self) -> None:
        # every refusal speaks its article in its own words, not only in the data (a message read aloud, a
        # line of the CLI's output): one that does not yet cite each article it names gets it appended
        if self.article and not all(n in self.message for n in _ARTICLE_NO.findall(self.article)):
            object.__setattr__(self, "message", f"{self.message}（{self.article}）")

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message, "article": self.article, "field": self.field}


class RuleViolation(Exception):
    """Raised when an action is refused; carries every reason found, not only the first."""

    def __init__(self, refusals: Iterable[Refusal]):
        self.refusals = tuple(refusals)
        super().__init__("；".join(r.message for r in self.refusals))


class PermissionDenied(RuleViolation):
    pass


class NotFound(LookupError):
    pass


class InvalidInput(RuleViolation):
    """A form or file value that cannot be accepted; ``field`` says which."""

    @classmethod
    def at(cls, field: str, message: str) -> InvalidInput:
        return cls([Refusal("invalid_input", message, field=field)])
