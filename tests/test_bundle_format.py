"""The events file of a bundle: what is written is read back with the same hashes, and no changed byte
goes unnoticed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from enforcement_app.domain.record import Event
from enforcement_app.services.bundle_format import decode_events, encode_events

_HEX = "0123456789abcdef"
streams = st.one_of(
    st.text(_HEX, min_size=32, max_size=32),
    st.builds(lambda kind, rest: f"{kind}/{rest}", st.sampled_from(["party", "officer", "agency", "device"]),
              st.text(_HEX + "xyz-_.", min_size=1, max_size=20)),
    st.sampled_from(["config/policy", "config/calendar", "config/benchmarks"]),
)
tokens = st.text(st.characters(blacklist_categories=("Z", "C"), blacklist_characters=","), min_size=1, max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=30),  # text includes newlines, quotes, CJK
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
moments = st.builds(
    lambda seconds, micro, offset: datetime(2025, 1, 1, tzinfo=timezone(timedelta(minutes=offset))) + timedelta(seconds=seconds, microseconds=micro),
    st.integers(0, 10**8), st.integers(0, 999_999), st.sampled_from([0, 480, -300, 330]),
)
events_strategy = st.lists(
    st.builds(
        Event,
        stream=streams,
        parents=st.lists(st.text(_HEX, min_size=64, max_size=64), max_size=3, unique=True).map(tuple),
        actor=tokens,
        device=tokens,
        at=moments,
        kind=st.sampled_from(["register_lead", "record_inspection", "add_evidence", "set_policy"]),
        payload=st.dictionaries(st.text(max_size=10), json_values, max_size=5),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda e: e.hash,
)


def _encoded(events: list[Event]) -> bytes:
    return encode_events((e.stream, e.parents_text, e.actor, e.device, e.at_text, e.kind, e.payload_bytes) for e in events)


@settings(max_examples=50, deadline=None)
@given(events_strategy)
def test_events_read_back_as_written(events):
    problems: list[str] = []
    decoded = decode_events(_encoded(events), problems)
    assert problems == []
    assert [d.hash for d in decoded] == [e.hash for e in events]  # each hash recomputed from the bytes that arrived
    for d, e in zip(decoded, events, strict=True):
        assert (d.stream, d.parents, d.actor, d.device, d.at, d.kind) == (e.stream, tuple(sorted(e.parents)), e.actor, e.device, e.at, e.kind)
        assert d.payload == json.loads(e.payload_bytes) and d.payload_bytes == e.payload_bytes
        assert (d.parents_text, d.at_text) == (e.parents_text, e.at_text)


@settings(max_examples=100, deadline=None)
@given(events_strategy, st.data())
def test_no_changed_byte_goes_unnoticed(events, data):
    encoded = _encoded(events)
    at = data.draw(st.integers(0, len(encoded) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != encoded[at]))
    changed = encoded[:at] + bytes([new]) + encoded[at + 1:]
    problems: list[str] = []
    decoded = decode_events(changed, problems)
    # either the file is refused as malformed, or some event now has another hash than any sent
    assert problems or {d.hash for d in decoded} != {e.hash for e in events}


def test_malformed_events_are_named():
    good = Event("0" * 32, (), "alice", "laptop-1", datetime(2025, 3, 4, 10, tzinfo=timezone(timedelta(hours=8))), "record_inspection",
                 {"findings": "货架上有过期酸奶"})
    encoded = _encoded([good])
    cases = {
        b"parents:\n": b"parents:" + b"b" * 64 + b"," + b"a" * 64 + b"\n",  # parents out of order
        b"at:2025-03-04T10:00:00.000000+08:00": b"at:2025-13-04T10:00:00.000000+08:00",  # no 13th month
        b"stream:" + b"0" * 32: b"stream:" + b"case/" + b"0" * 27,  # not a stream this system writes
        b'{"findings"': b'["findings"',  # payload not an object
    }
    for old, new in cases.items():
        problems: list[str] = []
        assert decode_events(encoded.replace(old, new), problems) == []
        assert len(problems) == 1 and problems[0].startswith("第1条记录"), (new, problems)
    problems = []
    assert [d.hash for d in decode_events(encoded + encoded, problems)] == [good.hash]
    assert problems == ["第2条记录重复出现"]
    problems = []
    assert decode_events(encoded.replace(b'"}\n', b'"},{"b":2}\n'), problems) == []  # two objects on one line
    assert len(problems) == 1 and "不是有效的 JSON" in problems[0]


def test_a_row_that_could_not_be_read_back_is_not_written():
    import pytest

    good = ("0" * 32, "", "alice", "laptop-1", "2025-03-04T10:00:00.000000+08:00", "record_inspection", b'{"a":1}')
    assert decode_events(encode_events([good]), []) != []
    for bad in ((*good[:6], b'{"a":\n1}'), (*good[:6], b' {"a":1}'), (good[0], "", "ali\nce", *good[3:])):
        with pytest.raises(ValueError, match="格式无法写入案件包"):
            encode_events([bad])
