"""A recorded payload read again keeps each value a form would write back unchanged without reading it
(forms.as_written): the test may vouch only for values the form's method takes without a problem and
writes back exactly, so that reading with and without it accepts, refuses and writes the same."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enforcement_app.domain.forms import TEXT_MAX, Form, as_written
from enforcement_app.domain.money import MAX_FEN
from enforcement_app.domain.procedure import ACTIONS
from enforcement_app.domain.procedure.payload import read_form
from enforcement_app.domain.record import canonical_json

TODAY = date(2025, 3, 5)
HEX = "0123456789abcdef" * 4
METHODS = ("text", "day", "moment", "fen", "choice", "choices", "ids", "hashes", "digest", "flag")
OPTIONS = ("a", "b", "c")

# values as forms write them, and values one step from that: edges of white space, control characters,
# a final line break, a hash in capitals, impossible dates, other shapes of date and time, bools for ints …
NEAR = [
    "", " ", "张明", " 张明", "张明 ", "张\x00明", "张\x7f明", "a\tb", "a\nb", "\u3000张明", "x" * TEXT_MAX, "x" * (TEXT_MAX + 1),
    HEX, HEX.upper(), HEX + "\n", " " + HEX, HEX[:63], HEX + "0",
    "2025-03-04", "2025-13-01", "2025-02-30", "0000-01-01", "0999-01-01", "20250304", "2025-3-4", "2025-03-04 ", "٢٠٢٥-٠٣-٠٤",
    "2025-03-04T10:00", "2025-03-04T24:00", "2025-03-04T10:00:00", "2025-03-04T10:00+08:00", "2025-03-04 10:00",
    "2025-03-04T10:60", "2025-03-04t10:00", "2025-03-04T10:00Z", "2025-03-04T10",
    "a", "b", "c", "d", "a,b", "true", "false", "1", "0", "是",
    0, 1, -1, 2, MAX_FEN, MAX_FEN + 1, 10**30, True, False, 0.0, 1.5, float("nan"), None,
]
NEAR_LISTS = [[], [""], ["a"], ["b", "a"], ["a", "b"], ["a", "a"], ["a", 1], ["a", None], [HEX], [HEX, HEX], [HEX + "\n"], [HEX.upper()],
              [HEX, "a"], ["o1", "o2"], ["o1 "], [True], [["a"]], [{"a": 1}]]
_values = st.recursive(st.sampled_from(NEAR + NEAR_LISTS) | st.text(max_size=8) | st.integers(), lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=3), inner, max_size=2), max_leaves=6)


def _read(method: str, value, required: bool) -> Form:
    f = Form({"k": value})
    if method in ("choice", "choices"):
        getattr(f, method)("k", "项", OPTIONS, required=required)
    elif method == "digest":
        f.digest("k", "项")
    elif method == "flag":
        f.flag("k")
    else:
        getattr(f, method)("k", "项", required=required)
    return f


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(METHODS), _values, st.booleans())
def test_a_value_is_vouched_for_only_if_its_method_keeps_it_unchanged(method, value, required):
    if value is not None and as_written(method, OPTIONS)(value, required):
        f = _read(method, value, required)
        assert f.problems == []
        assert canonical_json(f.out) == canonical_json({"k": value})  # the same value of the same JSON type


def test_every_near_value_is_vouched_for_only_if_its_method_keeps_it_unchanged():
    for method in METHODS:
        for value in NEAR + NEAR_LISTS + [{}, {"a": "b"}]:
            for required in (True, False):
                test_a_value_is_vouched_for_only_if_its_method_keeps_it_unchanged.hypothesis.inner_test(method, value, required)


def _readings_of(act):
    return [(name, r) for name, r in act.payload.readings()]


@st.composite
def _payloads(draw):
    act = draw(st.sampled_from(sorted(ACTIONS.values(), key=lambda a: a.kind)))
    raw = {}
    for name, r in _readings_of(act):
        pool = _values | st.sampled_from(r.options) if r.options else _values
        if draw(st.booleans()):
            raw[name] = draw(st.lists(st.sampled_from(r.options), max_size=3) if r.options and draw(st.booleans()) else pool)
    return act, raw


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_payloads())
def test_a_form_read_with_and_without_the_values_as_written_takes_and_refuses_the_same(drawn):
    act, raw = drawn
    kept = read_form(act.payload, raw, TODAY)
    read = read_form(act.payload, raw, TODAY, read_every_value=True)
    assert kept.problems == read.problems
    assert canonical_json(kept.out) == canonical_json(read.out)


def test_recorded_payloads_are_kept_as_written():
    """The values of a payload a form wrote are all vouched for: reading it again reads none of them."""
    inspection = ACTIONS["record_inspection"].payload
    written = read_form(inspection, {"started_at": "2025-03-04T10:00", "ended_at": "2025-03-04T11:00", "place": "店内",
                                     "officers": ["o1", "o2"], "certificates_shown": True, "findings": "复查", "present": "刘某", "refusal_note": "拒绝签名",
                                     "av_records": [HEX]}, TODAY).done()
    for name, r in inspection.readings():
        assert as_written(r.how, r.options)(written[name], r.required), name
