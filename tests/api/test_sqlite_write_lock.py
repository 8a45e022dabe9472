"""SQLite while another connection holds the write lock (a backup, the sqlite3
shell, another worker): only the writers wait, on the busy timeout, and then
succeed; /health and reads answer meanwhile. Every route that reaches the
database runs on a worker thread, so a waiting writer holds up nobody else,
as long as fewer writers wait than the worker has threads (DB_POOL_SIZE,
by default the CPUs): as many as that hold the reads until the lock frees,
while /health, on the event loop, still answers (the trade-off the README's
Speed section measures)."""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, make_url

from api.app import create_app
from tests.api.conftest import build_container, signed_up
from tests.api.helpers import bearer
from tests.support.databases import LiveDatabase

MakeClient = Callable[..., TestClient]


@pytest.fixture
def sqlite_client(sqlite_db: LiveDatabase) -> Iterator[MakeClient]:
    """Clients on apps of their own on the SQLite test database (emptied after)."""
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        token = signed_up(sqlite_db)
        container = build_container(sqlite_db, own_engine=True, **settings)
        client = TestClient(create_app(container), raise_server_exceptions=False, headers=bearer(token))
        clients.append(client.__enter__())
        return client

    try:
        yield make
    finally:
        for client in clients:
            client.__exit__(None, None, None)
        sqlite_db.clean()


@pytest.fixture
def locked_by_another(sqlite_db: LiveDatabase) -> Iterator[sqlite3.Connection]:
    """A connection of another program, which takes the write lock when the test
    calls BEGIN IMMEDIATE on it, and always lets go."""
    other = sqlite3.connect(str(make_url(sqlite_db.url).database), isolation_level=None)
    try:
        yield other
    finally:
        if other.in_transaction:
            other.rollback()
        other.close()


def two_writers_waiting(
    client: TestClient, locked_by_another: sqlite3.Connection
) -> tuple[dict[str, Any], list[int], list[threading.Thread]]:
    """A task stored first; then another program takes SQLite's write lock and
    two POSTs reach the database, where they wait for it. The task, the list
    each request's status goes to when it is answered, the writers' threads."""
    task = client.post("/tasks", json={"title": "before the lock"}).json()
    engine = client.app.state.container.engine()  # type: ignore[attr-defined]
    waiting = threading.Semaphore(0)

    def checked_out(*_: Any) -> None:
        waiting.release()  # a writer has its connection: next, it waits on BEGIN IMMEDIATE

    locked_by_another.execute("BEGIN IMMEDIATE")
    statuses: list[int] = []

    def write(title: str) -> None:
        statuses.append(client.post("/tasks", json={"title": title}).status_code)

    event.listen(engine, "checkout", checked_out)
    writers = [threading.Thread(target=write, args=(f"while locked {n}",)) for n in range(2)]
    for writer in writers:
        writer.start()
    for _ in writers:
        assert waiting.acquire(timeout=10), "a writer never reached the database"
    event.remove(engine, "checkout", checked_out)
    return task, statuses, writers


def test_writers_wait_for_the_lock_while_health_and_reads_answer(
    sqlite_client: MakeClient, locked_by_another: sqlite3.Connection
) -> None:
    # Three threads: the two writers that wait leave one for everything else.
    client = sqlite_client(sqlite_busy_timeout_ms=20_000, db_pool_size=3)
    task, statuses, writers = two_writers_waiting(client, locked_by_another)

    # The writers are waiting for the lock; everything else is answered now.
    assert client.get("/health").status_code == 200
    assert client.get(f"/tasks/{task['id']}").json() == task
    assert client.get("/tasks").headers["x-total-count"] == "1"
    assert client.get("/ready").status_code == 200
    assert all(writer.is_alive() for writer in writers), "the writers did not wait for the lock"
    assert statuses == []

    locked_by_another.rollback()  # the other program lets go
    for writer in writers:
        writer.join(timeout=20)
    assert statuses == [201, 201]
    assert client.get("/tasks").headers["x-total-count"] == "3"


def test_as_many_waiting_writers_as_threads_hold_the_reads_until_the_lock_frees(
    sqlite_client: MakeClient, locked_by_another: sqlite3.Connection
) -> None:
    client = sqlite_client(sqlite_busy_timeout_ms=20_000, db_pool_size=2)
    task, statuses, writers = two_writers_waiting(client, locked_by_another)
    reader = threading.Thread(target=lambda: statuses.append(client.get(f"/tasks/{task['id']}").status_code))
    reader.start()

    assert client.get("/health").status_code == 200  # the event loop is free
    reader.join(timeout=1.0)
    assert reader.is_alive(), "the read found a free thread: both should be held by the writers"
    assert statuses == []

    locked_by_another.rollback()
    for thread in [*writers, reader]:
        thread.join(timeout=20)
    assert sorted(statuses) == [200, 201, 201]


def test_a_writer_that_waits_longer_than_the_busy_timeout_is_503_and_stores_nothing(
    sqlite_client: MakeClient, sqlite_db: LiveDatabase, locked_by_another: sqlite3.Connection
) -> None:
    client = sqlite_client(sqlite_busy_timeout_ms=200)
    locked_by_another.execute("BEGIN IMMEDIATE")
    response = client.post("/tasks", json={"title": "never stored"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    locked_by_another.rollback()
    assert sqlite_db.count("tasks") == 0
