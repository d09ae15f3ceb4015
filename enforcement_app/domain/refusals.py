"""Typed refusals: every refused action names the rule that refused it, in plain Chinese."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    rule: str  # stable identifier, e.g. "two_officers"; the UI may translate by it
    message: str  # plain Chinese, naming the article or the missing step
    article: str = ""
    field: str = ""  # the form field concerned, when there is one

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
