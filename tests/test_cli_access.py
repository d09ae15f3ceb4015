"""The command line acts as a user only once that user has authenticated; reading needs no password;
restoring a backup is an administrator's alone."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
import steps

from enforcement_app.cli import main as cli_main
from enforcement_app.cli.main import main as cli


@pytest.fixture
def db(world, monkeypatch):
    """A database with one case, closed so that the command line opens it; no password in the environment."""
    monkeypatch.delenv("ENFORCEMENT_PASSWORD", raising=False)
    monkeypatch.setattr(cli_main.sys, "stdin", io.StringIO(""))  # not a terminal: nobody to prompt
    case_id = steps.lead(world, world.company)
    world.services.close()
    return str(world.services.path), case_id


def _events(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM event").fetchone()[0]
    finally:
        conn.close()


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    return cli(list(argv), out, err), out.getvalue(), err.getvalue()


def _password_file(tmp_path, password, name="pw.txt"):
    path = tmp_path / name
    path.write_text(password + "\n", encoding="utf-8")
    return str(path)


REQUEST = json.dumps({"facts": "投诉反映销售过期食品", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "涉嫌违反食品安全法第三十四条"})


def test_a_user_named_on_the_command_line_does_not_act_without_a_password(db):
    path, case_id = db
    before = _events(path)
    code, _out, err = _run("--db", path, "--user", "zhangming", "do", case_id, "request_filing", "--data", REQUEST)
    assert code == 2 and "--password-file" in err and "ENFORCEMENT_PASSWORD" in err and "Traceback" not in err
    code, _out, err = _run("--db", path, "--user", "admin", "do", "new", "register_officer", "--data",
                           json.dumps({"name": "冒名", "login": "intruder", "roles": ["admin"]}))
    assert code == 2
    assert _events(path) == before


def test_a_wrong_password_is_refused_with_exit_1_and_nothing_is_written(db, tmp_path, monkeypatch):
    path, case_id = db
    before = _events(path)
    wrong = _password_file(tmp_path, "admin-pass-1")  # the administrator's password is not zhangming's
    code, _out, err = _run("--db", path, "--user", "zhangming", "--password-file", wrong, "do", case_id, "request_filing",
                           "--data", REQUEST)
    assert code == 1 and "用户名或密码错误" in err
    monkeypatch.setenv("ENFORCEMENT_PASSWORD", "guess")
    assert _run("--db", path, "--user", "zhangming", "do", case_id, "request_filing", "--data", REQUEST)[0] == 1
    assert _run("--db", path, "--user", "nobody", "do", case_id, "request_filing", "--data", REQUEST)[0] == 1
    assert _events(path) == before


def test_the_password_comes_from_a_file_the_environment_or_a_prompt_at_a_terminal(db, tmp_path, monkeypatch):
    path, case_id = db
    before = _events(path)
    right = _password_file(tmp_path, "secret-pass-1")
    assert _run("--db", path, "--user", "zhangming", "--password-file", right, "do", case_id, "request_filing", "--data", REQUEST)[0] == 0
    monkeypatch.setenv("ENFORCEMENT_PASSWORD", "secret-pass-1")
    assert _run("--db", path, "--user", "wangju", "do", case_id, "approve_filing", "--data", '{"opinion": "同意立案"}')[0] == 0
    monkeypatch.delenv("ENFORCEMENT_PASSWORD")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    asked = []
    monkeypatch.setattr(cli_main.sys, "stdin", Terminal(""))
    monkeypatch.setattr(cli_main.getpass, "getpass", lambda prompt: asked.append(prompt) or "admin-pass-1")
    code, out, _err = _run("--db", path, "--user", "admin", "bundle", "devices", "--set-name", "执法一队笔记本")
    assert code == 0 and asked == ["admin 的密码："]
    assert _events(path) == before + 3


def test_an_unreadable_password_file_is_malformed_input(db, tmp_path):
    path, case_id = db
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00")
    for file in (str(tmp_path / "missing"), str(binary), str(tmp_path)):
        code, _out, err = _run("--db", path, "--user", "zhangming", "--password-file", file, "do", case_id, "request_filing",
                               "--data", REQUEST)
        assert code == 2 and "密码文件" in err and "Traceback" not in err


def test_reading_needs_no_password(db, tmp_path):
    path, case_id = db
    for argv in (["cases"], ["show", case_id], ["verify"], ["inbox"], ["bundle", "devices"], ["rules", "list"],
                 ["rules", "export", "statutory_default", "--out", str(tmp_path / "set.json")]):
        code, _out, err = _run("--db", path, "--user", "zhangming", *argv)
        assert code == 0, (argv, err)


def test_writing_commands_other_than_do_ask_for_the_password_too(db, tmp_path):
    path, _case_id = db
    before = _events(path)
    for argv in (["backup", str(tmp_path / "backup")], ["bundle", "export", "--out", str(tmp_path / "x.ecb")],
                 ["bundle", "devices", "--set-name", "新名字"], ["rules", "import", str(tmp_path / "whatever.json")]):
        code, _out, err = _run("--db", path, "--user", "admin", *argv)
        assert code == 2 and "须验证" in err, argv
    assert _events(path) == before and not (tmp_path / "backup").exists() and not (tmp_path / "x.ecb").exists()


def test_restore_is_the_administrators_alone(db, tmp_path):
    path, _case_id = db
    admin = _password_file(tmp_path, "admin-pass-1", "admin.txt")
    officer = _password_file(tmp_path, "secret-pass-1", "officer.txt")
    assert _run("--db", path, "--user", "admin", "--password-file", admin, "backup", str(tmp_path / "backup"))[0] == 0
    target = tmp_path / "restored.db"
    code, _out, err = _run("--user", "zhangming", "--password-file", officer, "restore", str(tmp_path / "backup"), "--to", str(target))
    assert code == 1 and "无权" in err and not target.exists()
    code, _out, err = _run("--user", "admin", "--password-file", officer, "restore", str(tmp_path / "backup"), "--to", str(target))
    assert code == 1 and "密码错误" in err and not target.exists()
    code, _out, err = _run("--user", "admin", "restore", str(tmp_path / "backup"), "--to", str(target))
    assert code == 2 and not target.exists()
    code, out, _err = _run("--user", "admin", "--password-file", admin, "restore", str(tmp_path / "backup"), "--to", str(target))
    assert code == 0 and "已恢复" in out and target.exists()
    assert _run("--db", str(target), "verify")[0] == 0


def test_passwords_are_changed_by_their_owner_and_reset_by_an_administrator(db, tmp_path):
    path, _case_id = db
    own = _password_file(tmp_path, "secret-pass-1", "own.txt")
    new = _password_file(tmp_path, "changed-pass-2", "new.txt")
    code, out, _err = _run("--db", path, "--user", "wangju", "--password-file", own, "password", "change", "--new-password-file", new)
    assert code == 0 and "已修改" in out
    code, _out, _err = _run("--db", path, "--user", "wangju", "--password-file", own, "password", "change", "--new-password-file", new)
    assert code == 1  # the old password opens nothing any more
    reset = _password_file(tmp_path, "reset-pass-3", "reset.txt")
    code, _out, err = _run("--db", path, "--user", "zhangming", "--password-file", own, "password", "reset", "wangju",
                           "--new-password-file", reset)
    assert code != 0 and "无权" in err  # officers do not reset passwords
    admin = _password_file(tmp_path, "admin-pass-1", "admin.txt")
    code, out, _err = _run("--db", path, "--user", "admin", "--password-file", admin, "password", "reset", "wangju", "--new-password-file", reset)
    assert code == 0 and "新的个人签名密钥" in out
    code, out, err = _run("--db", path, "verify", "--deep")
    assert code == 0, err
    code, _out, err = _run("--db", path, "--user", "admin", "--password-file", admin, "password", "reset", "nobody", "--new-password-file", reset)
    assert code == 1 and "没有该用户" in err
