"""#18: the case list at any size — a count and windows of rows by keyset, each condition read through its own
index — shows exactly the cases, in exactly the order, that a plain reading of the rows gives.

The reference here is Python over the rows as written: a case matches a word when the word is a substring
of its search text with ASCII letters in either case (other letters as written: the indexes fold more, the
list must not), the handler filter when the officer is exactly one of its handlers,
overdue when its next deadline is before today; the list is ordered by the sort columns and then the id.
Both ways the index reads a window (walking the index of the order, or reading the rarest condition's own
index and sorting) are checked, by setting the threshold between them to each extreme.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enforcement_app.domain.case import Stage
from enforcement_app.store import case_index as case_index_module
from enforcement_app.store.case_index import SORTABLE, CaseIndex, ListQuery
from enforcement_app.store.case_search import case_grams
from enforcement_app.store.cases import CaseRow, load_new_case_rows, write_case_rows
from enforcement_app.store.database import open_database, write_transaction

TODAY = date(2026, 12, 1)
OFFICERS = ["o1", "O1", "o_1", "ox1"]  # ids a LIKE would confuse: by case, and "_" as any character
# few letters, so that words of one to four characters match some cases and not others; punctuation and
# spaces so that words end; ASCII letters in both cases (a search ignores their case), and letters the indexes
# fold but a search must not (É/é, İ whose lower case is two characters, a full-width Ｂ)
ALPHABET = "罚款消防通道Ab1〔〕，。 Éé İＢｂ"
STAGES = [s.value for s in Stage]


def _row(rng: random.Random, n: int) -> CaseRow:
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 14)))
    handlers = ",".join(rng.sample(OFFICERS, rng.randrange(0, 3)))
    received = (TODAY - timedelta(days=rng.randrange(0, 6))).isoformat()  # few days: many ties in the order
    due = rng.choice(["", (TODAY + timedelta(days=rng.randrange(-3, 4))).isoformat()])
    return CaseRow(f"c{n:04d}", "a", rng.choice(["", f"罚〔{n % 3}〕{n}号"]), "general", rng.choice(STAGES), "",
                   rng.choice(["乙案", "甲案", "Ab案", ""]), "", "", rng.choice(["某甲", "某乙", ""]), handlers, handlers.upper(),
                   received, "", "", "", rng.choice([0, 100, 5000]), due, "", "", 0, text, "", "")


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    """A database of 240 cases: 200 loaded by the bulk path, 40 written one by one, then 60 rewritten (new
    texts, new handlers, new stages) so that the indexes are kept in step by updates too."""
    path = tmp_path_factory.mktemp("list") / "list.db"
    db = open_database(path)
    rng = random.Random(18)
    rows = {r.id: r for r in (_row(rng, n) for n in range(240))}
    with write_transaction(db):
        load_new_case_rows(db, [rows[f"c{n:04d}"] for n in range(200)], chunk=64)
    with write_transaction(db):
        write_case_rows(db, [rows[f"c{n:04d}"] for n in range(200, 240)])
    for n in rng.sample(range(240), 60):
        fresh = _row(rng, n)
        rows[fresh.id] = fresh
        with write_transaction(db):
            write_case_rows(db, [fresh])
    db.conn.close()
    index = CaseIndex(path)
    yield index, list(rows.values())
    index.close()


def _matches(row: CaseRow, q: ListQuery) -> bool:
    if q.stage and row.stage not in q.stage.split(","):
        return False
    if q.officer and q.officer not in row.handlers.split(","):
        return False
    if q.overdue and not (row.next_due and row.next_due < q.today.isoformat()):
        return False
    return all(_ascii_lower(word) in _ascii_lower(row.search_text) for word in (q.query or "").split())


def _ascii_lower(text: str) -> str:
    return text.translate({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})


def _reference(rows: list[CaseRow], q: ListQuery) -> list[str]:
    columns = (*SORTABLE[q.sort][0], "id")
    found = sorted((r for r in rows if _matches(r, q)), key=lambda r: tuple(getattr(r, c) for c in columns), reverse=q.descending)
    return [r.id for r in found]


def _paged(index: CaseIndex, q: ListQuery, size: int) -> list[str]:
    out, after = [], None
    for _ in range(1000):
        window = index.window(q, after, size)
        out.extend(r["id"] for r in window)
        if len(window) < size:
            return out
        after = window[-1]
    raise AssertionError("the windows never ended")


words = st.text(alphabet=ALPHABET.replace(" ", ""), min_size=1, max_size=4)
queries = st.builds(
    ListQuery,
    today=st.just(TODAY),
    stage=st.one_of(st.none(), st.lists(st.sampled_from(STAGES), min_size=1, max_size=3, unique=True).map(",".join)),
    officer=st.one_of(st.none(), st.sampled_from([*OFFICERS, "nobody"])),
    overdue=st.booleans(),
    query=st.one_of(st.none(), st.lists(words, min_size=1, max_size=2).map(" ".join)),
    sort=st.sampled_from(sorted(SORTABLE)),
    descending=st.booleans(),
)


@pytest.mark.parametrize("few", [0, 10_000], ids=["walk the order", "read the rarest condition"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries, size=st.integers(min_value=1, max_value=7))
def test_windows_and_counts_are_the_plain_reading_of_the_rows(listed, monkeypatch, few, q, size):
    index, rows = listed
    monkeypatch.setattr(case_index_module, "FEW", few)
    monkeypatch.setattr(case_index_module, "FALLBACK", few)
    expected = _reference(rows, q)
    assert _paged(index, q, size) == expected
    assert index.count(q) == len(expected)
    assert index.ids(q) == expected


def test_a_walk_that_runs_out_of_time_reads_the_rarest_condition_instead(listed, monkeypatch):
    """When the matches of a walk are all at the far end of the order, the walk stops at its budget and the
    window comes from the rarest condition's index: the same rows."""
    index, rows = listed
    monkeypatch.setattr(case_index_module, "FEW", 0)
    monkeypatch.setattr(case_index_module, "WALK_BUDGET", -1.0)  # every walk is over budget at once
    q = ListQuery(TODAY, overdue=True, officer="o1")
    assert _paged(index, q, 3) == _reference(rows, q) != []


def test_the_list_names_every_index_it_reads():
    """verify --deep looks for the indexes the list reads by name: the same ones."""
    from enforcement_app.store.cases import LIST_INDEXES

    assert set(LIST_INDEXES) == {name for _columns, name in SORTABLE.values()}


@given(st.text(alphabet=ALPHABET + "xY_é", max_size=30))
def test_the_pairs_index_finds_every_word_of_one_or_two_characters(text):
    """Every substring of one or two letters or digits of a text is one of its indexed words or the prefix of
    one, so that the pair index finds each case LIKE would."""
    grams = set(case_grams(text).split())
    for i, ch in enumerate(text):
        if ch.isalnum():
            assert any(g.startswith(ch) for g in grams)
            if i + 1 < len(text) and text[i + 1].isalnum():
                assert text[i:i + 2] in grams


def test_the_handlers_table_follows_the_handlers_of_each_case(listed):
    """The handler filter reads case_handler, kept by the writes: every (officer, case) of the rows, no other."""
    index, rows = listed
    stored = set(index.conn.execute("SELECT officer_id, case_id FROM case_handler"))
    assert stored == {(h, r.id) for r in rows for h in r.handlers.split(",") if h}


def test_a_bulk_load_of_a_known_case_leaves_nothing(tmp_path):
    """The bulk path is for new cases: one already in the table fails the load, and the transaction leaves the
    table and its indexes as they were."""
    db = open_database(tmp_path / "bulk.db")
    rng = random.Random(3)
    with write_transaction(db):
        load_new_case_rows(db, [_row(rng, 1)])
    indexes = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'case'").fetchone()[0]
    with pytest.raises(Exception, match="UNIQUE"), write_transaction(db):
        load_new_case_rows(db, [_row(rng, 2), _row(rng, 1)])
    assert [r[0] for r in db.execute('SELECT id FROM "case"')] == ["c0001"]
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'case'").fetchone()[0] == indexes
    db.conn.close()


@pytest.mark.parametrize("edit", ["handler", "trigram", "pairs"])
def test_deep_verify_finds_an_edit_of_the_lists_indexes(world, edit):
    """Someone with the file hides a case from an officer's own list or from a search, by editing an index the
    list reads beside the case table: verify --deep says so."""
    import steps

    case_id = steps.lead(world, world.company)
    db = world.services.db
    assert world.services.verify(deep=True).ok
    rowid, text = db.execute('SELECT rowid, search_text FROM "case" WHERE id = ?', [case_id]).fetchone()
    with db.conn:
        if edit == "handler":
            db.execute("DELETE FROM case_handler WHERE case_id = ?", [case_id])
        elif edit == "trigram":
            db.execute("INSERT INTO case_fts(case_fts, rowid, search_text) VALUES ('delete', ?, ?)", [rowid, text])
        else:
            db.execute("INSERT INTO case_bigram(case_bigram, rowid, grams) VALUES ('delete', ?, ?)", [rowid, case_grams(text)])
    report = world.services.verify(deep=True)
    assert not report.ok and [p.kind for p in report.problems] == ["search_index"]


def test_verify_on_the_command_line_tells_how_far_it_has_got(world, capsys):
    from enforcement_app.cli.main import _verify_progress

    told = _verify_progress(world.services, every=0)
    told(100_000)
    err = capsys.readouterr().err
    assert err.startswith("已校验 100,000 / ") and "条记录" in err and "每秒" in err


@pytest.mark.parametrize("word", ["éco", "é", "ÉC"])
def test_a_letter_the_indexes_fold_is_counted_as_the_list_shows_it(tmp_path, word):
    """The indexes fold É to é; a search does not (ASCII letters only, as LIKE): the count is what is shown."""
    db = open_database(tmp_path / "fold.db")
    rng = random.Random(5)
    rows = [_row(rng, 1)._replace(search_text="École"), _row(rng, 2)._replace(search_text="école")]
    with write_transaction(db):
        load_new_case_rows(db, rows)
    db.conn.close()
    index = CaseIndex(tmp_path / "fold.db")
    try:
        q = ListQuery(TODAY, query=word)
        shown = _paged(index, q, 10)
        assert shown == _reference(rows, q) and len(shown) == 1
        assert index.count(q) == 1
    finally:
        index.close()


def _junk_events(db, n: int) -> None:
    """``n`` events that are not a valid record (verify will say so), fast: what matters here is how far the
    check has got, not what it finds."""
    rows = [(f"{k:064x}", f"case{k // 20:06d}", "", "a", "d", "2025-01-01T00:00:00+08:00", "record_inspection", b"{}", f"{k:064x}")
            for k in range(n)]
    with db.conn:
        db.conn.executemany("INSERT INTO event (hash, stream, parents, actor, device, at, kind, payload, chain) VALUES (?,?,?,?,?,?,?,?,?)", rows)


def test_verify_tells_its_progress_from_the_worker_processes_too(world, monkeypatch):
    """#18: on a hub's 30 million events verify scans in worker processes while this one rebuilds the
    projections; the progress the command line prints comes from the workers' counts, added up, and a progress
    that raises stops the check."""
    from enforcement_app.store import integrity

    _junk_events(world.services.db, 260_000)
    monkeypatch.setattr(integrity, "_PARALLEL_FROM", 1000)  # the workers' path, whatever the machine's cores
    monkeypatch.setattr(integrity, "_worker_count", lambda: 2)
    told: list[int] = []
    report = world.services.verify(progress=told.append)
    assert not report.ok  # the junk is found, and
    assert told and told == sorted(told) and max(told) >= 200_000  # how far it had got was told as it went

    class Enough(Exception):
        pass

    def stop(done: int) -> None:
        raise Enough(done)

    with pytest.raises(Enough):
        world.services.verify(progress=stop)
