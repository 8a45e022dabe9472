"""A fresh server started while another program holds SQLite's write lock: it
serves reads at once, and its writers wait for the lock, then succeed."""

import sqlite3
import threading
from pathlib import Path

import httpx2
import pytest

from infrastructure.tokens import Tokens
from tests.api.helpers import bearer
from tests.support.auth import TEST_SECRET
from tests.support.databases import migrate
from tests.support.server import running_server

pytestmark = pytest.mark.slow


def test_a_fresh_server_under_a_held_write_lock_serves_reads(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    migrate(f"sqlite:///{path}")
    other = sqlite3.connect(str(path), isolation_level=None)
    other.execute("INSERT INTO authors (name, created_at) VALUES ('Ada', '2026-01-01 00:00:00.000000')")
    # A user, and a token for them signed with the server's secret: signing up
    # would need the write lock held below.
    other.execute("INSERT INTO users (email, password_hash, created_at) VALUES ('me@example.com', 'x', '2026-01-01')")
    token = Tokens(TEST_SECRET.encode()).issue(1)
    other.execute("BEGIN IMMEDIATE")  # held from before the server starts
    try:
        with (
            running_server(
                tmp_path, f"sqlite:///{path}", sqlite_busy_timeout_ms="20000", auth_secret=TEST_SECRET
            ) as server,
            httpx2.Client(base_url=server.url, timeout=30, headers=bearer(token)) as client,
        ):
            write: list[int] = []
            writer = threading.Thread(
                target=lambda: write.append(client.post("/tasks", json={"title": "after the lock"}).status_code)
            )
            writer.start()
            # The server's very first database calls meet the lock: reads answer.
            assert client.get("/tasks").status_code == 200
            assert client.get("/authors/1").json()["name"] == "Ada"
            assert client.get("/ready").status_code == 200
            assert client.get("/health").status_code == 200
            assert writer.is_alive()
            other.rollback()
            writer.join(timeout=30)
            assert write == [201]
    finally:
        if other.in_transaction:
            other.rollback()
        other.close()
