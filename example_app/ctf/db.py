"""The SQLite database (stdlib ``sqlite3``): one connection per request, created and seeded
on first start."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path
from typing import Any

from flask import current_app, g

from . import seed

SCHEMA = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    bio TEXT NOT NULL DEFAULT ''
);
CREATE TABLE challenges (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    points INTEGER NOT NULL,
    description TEXT NOT NULL,
    flag TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users(id)
);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    challenge_id INTEGER NOT NULL REFERENCES challenges(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    via TEXT NOT NULL DEFAULT 'form',
    created TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE solves (
    user_id INTEGER NOT NULL REFERENCES users(id),
    challenge_id INTEGER NOT NULL REFERENCES challenges(id),
    created TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (user_id, challenge_id)
);
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Calls of the pages' script hook (window.__hook): every one is an XSS that got through.
CREATE TABLE hook_hits (
    id INTEGER PRIMARY KEY,
    page TEXT NOT NULL,
    detail TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now'))
);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def init(path: str | Path) -> bool:
    """Create and seed the database at `path` unless it exists; True if it was created."""
    path = Path(path)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    conn = connect(tmp)
    try:
        conn.executescript(SCHEMA)
        # The session key lives with the data: a new database also logs everybody out.
        conn.execute(
            "INSERT INTO settings (name, value) VALUES ('secret_key', ?)", (secrets.token_hex(32),)
        )
        seed.populate(conn)
        conn.commit()
    finally:
        conn.close()
    tmp.replace(path)  # a half-seeded database is never left behind
    return True


def setting(path: str | Path, name: str) -> str | None:
    conn = connect(path)
    try:
        row = conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
    finally:
        conn.close()
    return None if row is None else str(row["value"])


def get() -> sqlite3.Connection:
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    conn: sqlite3.Connection = g.db
    return conn


def close(_exc: BaseException | None = None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def one(sql: str, *args: Any) -> sqlite3.Row | None:
    row: sqlite3.Row | None = get().execute(sql, args).fetchone()
    return row


def all_(sql: str, *args: Any) -> list[sqlite3.Row]:
    return get().execute(sql, args).fetchall()


def write(sql: str, *args: Any) -> int:
    """Run one statement, commit, and return the new row's id."""
    conn = get()
    cur = conn.execute(sql, args)
    conn.commit()
    return int(cur.lastrowid or 0)
