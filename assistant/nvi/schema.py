"""The workbench's SQLite file: its tables, and how every call connects and writes.

Every call opens its own connection (safe from Gradio's worker threads and from a CLI beside
the server), writes in one `BEGIN IMMEDIATE` transaction, and WAL keeps readers unblocked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    documents TEXT NOT NULL DEFAULT '',
    deadline TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS groups (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    answer TEXT NOT NULL DEFAULT '',
    citations TEXT NOT NULL DEFAULT '[]',
    passages TEXT NOT NULL DEFAULT '[]',
    earlier TEXT NOT NULL DEFAULT '[]',
    flags TEXT NOT NULL DEFAULT '[]',
    drafted_by TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'nieuw',
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    nr INTEGER NOT NULL,
    group_id INTEGER NOT NULL REFERENCES groups(id),
    text TEXT NOT NULL,
    document TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT '',
    external_nr TEXT NOT NULL DEFAULT '',
    pinned INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, nr)
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    norm TEXT NOT NULL UNIQUE,
    asked INTEGER NOT NULL DEFAULT 1,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    taken_into TEXT NOT NULL DEFAULT '',
    dismissed_at TEXT NOT NULL DEFAULT '',
    dismissed_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS questions_group ON questions(group_id);
CREATE INDEX IF NOT EXISTS history_group ON history(group_id);
"""


# Columns added after a store was first made: (table, column, definition).
_LATER_COLUMNS = (
    ("inbox", "dismissed_at", "TEXT NOT NULL DEFAULT ''"),
    ("inbox", "dismissed_by", "TEXT NOT NULL DEFAULT ''"),
)


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Bring a store made by an earlier version up to the current tables."""
    for table, column, definition in _LATER_COLUMNS:
        have = {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


def now() -> str:
    """The time stamp written with every change: local time with its offset, to the second."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


class Database:
    """The SQLite file at `path`, created with its tables on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.executescript(SCHEMA)
            _add_missing_columns(db)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection of its own for one call; rows read by column name."""
        db = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            yield db
        finally:
            db.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A connection in one `BEGIN IMMEDIATE` transaction: committed, or rolled back on error."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
