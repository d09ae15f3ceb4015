"""The services' clock and the ids they give new records."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ..domain.refusals import Refusal

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_now() -> datetime:
    """The services' default clock: the moment in China's time zone."""
    return datetime.now(CHINA)


def new_id() -> str:
    """Globally unique, roughly time-ordered ids, so laptops can merge without renumbering."""
    return f"{int(datetime.now(UTC).timestamp() * 1000):012x}{uuid.uuid4().hex[:20]}"


_GIVEN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def given_or_new_id(data: Mapping[str, Any]) -> tuple[str, list[Refusal]]:
    """The ``id`` a registration form gives (letters, digits, ``-`` and ``_``, at most 64: it names a
    stream of the record), or a new one when it gives none; and the problem with the one given, if any
    (for the form to refuse with the others)."""
    value = data.get("id")
    if value in (None, ""):
        return new_id(), []
    if not isinstance(value, str) or not _GIVEN_ID.fullmatch(value):
        return "", [Refusal("invalid_input", f"编号只能由字母、数字、- 和 _ 组成（最多64位），实际为 {str(value)[:40]!r}", field="id")]
    if value.lower() == RESERVED_ID:
        return "", [Refusal("invalid_input", f"编号 {value} 为系统保留，不能用于人员或当事人", field="id")]
    return value, []


RESERVED_ID = "system"
"""The id the system acts under (setting up a database, receiving its first bundle): no person may have it."""
