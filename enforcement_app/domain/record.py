"""The full-process record (全过程记录): append-only events whose ids are SHA-256 hashes.

Canonical bytes of an event are a fixed header of single-line fields followed by the payload as
canonical JSON (sorted keys, no insignificant white space, UTF-8)::

    ecr-event/1
    stream:<case id, or "party/<id>", "officer/<id>", "agency/<id>" …>
    parents:<hash>,<hash>      (the stream's head(s) when the event was recorded; empty for the first)
    actor:<user id>
    device:<device id>
    at:<ISO 8601 moment with UTC offset>
    kind:<event kind>
    <payload JSON>

The event hash is SHA-256 over these bytes, so the same event received twice is the same row, and any
change to a stored field shows up as a hash that no longer recomputes. A local arrival chain over all
events (``chain = SHA-256(previous chain ‖ event hash)``) gives the database one global head, which
reveals removed or reordered events even where no later event names them as a parent.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, NewType

EventHash = NewType("EventHash", str)

FORMAT = "ecr-event/1"
GENESIS = "0" * 64
_TOKEN = re.compile(r"^[^\s,]*$")
_TOKENS = re.compile(r"[^\s,\x1f]+\x1f[^\s,\x1f]+\x1f[^\s,\x1f]+\x1f[^\s,\x1f]+")


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_encode).encode(
        "utf-8"
    )


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot record a value of type {type(value).__name__} in an event")


def header_bytes(stream: str, parents: str, actor: str, device: str, at: str, kind: str) -> bytes:
    return f"{FORMAT}\nstream:{stream}\nparents:{parents}\nactor:{actor}\ndevice:{device}\nat:{at}\nkind:{kind}\n".encode()


def event_hash(stream: str, parents: str, actor: str, device: str, at: str, kind: str, payload: bytes) -> EventHash:
    """Hash of the stored columns as they are; ``parents`` is the comma-joined column value."""
    digest = hashlib.sha256(header_bytes(stream, parents, actor, device, at, kind))
    digest.update(payload)
    return EventHash(digest.hexdigest())


# the stream each kind of event outside a case is recorded on (as the services record them): one fixed stream, the
# stream of what its payload names (its ``id``, or the evaluated ``case``), or any stream under a prefix
_OWN_STREAM: dict[str, tuple[str, str]] = {
    "set_policy": ("config/policy", ""), "import_calendar": ("config/calendar", ""),
    "import_benchmark_set": ("config/benchmarks", ""), "import_power_list": ("config/power_list", ""),
    "register_party": ("party/", "id"), "register_officer": ("officer/", "id"), "update_officer": ("officer/", "id"),
    "set_agency": ("agency/", "id"), "evaluate_case_file": ("evaluation/", "case"),
    "issue_agency_certificate": ("agency/", "*"),
    **{kind: ("device/", "*") for kind in ("trust_device", "name_device", "export_bundle", "import_bundle", "join_network",
                                            "leave_network")},
}


def misplaced(stream: str, kind: str, payload: Mapping[str, Any]) -> str:
    """Why an event on ``stream``, one outside a case (``prefix/…``), does not belong there ('' if it does): what an
    event projects into is decided by its kind (a calendar year on the policy's stream would still change the
    calendar), so each kind has its own stream. A case's steps are judged by the procedure instead."""
    own = _OWN_STREAM.get(kind)
    if own is None:
        return f"类别 {kind[:40]} 不是案件之外的记录流所记的类别"
    prefix, named = own
    if named == "":
        expected = prefix
    elif named == "*":
        if stream.startswith(prefix) and len(stream) > len(prefix):
            return ""
        expected = prefix + "…"
    else:
        expected = f"{prefix}{payload.get(named, '')}"
    return "" if stream == expected else f"{kind} 应记在记录流 {expected[:80]}，却在 {stream[:80]}"


def chain_hash(previous: str, event: str) -> str:
    return hashlib.sha256(f"{previous}{event}".encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Event:
    stream: str
    parents: tuple[str, ...]
    actor: str
    device: str
    at: datetime
    kind: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("event time must be timezone-aware")
        if not _TOKENS.fullmatch(f"{self.stream}\x1f{self.actor}\x1f{self.device}\x1f{self.kind}"):  # one match for all four
            for name in ("stream", "actor", "device", "kind"):
                if not _TOKEN.match(getattr(self, name)) or not getattr(self, name):
                    raise ValueError(f"event {name} must be a non-empty token without spaces or commas")

    # computed once per event (cached_property writes the instance dict, which a frozen dataclass allows)
    @cached_property
    def parents_text(self) -> str:
        return ",".join(sorted(self.parents))

    @cached_property
    def at_text(self) -> str:
        return self.at.isoformat(timespec="microseconds")

    @cached_property
    def payload_bytes(self) -> bytes:
        return canonical_json(self.payload)

    @cached_property
    def hash(self) -> EventHash:
        return event_hash(
            self.stream, self.parents_text, self.actor, self.device, self.at_text, self.kind, self.payload_bytes
        )


@dataclass(frozen=True)
class RecordedEvent:
    """An event as read back from the store, with its hash and local arrival position."""

    seq: int
    hash: EventHash
    stream: str
    parents: tuple[str, ...]
    actor: str
    device: str
    at: datetime
    kind: str
    payload: Mapping[str, Any]

    @property
    def day(self) -> date:
        return self.at.date()


def heads_after(heads: Sequence[str], parents: Sequence[str], new: str) -> tuple[str, ...]:
    """Stream heads after appending an event with ``parents``: the parents stop being heads."""
    remaining = [h for h in heads if h not in set(parents)]
    return tuple(sorted({*remaining, new}))


def causal_order(events: Sequence[RecordedEvent]) -> list[RecordedEvent]:
    """The events of one stream with every parent before its children; where histories recorded on
    different devices interleave, the earlier moment first, then the smaller hash. Every database that
    holds the same events folds them in the same order, whatever order they arrived in."""
    if all(not e.parents for e in events[:1]) and all(e.parents == (events[n].hash,) for n, e in enumerate(events[1:])):
        return list(events)  # a single line of events recorded on one device: arrival order is causal order
    by_hash = {e.hash: e for e in events}
    waiting = {e.hash: sum(1 for p in e.parents if p in by_hash) for e in events}
    children: dict[str, list[str]] = {}
    for e in events:
        for parent in e.parents:
            if parent in by_hash:
                children.setdefault(parent, []).append(e.hash)
    ready = [(e.at, e.hash) for e in events if waiting[e.hash] == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        _at, digest = heapq.heappop(ready)
        ordered.append(by_hash[digest])
        for child in children.get(digest, ()):
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (by_hash[child].at, child))
    return ordered
