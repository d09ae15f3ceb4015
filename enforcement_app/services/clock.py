"""The services' clock and the ids they give new records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_now() -> datetime:
    """The services' default clock: the moment in China's time zone."""
    return datetime.now(CHINA)


def new_id() -> str:
    """Globally unique, roughly time-ordered ids, so laptops can merge without renumbering."""
    return f"{int(datetime.now(UTC).timestamp() * 1000):012x}{uuid.uuid4().hex[:20]}"
