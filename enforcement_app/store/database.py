"""Opening the database: pragmas, schema migrations from ``db/``, the device identity.

One connection per thread (sqlite3 objects are bound to their thread). WAL lets readers run beside the
one writer; ``synchronous=FULL`` makes each committed step durable on a laptop that loses power.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from platformdirs import user_data_dir
from sqlite_utils import Migrations

from ..domain.refusals import InvalidInput, Refusal, RuleViolation
from ..resources import migrations_dir
from . import seals
from .case_search import case_grams
from .keystore import Keystore, default_keystore

APP_NAME = "enforcement-app"


def default_db_path() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "cases.db"


def demo_db_path() -> Path:
    """The demo's own database, beside the real one in the data folder: ``--demo`` never writes into the
    database an agency keeps its cases in."""
    return default_db_path().with_name("demo.db")


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


def open_database(path: str | Path, *, create: bool = True, keystore: Keystore | None = None) -> sqlite_utils.Database:
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
        conn = sqlite3.connect(str(path), timeout=WRITE_WAIT_SECONDS, check_same_thread=True)
    except sqlite3.Error as exc:
        raise InvalidInput.at("database", f"无法打开数据库文件 {path}：{exc}") from None
    try:
        _refuse_foreign(conn, path)
    except BaseException:
        conn.close()
        raise
    conn.create_function("case_grams", 1, case_grams, deterministic=True)  # db/0016 fills case_bigram with it
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {WRITE_WAIT_SECONDS * 1000}")
    keystore = keystore or default_keystore()
    before = _applied(db)
    migrate(db)
    _ensure_device(db, keystore)
    if "0011_seals" in _applied(db) - before:
        _seal_on_upgrade(db, keystore)
    return db


def _applied(db: sqlite_utils.Database) -> set[str]:
    if not db["_sqlite_migrations"].exists():
        return set()
    return {r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")}


def _seal_on_upgrade(db: sqlite_utils.Database, keystore: Keystore) -> None:
    """A database written before seals existed is sealed once, as it stands, when it is upgraded: the seal
    vouches for it from then on. The keystore remembers that this device seals, so a database made to look
    older (its seals dropped) is not sealed again but reported by ``verify``."""
    name = device_key_name(meta(db, "device_id"))
    if keystore.get(sealing_marker(name)):
        return
    with db.atomic():
        if db.execute("SELECT 1 FROM event LIMIT 1").fetchone():
            seals.seal(db, Ed25519PrivateKey.from_private_bytes(keystore.get(name)), meta(db, "device_id"), 0, streams="")
    keystore.put(sealing_marker(name), b"\x01")


def sealing_marker(key_name: str) -> str:
    return f"{key_name}-seals"


def device_key_name(device_id: str) -> str:
    return f"device-{device_id}"


def agreement_key_name(key_name: str) -> str:
    return f"{key_name}-agreement"


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


def _ensure_device(db: sqlite_utils.Database, keystore: Keystore) -> None:
    """The device's identity: an id, a name, an Ed25519 key pair (seals, bundles) and an X25519 pair (bundles sent
    to it) whose private halves live in the keystore, never in the database (a database from before kept them in
    ``meta``: they move out on first open)."""
    with db.atomic():
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
        name = device_key_name(meta(db, "device_id"))
        legacy = meta(db, "device_key")
        if legacy:
            keystore.put(name, bytes.fromhex(legacy))
            db.execute("DELETE FROM meta WHERE key = 'device_key'")
        elif not meta(db, "device_public_key"):
            # bundles and seals are signed with it; other machines trust this device by its public key
            key = Ed25519PrivateKey.generate()
            keystore.put(name, key.private_bytes_raw())
            db["meta"].insert({"key": "device_public_key", "value": key.public_key().public_bytes_raw().hex()})
            if not db.execute("SELECT 1 FROM event LIMIT 1").fetchone():
                keystore.put(sealing_marker(name), b"\x01")  # a device born with seals: never sealed "on upgrade"
        # the key agreement key: bundles sent to this device are encrypted to it (the public half travels in the
        # signed manifests this device sends)
        legacy_agreement = meta(db, "device_agreement_key")
        if legacy_agreement:
            keystore.put(agreement_key_name(name), bytes.fromhex(legacy_agreement))
            db.execute("DELETE FROM meta WHERE key = 'device_agreement_key'")
        elif not meta(db, "device_agreement_public_key"):
            agreement = X25519PrivateKey.generate()
            keystore.put(agreement_key_name(name), agreement.private_bytes_raw())
            db["meta"].insert({"key": "device_agreement_public_key", "value": agreement.public_key().public_bytes_raw().hex()})


def meta(db: sqlite_utils.Database, key: str, default: str = "") -> str:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def evidence_dir(db_path: str | Path) -> Path:
    """Evidence files live beside the database: ``cases.db`` → ``cases.evidence/``."""
    p = Path(db_path)
    return p.with_name(p.stem + ".evidence")


def network_dir(db_path: str | Path) -> Path:
    """The agency network's files of this database's device (its link, the hub's CA, its nats-server) live beside
    it too: ``cases.db`` → ``cases.network/``."""
    p = Path(db_path)
    return p.with_name(p.stem + ".network")


WRITE_WAIT_SECONDS = 30  # how long a write waits for another program's write to finish before it gives up


class DatabaseBusy(RuleViolation):
    """Another program held the database's write lock for longer than a write waits."""

    def __init__(self, seconds: float):
        super().__init__([Refusal("database_busy", f"数据库正由另一程序写入，已等待{seconds:g}秒仍未轮到本次操作；"
                                                   "本次操作未作任何改动，请稍后重试")])
        self.seconds = seconds


@contextmanager
def write_transaction(db: sqlite_utils.Database, *, before_commit: Callable[[], None] | None = None) -> Iterator[None]:
    """One write transaction that starts as a writer (``BEGIN IMMEDIATE``): a read that later turns into a
    write would fail at once with "database is locked" when another connection wrote in between, whatever
    the busy timeout. Inside another transaction it is a savepoint. ``before_commit`` runs last inside the
    outermost transaction (the services seal what it recorded)."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseBusy(conn.execute("PRAGMA busy_timeout").fetchone()[0] / 1000) from None
        raise
    try:
        yield
        if before_commit is not None:
            before_commit()
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def data_version(db: sqlite_utils.Database) -> int:
    """Changes whenever another connection commits (not for this connection's own commits)."""
    return int(db.execute("PRAGMA data_version").fetchone()[0])


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
