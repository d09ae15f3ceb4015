"""Hostile and careless input to the command line: every one is a clear refusal (exit 1 or 2, a message,
never a traceback) and nothing is written.

The fuzzer runs the CLI's entry point in this process (``main(argv, out, err)``) against a real database
file: hostile ``--data`` payloads for every action kind, hostile texts and files for ``--data @file``, and
hostile documents for each import command (a valid document with one value replaced by one no field
accepts)."""

from __future__ import annotations

import copy
import io
import json
import sqlite3
from pathlib import Path

import pytest
import steps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enforcement_app.cli.main import main
from enforcement_app.domain.discretion import dump_benchmark_set
from enforcement_app.domain.discretion.library import shipped_library
from enforcement_app.domain.procedure import ActionKind
from enforcement_app.domain.procedure.engine import ACTIONS
from enforcement_app.resources import load_json

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def db(tmp_path_factory, cheap_password_hashing):
    """A database with a lead and an investigated case; password files for an officer and the administrator."""
    from conftest import make_world

    folder = tmp_path_factory.mktemp("fuzz")
    world = make_world(folder / "cases.db")
    lead = steps.lead(world, world.company)
    investigated = steps.investigated(world, world.person)
    world.services.close()
    (folder / "officer.pw").write_text("secret-pass-1\n", encoding="utf-8")
    (folder / "admin.pw").write_text("admin-pass-1\n", encoding="utf-8")
    return folder, [lead, investigated]


def _events(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM event").fetchone()[0]
    finally:
        conn.close()


def refused(folder: Path, *argv: str, db: Path | None = None) -> tuple[int, str]:
    """Run the CLI and check that it refused cleanly and wrote nothing; returns the exit code and stderr."""
    path = db or folder / "cases.db"
    before = _events(path)
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(path), *argv], out, err)
    text = err.getvalue()
    assert code in (1, 2), (argv, code, out.getvalue()[:300], text[:300])
    assert text.strip() and "Traceback" not in text, (argv, text[:300])
    assert _events(path) == before, (argv, "written despite the refusal")
    return code, text


def _nested(depth: int) -> object:
    value: object = {"x": "深"}
    for _ in range(depth):
        value = {"x": value}
    return value


SCALAR = (st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30)
          | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
          | st.sampled_from(["2026-13-01", "2025-03-05T10:00+08:00", "2025-03-05T10:00Z", "2025-03-05T10:00",
                             "2025-03-05", "\x00", "1e400", "9" * 30, "-0", "NaN", "ab" * 32]))
JSON = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=6)
# no field of any form accepts one of these: an object, a list of objects, an object nested past any form
WRONG = (st.dictionaries(st.text(max_size=4), JSON, min_size=1, max_size=2)
         | st.lists(st.dictionaries(st.text(max_size=3), SCALAR, max_size=2), min_size=1, max_size=2)
         | st.integers(min_value=2, max_value=20).map(_nested))
OPENING = {ActionKind.REGISTER_LEAD, ActionKind.RECORD_SIMPLE_DECISION}
EXTRA_KEYS = ["fine_yuan", "amount_yuan", "party_id", "handlers", "at", "on", "case_no", "sha256", "size"]


def _deliver(folder: Path, data, payload: dict) -> str:
    text = json.dumps(payload, ensure_ascii=False)
    if data.draw(st.booleans(), label="as @file"):
        path = folder / "payload.json"
        path.write_text(text, encoding="utf-8")
        return "@" + str(path)
    return text


@settings(FUZZ, max_examples=150)
@given(kind=st.sampled_from(sorted(ActionKind)), data=st.data())
def test_hostile_payloads_of_every_action_are_refused_and_nothing_is_written(db, kind, data):
    folder, cases = db
    payload_type = ACTIONS[kind].payload
    keys = sorted(payload_type.field_names()) + EXTRA_KEYS
    payload = data.draw(st.dictionaries(st.sampled_from(keys), JSON, max_size=6), label="payload")
    field = data.draw(st.sampled_from([name for name, _reading in payload_type.readings()]), label="hostile field")
    payload[field] = data.draw(WRONG, label="hostile value")
    user = data.draw(st.sampled_from(["zhangming", "wangju"]), label="user")
    case = "new" if kind in OPENING else data.draw(st.sampled_from(cases), label="case")
    code, err = refused(folder, "--user", user, "--password-file", str(folder / "officer.pw"),
                        "do", case, kind.value, "--data", _deliver(folder, data, payload))
    if code == 2:
        assert field in err, err  # the refusal names the field that was wrong


PARTY_KEYS = ["id", "kind", "name", "id_number", "uscc", "legal_representative", "address", "phone"]
OFFICER_KEYS = ["id", "name", "login", "unit", "roles", "legal_qualification", "certificates", "password"]


@settings(FUZZ, max_examples=80)
@given(what=st.sampled_from(["register_party", "register_officer"]), data=st.data())
def test_hostile_registrations_are_refused_by_field(db, what, data):
    folder, _cases = db
    keys = PARTY_KEYS if what == "register_party" else OFFICER_KEYS
    payload = data.draw(st.dictionaries(st.sampled_from(keys), JSON, max_size=5), label="payload")
    field = data.draw(st.sampled_from([k for k in keys if k != "certificates"]), label="hostile field")
    payload[field] = data.draw(WRONG, label="hostile value")
    user, password = ("zhangming", "officer.pw") if what == "register_party" else ("admin", "admin.pw")
    code, err = refused(folder, "--user", user, "--password-file", str(folder / password), "do", "new", what,
                        "--data", _deliver(folder, data, payload))
    assert code == 2 and field in err, err


HOSTILE_TEXTS = [
    "[" * 100_000, '{"a": ' * 50_000, "[1, 2]", '"text"', "null", "12", "", "{", '{"facts": NaN}', '{"facts": Infinity}',
    '{"facts": 1e400}', '{"size": ' + "9" * 5000 + "}", '{"facts": "\\ud800"}', json.dumps({"facts": _nested(40)}),
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS, ids=lambda t: t[:12])
@pytest.mark.parametrize("as_file", [False, True], ids=["inline", "@file"])
def test_hostile_json_texts_are_refused(db, text, as_file):
    folder, cases = db
    given_data = text
    if as_file:
        (folder / "payload.json").write_text(text, encoding="utf-8", errors="surrogatepass")
        given_data = "@" + str(folder / "payload.json")
    code, err = refused(folder, "--user", "zhangming", "--password-file", str(folder / "officer.pw"),
                        "do", cases[0], "request_filing", "--data", given_data)
    assert code == 2 and "--data" in err


@pytest.mark.parametrize("content", [b"\xff\xfe{}", b"{\"facts\": \"\xe4\xb8\"}", b"\x00" * 10], ids=["BOM16", "cut UTF-8", "NUL"])
def test_a_data_file_that_is_not_utf8_json_is_refused(db, content):
    folder, cases = db
    (folder / "payload.json").write_bytes(content)
    code, err = refused(folder, "--user", "zhangming", "--password-file", str(folder / "officer.pw"),
                        "do", cases[0], "request_filing", "--data", "@" + str(folder / "payload.json"))
    assert code == 2 and "--data" in err
    code, err = refused(folder, "--user", "zhangming", "--password-file", str(folder / "officer.pw"),
                        "do", cases[0], "request_filing", "--data", "@" + str(folder / "no-such-file.json"))
    assert code == 2


@pytest.mark.parametrize("argv", [
    ["cases", "--limit", "9" * 30], ["cases", "--limit", "-5"], ["cases", "--limit", "1e400"], ["cases", "--stage", "nowhere"],
    ["show", "no-such-case"], ["show", "\x00"], ["show", "%"], ["verify", "--case", "no-such-case"],
    ["export-pdf", "--year", "9" * 30, "--out-dir", "/nonexistent/x"], ["export-pdf", "--year", "-1", "--out-dir", "/nonexistent/x"],
    ["discretion", "--entry", "food_safety_124_1", "--fact", "goods_value=" + "9" * 30],
    ["discretion", "--entry", "food_safety_124_1", "--fact", "goods_value=1e400"],
    ["discretion", "--entry", "food_safety_124_1", "--fact", "goods_value=NaN"],
    ["discretion", "--entry", "food_safety_124_1", "--fact", "goods_value=100", "--fine", "9" * 30],
    ["discretion", "--entry", "food_safety_124_1", "--act-date", "99999-01-01"],
    ["rules", "list", "--date", "0000-00-00"], ["rules", "validate", "/nonexistent.json"],
    ["do"], ["no-such-command"], ["--db"], ["evidence", "add"], ["restore", "/nonexistent", "--to", "/nonexistent/x.db"],
], ids=lambda a: " ".join(a)[:40])
def test_hostile_arguments_are_refused(db, argv):
    folder, _cases = db
    refused(folder, "--user", "zhangming", "--password-file", str(folder / "officer.pw"), *argv)


def test_a_database_that_is_not_one_of_ours_is_refused_and_left_alone(db, tmp_path):
    folder, _cases = db
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_bytes(b"these are my notes, not a database" * 100)
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    for path in (not_sqlite, foreign, tmp_path):
        before = path.read_bytes() if path.is_file() else None
        for argv in (["cases"], ["verify"], ["--user", "admin", "--password-file", str(folder / "admin.pw"), "backup", str(tmp_path / "b")]):
            out, err = io.StringIO(), io.StringIO()
            assert main(["--db", str(path), *argv], out, err) == 2, err.getvalue()
            assert "Traceback" not in err.getvalue() and ("数据库" in err.getvalue()), err.getvalue()
        if before is not None:
            assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db", "other.db"]


# --- import commands ----------------------------------------------------------------------------------


def _leaves(document, path=()):
    """Every place in a JSON document, as a path of keys and indices."""
    yield path
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from _leaves(value, (*path, i))


def _replace(document, path, value):
    changed = copy.deepcopy(document)
    if not path:
        return value
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


LITERAL = {"__1e400__": "1e400", "__-1e400__": "-1e400", "__NaN__": "NaN", "__30digits__": "9" * 30 + ".5"}
FILE_WRONG = WRONG | st.sampled_from(sorted(LITERAL))


def _benchmark_set():
    (shipped,) = shipped_library().sets
    document = dump_benchmark_set(shipped)
    document.update({"id": "fuzz_set", "version": "1", "effective_from": "2026-01-01"})
    return document


def _policy_version():
    version = copy.deepcopy(load_json("agency", "policy.json")["versions"][0])
    version.update({"version": "fuzz-1", "effective_from": "2026-01-01"})
    return version


DOCUMENTS = {
    "rules": (["rules", "import"], _benchmark_set),
    "calendar": (["calendar", "import"], lambda: {"year": 2031, "holidays": ["2031-10-01", "2031-10-02"], "workdays": ["2031-09-28"]}),
    "policy": (["policy", "import"], _policy_version),
}


@settings(FUZZ, max_examples=100)
@given(which=st.sampled_from(sorted(DOCUMENTS)), data=st.data())
def test_hostile_import_files_are_refused_whole(db, which, data):
    folder, _cases = db
    command, valid = DOCUMENTS[which]
    document = valid()
    places = list(_leaves(document))
    path = data.draw(st.sampled_from(places), label="place")
    value = data.draw(FILE_WRONG, label="hostile value")
    text = json.dumps(_replace(document, path, value), ensure_ascii=False)
    for sentinel, literal in LITERAL.items():
        text = text.replace(json.dumps(sentinel), literal)
    file = folder / f"{which}.json"
    file.write_text(text, encoding="utf-8")
    refused(folder, "--user", "admin", "--password-file", str(folder / "admin.pw"), *command, str(file))


@pytest.mark.parametrize("which", sorted(DOCUMENTS))
@pytest.mark.parametrize("content", [b"", b"\xff\xfe", b"[" * 100_000, b"[]", b"{}", b"PK\x03\x04 not a zip"],
                         ids=["empty", "not UTF-8", "deep", "a list", "empty object", "binary"])
def test_import_files_that_are_not_documents_are_refused(db, which, content):
    folder, _cases = db
    file = folder / f"{which}.json"
    file.write_bytes(content)
    refused(folder, "--user", "admin", "--password-file", str(folder / "admin.pw"), *DOCUMENTS[which][0], str(file))


def test_valid_import_files_are_accepted(db):
    """The fuzzer's starting documents are valid: a refusal of their mutations is the mutation's doing."""
    folder, _cases = db
    for which, (command, valid) in DOCUMENTS.items():
        file = folder / f"{which}-valid.json"
        file.write_text(json.dumps(valid(), ensure_ascii=False), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        before = _events(folder / "cases.db")
        code = main(["--db", str(folder / "cases.db"), "--user", "admin", "--password-file", str(folder / "admin.pw"),
                     *command, str(file)], out, err)
        assert code == 0, (which, err.getvalue())
        assert _events(folder / "cases.db") == before + 1


@pytest.mark.parametrize("mutation", ["truncated", "flipped", "unknown version", "not a zip"])
def test_hostile_bundles_are_refused(db, tmp_path, mutation):
    folder, cases = db
    bundle = tmp_path / "cases.ecb"
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", str(folder / "cases.db"), "--user", "zhangming", "--password-file", str(folder / "officer.pw"),
                 "bundle", "export", "--out", str(bundle), "--case", cases[0], "--plain"], out, err) == 0, err.getvalue()
    data = bundle.read_bytes()
    if mutation == "truncated":
        data = data[: len(data) // 2]
    elif mutation == "flipped":
        data = data[:100] + bytes(b ^ 0x5A for b in data[100:300]) + data[300:]
    elif mutation == "unknown version":
        data = data.replace(b"ecr-bundle/2", b"ecr-bundle/9")
    else:
        data = b"not a bundle at all" * 50
    bundle.write_bytes(data)
    target = tmp_path / "target.db"
    from conftest import make_world

    make_world(target).services.close()  # a machine with users of its own
    refused(folder, "--user", "admin", "--password-file", str(folder / "admin.pw"), "bundle", "import", str(bundle), db=target)


def test_a_batch_stops_at_the_first_refusal_and_names_its_line(db, tmp_path):
    folder, cases = db
    request = {"case": cases[0], "action": "request_filing", "data": {"facts": "投诉反映销售过期食品", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "涉嫌违法"}}
    batch = tmp_path / "batch.jsonl"
    before = _events(folder / "cases.db")
    for bad in ('{"case": 7, "action": "x"}', '{"case": "new"}', "[1]", "{", json.dumps({"case": cases[0], "evidence": 7}),
                json.dumps({**request, "data": {"facts": {"x": 1}}})):
        batch.write_text(bad + "\n", encoding="utf-8")
        code, err = refused(folder, "--user", "zhangming", "--password-file", str(folder / "officer.pw"), "batch", str(batch))
        assert code == 2 and "第 1 行" in err
    batch.write_bytes(b"\n" + json.dumps(request).encode() + b"\n" + json.dumps(request).encode() + b"\n\xff\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(folder / "cases.db"), "--user", "zhangming", "--password-file", str(folder / "officer.pw"),
                 "batch", str(batch)], out, err)
    assert code == 1 and "第 3 行" in err.getvalue() and "Traceback" not in err.getvalue()  # a second request is refused
    assert out.getvalue().startswith("2\t") and _events(folder / "cases.db") == before + 1
