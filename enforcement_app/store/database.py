"""Opening the database: pragmas, schema migrations from ``db/``, the device identity.

One connection per thread (sqlite3 objects are bound to their thread). WAL lets readers run beside the
one writer; ``synchronous=FULL`` makes each committed step durable on a laptop that loses power.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from platformdirs import user_data_dir
from sqlite_utils import Migrations

from ..domain.refusals import InvalidInput
from ..resources import migrations_dir

APP_NAME = "enforcement-app"


def default_db_path() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "cases.db"


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements (trigger bodies contain semicolons)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if not buffer and line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer[:80]!r}")
    return statements


def _migration_files() -> list[Path]:
    return sorted(migrations_dir().glob("[0-9][0-9][0-9][0-9]_*.sql"))


def migration_names() -> list[str]:
    """The schema migrations in the order they apply (``0001_initial``, …); the last is the current schema."""
    return [path.stem for path in _migration_files()]


def schema_migrations() -> Migrations:
    """Every ``db/NNNN_name.sql`` file, in order, as one sqlite-utils migration each."""
    migrations = Migrations("enforcement")
    for path in _migration_files():
        sql = path.read_text(encoding="utf-8")

        def run(db: sqlite_utils.Database, sql: str = sql) -> None:
            for statement in _statements(sql):
                db.execute(statement)

        migrations(name=path.stem)(run)
    return migrations


def migrate(db: sqlite_utils.Database, *, upto: str | None = None) -> None:
    """Apply the pending schema migrations in order, each in its own transaction. ``upto`` names the last
    one to apply (the migration test builds a database as the first schema left it); by default all."""
    stop_before: list[str] = []
    if upto is not None:
        names = migration_names()
        if upto not in names:
            raise ValueError(f"no schema migration named {upto!r}")
        stop_before = names[names.index(upto) + 1:][:1]
    schema_migrations().apply(db, stop_before=stop_before)


def open_database(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and on first use create) the database at ``path`` with migrations applied. A folder, a file
    that is not SQLite, or another program's SQLite database is refused with :class:`InvalidInput` (field
    ``database``) before anything is written to it."""
    path = Path(path)
    if not path.exists() and not create:
        raise FileNotFoundError(f"数据库不存在：{path}")
    if path.is_dir():
        raise InvalidInput.at("database", f"{path} 是一个文件夹，不是数据库文件")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=True)
    except sqlite3.Error as exc:
        raise InvalidInput.at("database", f"无法打开数据库文件 {path}：{exc}") from None
    try:
        _refuse_foreign(conn, path)
    except BaseException:
        conn.close()
        raise
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    migrate(db)
    _ensure_device(db)
    return db


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a file that is not an SQLite database, or one that holds tables but not this program's
    migrations (another program's database, which migrating would write into)."""
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        ours = Migrations.migrations_table in tables and conn.execute(
            f"SELECT 1 FROM {Migrations.migrations_table} WHERE migration_set = 'enforcement' LIMIT 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput.at("database", f"{path} 不是本软件的数据库文件（{exc}）") from None
    others = {t for t in tables if t != Migrations.migrations_table and not t.startswith("sqlite_")}
    if others and not ours:
        raise InvalidInput.at("database", f"{path} 是其他程序的数据库，不是本软件的数据库文件，未打开")


def _ensure_device(db: sqlite_utils.Database) -> None:
    with db.atomic():
        if not db.execute("SELECT 1 FROM meta WHERE key = 'device_key'").fetchone():
            # the device's signing key: bundles it sends are signed with it, and the machines that receive
            # them trust this device by its public key (an Ed25519 pair, kept in the database it belongs to)
            key = Ed25519PrivateKey.generate()
            db["meta"].insert_all([
                {"key": "device_key", "value": key.private_bytes_raw().hex()},
                {"key": "device_public_key", "value": key.public_key().public_bytes_raw().hex()},
            ])
        if not db.execute("SELECT 1 FROM meta WHERE key = 'device_id'").fetchone():
            device = uuid.uuid4().hex
            db["meta"].insert_all(
                [
                    {"key": "device_id", "value": device},
                    {"key": "device_name", "value": f"device-{device[:6]}"},
                    {"key": "chain_head", "value": "0" * 64},
                    {"key": "event_count", "value": "0"},
                ]
            )


def meta(db: sqlite_utils.Database, key: str, default: str = "") -> str:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def evidence_dir(db_path: str | Path) -> Path:
    """Evidence files live beside the database: ``cases.db`` → ``cases.evidence/``."""
    p = Path(db_path)
    return p.with_name(p.stem + ".evidence")
