"""A 笔录 that overlaps in time another of the same officer's, in any case on this device, is found before it is
saved (the client asks about it), by the notion the evaluation judges a closed file with; the store answers from the
index of the records' end times."""

from __future__ import annotations

from datetime import datetime

import steps

from enforcement_app.domain.procedure.record_times import RecordSpan, span_of, timed_kinds
from enforcement_app.store import events as event_store


def _inspection(world, case_id, start="2025-03-06T09:00", end="2025-03-06T10:00", officers=None):
    return {"started_at": start, "ended_at": end, "place": "惠州市仲恺高新区惠风路1号店内",
            "officers": officers or [world.officer_a.id, world.officer_b.id], "certificates_shown": True, "findings": "复查"}


def test_spans_overlap_when_they_share_time_and_not_when_one_ends_as_the_other_begins():
    def span(start, end):
        return RecordSpan("record_inquiry", datetime.fromisoformat(start), datetime.fromisoformat(end), frozenset({"a"}), "")

    morning = span("2025-03-05T09:00", "2025-03-05T10:00")
    assert morning.overlaps(span("2025-03-05T09:59", "2025-03-05T11:00"))
    assert morning.overlaps(span("2025-03-05T09:10", "2025-03-05T09:20"))  # within
    assert not morning.overlaps(span("2025-03-05T10:00", "2025-03-05T11:00"))  # back to back
    assert span_of("record_inquiry", {"started_at": "2025-03-05T09:00+00:00", "ended_at": "2025-03-05T18:00"}).started_at == \
        datetime(2025, 3, 5, 17, 0)  # an offset read as China's wall clock
    assert span_of("record_payment", {"started_at": "2025-03-05T09:00", "ended_at": "2025-03-05T10:00"}) is None
    assert set(timed_kinds()) == {"record_inspection", "record_inquiry", "record_sampling", "record_preservation", "record_statement"}


def test_the_store_lists_the_records_ending_after_a_moment_from_its_index(world):
    assert set(event_store.RECORD_KINDS) == set(timed_kinds())  # the index covers every record with a start and an end
    plan = " ".join(str(row[-1]) for row in world.services.db.execute(
        "EXPLAIN QUERY PLAN SELECT hash FROM event WHERE kind IN (" + ", ".join(f"'{k}'" for k in event_store.RECORD_KINDS)
        + f") AND {event_store._ENDED} > ? AND {event_store._STARTED} < ?", ["2025-03-05T00:00", "2025-03-06T00:00"]))
    assert "event_record_end" in plan
    case_id = steps.investigated(world)  # inspected 3/4 10:00–11:00, questioned 3/5 09:30–10:30
    found = event_store.records_ending_after(world.services.db, "2025-03-05T10:00", "2025-03-05T12:00")
    assert [e.kind for e in found] == ["record_inquiry"] and found[0].stream == case_id


def test_an_overlapping_record_of_the_same_officer_in_another_case_is_named(world):
    first = steps.investigated(world)  # the inquiry of 3/5 09:30–10:30 by both officers
    second = steps.lead(world, world.person)
    steps.file(world, second)
    world.clock.set("2025-03-06T12:00")
    officer = world.as_(world.officer_a)
    overlapping = officer.overlapping_records(second, "record_inspection", _inspection(world, second, "2025-03-05T10:00", "2025-03-05T11:00"))
    assert [(o.case_id, o.kind) for o in overlapping] == [(first, "record_inquiry")]
    text = overlapping[0].describe()
    assert "询问调查 2025-03-05 09:30—10:30" in text and "张明、李华" in text and world.services.current_state(first).title in text
    # back to back, another day, or other officers: nothing to ask
    assert officer.overlapping_records(second, "record_inspection", _inspection(world, second, "2025-03-05T10:30", "2025-03-05T11:30")) == []
    assert officer.overlapping_records(second, "record_inspection", _inspection(world, second)) == []
    assert officer.overlapping_records(second, "add_evidence", {"collected_at": "2025-03-05T10:00"}) == []


def test_a_records_corrected_time_is_what_is_compared(world):
    case_id = steps.investigated(world)
    inquiry = next(s for s in world.services.current_state(case_id).steps if s.kind == "record_inquiry")
    officer = world.as_(world.officer_a)
    probe = _inspection(world, case_id, "2025-03-05T10:15", "2025-03-05T10:45")
    assert len(officer.overlapping_records(case_id, "record_inspection", probe)) == 1
    officer.perform(case_id, "correct_record", {"corrects": inquiry.hash, "reason": "询问于十点结束，笔录误记",
                                                "changes": {"ended_at": "2025-03-05T10:00"}})
    assert officer.overlapping_records(case_id, "record_inspection", probe) == []
