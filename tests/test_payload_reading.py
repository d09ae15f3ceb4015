"""A payload is read the same whether orjson reads it or the standard library does: same values, same types
(an integer never a float), the same refusals. services/bundle_format.py reads payloads with orjson for speed
only where the two agree; these properties would catch a payload where they do not."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from enforcement_app.services import bundle_format

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=5)), max_leaves=30)


def same(a, b) -> bool:
    """Equal with the same types all the way down (1 and 1.0 differ; NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def read(raw: bytes, fast: bool):
    saved = bundle_format._orjson
    if not fast:
        bundle_format._orjson = None
    try:
        problems: list[str] = []
        events = bundle_format._with_payloads([("h", "s", "", "a", "d", "t", "k", raw, (), None)], problems)
        return (events[0].payload if events else None), bool(problems)
    finally:
        bundle_format._orjson = saved


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=8), values, max_size=6), st.booleans())
def test_orjson_and_the_standard_library_read_every_payload_alike(payload, ascii_only):
    raw = json.dumps(payload, ensure_ascii=ascii_only, separators=(",", ":")).encode("utf-8", "surrogatepass")
    fast, slow = read(raw, True), read(raw, False)
    assert fast[1] == slow[1] and (fast[0] is None) == (slow[0] is None)
    if slow[0] is not None:
        assert same(fast[0], slow[0])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60))
def test_bytes_that_are_not_a_payload_are_refused_alike(raw):
    fast, slow = read(b'{"a":' + raw + b"}", True), read(b'{"a":' + raw + b"}", False)
    assert fast[1] == slow[1]
    if slow[0] is not None:
        assert same(fast[0], slow[0])


def test_the_cases_where_orjson_alone_would_read_otherwise_go_to_the_standard_library():
    for raw in (b'{"n":123456789012345678901234567890}', b'{"n":NaN}', b'{"s":"\\ud800"}', b'{"n":1e400}', b'{"a":1,"a":2}'):
        fast, slow = read(raw, True), read(raw, False)
        assert fast[1] == slow[1] and same(fast[0], slow[0]), raw
    assert type(read(b'{"n":123456789012345678901234567890}', True)[0]["n"]) is int
