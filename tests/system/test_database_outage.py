"""PostgreSQL goes away under load, for real, and comes back.

The test database stops accepting connections and every backend serving it is
terminated (pg_terminate_backend), while clients keep writing; then it accepts
connections again. What must hold: 503 with Retry-After while it is away (never
500), /ready 503 and /health 200; service again within 10 seconds of its return
with no restart; every write that was answered 201 is stored.
"""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import psycopg
import pytest
from sqlalchemy import make_url

from tests.support.databases import LiveDatabase, postgres_conninfo
from tests.support.server import ServerProcess, running_server

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


class Load:
    """Writers creating tasks until stopped; keeps every answer."""

    def __init__(self, url: str, headers: dict[str, str], writers: int = 4) -> None:
        self.url = url
        self.headers = headers
        self.answers: list[tuple[str, int, float, dict[str, str]]] = []
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._write, args=(n,)) for n in range(writers)]

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _write(self, n: int) -> None:
        with httpx2.Client(base_url=self.url, timeout=30, headers=self.headers) as client:
            k = 0
            while not self._stop.is_set():
                title = f"load {n}-{k}"
                k += 1
                try:
                    response = client.post("/tasks", json={"title": title})
                except httpx2.TransportError as exc:
                    self.errors.append(exc)
                    continue
                with self._lock:
                    self.answers.append((title, response.status_code, time.monotonic(), dict(response.headers)))
                time.sleep(0.01)


@pytest.fixture
def pg_server(postgres_db: LiveDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(
        Path(tmp_path_factory.mktemp("outage")), postgres_db.url, workers=2, db_pool_size="4"
    ) as server:
        yield server
    # The outage terminated the tests' own pooled connections too.
    postgres_db.engine.dispose()
    postgres_db.clean()


def set_reachable(database: LiveDatabase, reachable: bool) -> None:
    name = make_url(database.url).database
    admin = postgres_conninfo(make_url(database.url).set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if reachable else "false"}')
        if not reachable:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )


def test_an_outage_is_503_then_service_resumes_and_no_acknowledged_write_is_lost(
    pg_server: ServerProcess, postgres_db: LiveDatabase
) -> None:
    headers = pg_server.headers()
    probe = httpx2.Client(base_url=pg_server.url, timeout=30, headers=headers)
    try:
        with Load(pg_server.url, headers) as load:
            time.sleep(1.0)
            set_reachable(postgres_db, False)
            try:
                time.sleep(2.0)
                ready = probe.get("/ready")
                assert ready.status_code == 503
                assert ready.headers["retry-after"] == "2"
                assert ready.headers["content-type"] == "application/problem+json"
                assert probe.get("/health").status_code == 200
                during = probe.get("/tasks/1")
                assert during.status_code == 503
            finally:
                set_reachable(postgres_db, True)
            back = time.monotonic()
            while probe.get("/ready").status_code != 200:
                assert time.monotonic() - back < 10, "not ready 10 s after the database came back"
                time.sleep(0.1)
            recovered_after = time.monotonic() - back
            time.sleep(1.0)  # the load runs on against the recovered database
        statuses = {status for _, status, _, _ in load.answers}
        assert statuses <= {201, 503}, f"unexpected statuses {statuses}"
        assert 503 in statuses, "the outage was not seen"
        assert all(h.get("retry-after") == "2" for _, s, _, h in load.answers if s == 503)
        assert load.errors == []
        assert [s for _, s, t, _ in load.answers if t > back + recovered_after + 0.5].count(503) == 0
        acknowledged = [title for title, status, _, _ in load.answers if status == 201]
        stored = {task["title"] for task in _all_tasks(probe)}
        assert set(acknowledged) <= stored, "a write answered 201 is missing"
        print(f"recovered {recovered_after:.2f} s after the database came back; "
              f"{len(acknowledged)} writes acknowledged, {statuses}")  # fmt: skip
    finally:
        probe.close()
    assert "Traceback" not in pg_server.log_text()


def _all_tasks(client: httpx2.Client) -> list[dict[str, str]]:
    tasks: list[dict[str, str]] = []
    while True:
        page = client.get("/tasks", params={"skip": len(tasks), "limit": 100}).json()
        if not page:
            return tasks
        tasks.extend(page)
