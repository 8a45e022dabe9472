"""The traps this design exists to avoid, each pinned by a test that fails when
the trap is sprung: late commits, failed commits that still answer 201, writes
that survive an exception, leaked sessions, per-request statement counts, and a
pool smaller than the work that holds connections."""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

import anyio.to_thread
import psycopg
import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from starlette.types import Message, Receive, Scope, Send

from api.app import create_app
from api.container import Container
from infrastructure.repositories.tasks import SqlTaskRepository
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from tests.api.conftest import CONNECTIONS, build_container, signed_up
from tests.api.helpers import assert_problem, bearer
from tests.factories.tasks import task_payloads
from tests.support.auth import TEST_SECRET
from tests.support.databases import LiveDatabase, acting_statements, counting_statements
from tests.support.sessions import failing_commit
from tests.support.units import use_tasks

MakeClient = Callable[..., TestClient]


class TestCommits:
    def test_the_commit_is_done_and_visible_before_the_response_starts(self, clean_database: LiveDatabase) -> None:
        """A commit in a yield dependency's teardown would run after this point."""
        app = create_app(build_container(clean_database))
        events: list[tuple[str, int]] = []

        async def recording(scope: Scope, receive: Receive, send: Send) -> None:
            async def record_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # What another connection sees at the moment the client is answered.
                    events.append(("response", clean_database.count("tasks")))
                await send(message)

            await app(scope, receive, record_send)

        def on_commit(_: Any) -> None:
            events.append(("commit", -1))

        token = signed_up(clean_database)
        with TestClient(recording, headers=bearer(token)) as client:
            # The token's user is checked once per worker and trusted for a
            # while (api/security.py): checked here, so that the one commit
            # recorded below is the write's (a reading unit ends with COMMIT too).
            assert client.get("/tasks/1").status_code == 404
            events.clear()
            event.listen(clean_database.engine, "commit", on_commit)
            try:
                assert client.post("/tasks", json={"title": "committed"}).status_code == 201
            finally:
                event.remove(clean_database.engine, "commit", on_commit)
        assert events == [("commit", -1), ("response", 1)]

    def test_a_commit_that_fails_is_a_bare_500_and_stores_nothing(
        self, clean_database: LiveDatabase, client_for: MakeClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        on_fire = failing_commit(RuntimeError("disk on fire at /var/lib/secret/path"))
        client = client_for(build_container(clean_database, before_commit=on_fire), raise_server_exceptions=False)
        with caplog.at_level(logging.ERROR):
            response = client.post("/tasks", json={"title": "never stored"}, headers={"X-Request-ID": "req-500"})
        assert response.status_code == 500
        assert response.headers["x-request-id"] == "req-500"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json() == {
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": 500,
            "detail": "Internal server error",
            "request_id": "req-500",
        }
        assert clean_database.count("tasks") == 0
        logged = [r for r in caplog.records if getattr(r, "request_id", None) == "req-500"]
        assert logged
        assert logged[0].exc_info is not None
        assert "disk on fire" in str(logged[0].exc_info[1])

    def test_a_commit_that_loses_the_database_is_503_and_stores_nothing(
        self, clean_database: LiveDatabase, client_for: MakeClient
    ) -> None:
        lost_at_commit = failing_commit(
            sa_exc.OperationalError("COMMIT", {}, psycopg.OperationalError("server closed the connection"))
        )
        client = client_for(
            build_container(clean_database, before_commit=lost_at_commit), raise_server_exceptions=False
        )
        response = client.post("/tasks", json={"title": "never stored"})
        assert_problem(response, 503)
        assert response.headers["retry-after"] == "2"
        assert "server closed" not in response.text
        assert clean_database.count("tasks") == 0

    def test_an_exception_after_writes_rolls_them_back(
        self, clean_database: LiveDatabase, client_for: MakeClient
    ) -> None:
        class ExplodesAfterInsert(SqlTaskRepository):
            def add_many(self, *args: Any, **kwargs: Any) -> Any:
                super().add_many(*args, **kwargs)
                raise KeyError("a bug after the INSERT")

        container = use_tasks(build_container(clean_database), ExplodesAfterInsert)
        client = client_for(container, raise_server_exceptions=False)
        response = client.post("/tasks/bulk", json=task_payloads(3))
        assert response.status_code == 500
        assert "bug" not in response.text
        assert clean_database.count("tasks") == 0


class TestStatementsPerRequest:
    def test_get_one_task_is_one_statement(self, client: TestClient, clean_database: LiveDatabase) -> None:
        task = client.post("/tasks", json={"title": "one"}).json()
        with counting_statements(clean_database.engine) as statements:
            assert client.get(f"/tasks/{task['id']}").status_code == 200
            assert client.get("/tasks/99999").status_code == 404
        assert len(acting_statements(clean_database, statements, units=2)) == 2

    def test_create_is_one_statement_with_no_reselect(self, client: TestClient, clean_database: LiveDatabase) -> None:
        with counting_statements(clean_database.engine) as statements:
            assert client.post("/tasks", json={"title": "one"}).status_code == 201
        statements = acting_statements(clean_database, statements, units=1)
        assert len(statements) == 1
        assert statements[0].lstrip().upper().startswith("INSERT")

    def test_a_full_list_page_is_two_statements_and_a_short_one_is_one(
        self, client: TestClient, clean_database: LiveDatabase
    ) -> None:
        client.post("/tasks/bulk", json=task_payloads(60))
        with counting_statements(clean_database.engine) as statements:
            response = client.get("/tasks?limit=50")
        statements = acting_statements(clean_database, statements, units=1)
        assert (len(response.json()), response.headers["x-total-count"]) == (50, "60")
        assert len(statements) == 2  # the page, then COUNT for X-Total-Count (one snapshot)
        assert "count(*)" in statements[1]
        with counting_statements(clean_database.engine) as statements:
            response = client.get("/tasks?limit=100")
        statements = acting_statements(clean_database, statements, units=1)
        assert (len(response.json()), response.headers["x-total-count"]) == (60, "60")
        assert len(statements) == 1  # a short page is its own total

    @pytest.mark.parametrize("method", ["PATCH", "PUT"])
    def test_an_update_is_two_statements(self, client: TestClient, clean_database: LiveDatabase, method: str) -> None:
        task = client.post("/tasks", json={"title": "before"}).json()
        with counting_statements(clean_database.engine) as statements:
            response = client.request(method, f"/tasks/{task['id']}", json={"title": "after"})
        statements = acting_statements(clean_database, statements, units=1)
        assert response.json()["version"] == 2
        assert len(statements) == 2  # the locked read, the UPDATE (no re-read)
        assert statements[0].lstrip().upper().startswith("SELECT")
        assert statements[1].lstrip().upper().startswith("UPDATE")

    def test_a_bulk_of_a_thousand_is_one_insert(self, client: TestClient, clean_database: LiveDatabase) -> None:
        with counting_statements(clean_database.engine) as statements:
            assert client.post("/tasks/bulk", json=task_payloads(1000)).status_code == 201
        statements = acting_statements(clean_database, statements, units=1)
        assert len(statements) == 1
        assert statements[0].lstrip().upper().startswith("INSERT")


class SlowFind(SqlTaskRepository):
    """Holds its connection for a while, as a slow list query would."""

    def find(self, query: Any) -> Any:
        page = super().find(query)  # the connection is checked out from here on
        time.sleep(0.2)
        return page


def burst(client: TestClient, paths: list[str]) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()

    def fetch(path: str) -> None:
        status = client.get(path).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=fetch, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


class TestPoolAndThreads:
    SMALL_POOL: ClassVar[dict[str, Any]] = {"db_pool_size": 3, "db_max_overflow": 0, "db_pool_timeout": 0.1}

    def test_a_burst_of_four_times_the_pool_all_succeeds(
        self, clean_database: LiveDatabase, client_for: MakeClient
    ) -> None:
        container = use_tasks(build_container(clean_database, own_engine=True, **self.SMALL_POOL), SlowFind)
        client = client_for(container)
        statuses = burst(client, ["/tasks"] * 12)
        assert statuses == [200] * 12
        assert container.engine().pool.checkedout() == 0  # type: ignore[attr-defined]

    def test_without_the_thread_cap_the_same_burst_times_out_in_the_pool(
        self, clean_database: LiveDatabase, client_for: MakeClient
    ) -> None:
        """The control for the test above: it is the cap that makes it pass."""
        container = use_tasks(build_container(clean_database, own_engine=True, **self.SMALL_POOL), SlowFind)
        client = client_for(container, raise_server_exceptions=False)

        def uncap() -> None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = 40

        assert client.portal is not None
        client.portal.call(uncap)  # 40 threads, AnyIO's default: the pool of 3 is now the limit
        statuses = burst(client, ["/tasks"] * 12)
        assert 503 in statuses
        assert container.engine().pool.checkedout() == 0  # type: ignore[attr-defined]

    def test_the_thread_cap_leaves_every_thread_a_pooled_connection(
        self, clean_database: LiveDatabase, client_for: MakeClient
    ) -> None:
        client = client_for(db_pool_size=5, db_max_overflow=4)

        def tokens() -> float:
            return anyio.to_thread.current_default_thread_limiter().total_tokens

        assert client.portal is not None
        assert client.portal.call(tokens) == 5

    def test_concurrent_requests_each_get_their_own_connection_closed_after(self, client: TestClient) -> None:
        # The worker knows the token's user already (its one check of that is
        # the next test's): what is counted is the burst's own units of work.
        assert client.get("/tasks").status_code == 200
        CONNECTIONS.opened = []
        payloads = task_payloads(20)
        statuses: list[int] = []

        def create(payload: dict[str, Any]) -> None:
            statuses.append(client.post("/tasks", json=payload).status_code)

        threads = [threading.Thread(target=create, args=(payload,)) for payload in payloads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [201] * 20
        assert len(CONNECTIONS.opened) == 20
        assert len({id(c) for c in CONNECTIONS.opened}) == 20
        assert CONNECTIONS.left_open() == []
        assert client.get("/tasks").headers["x-total-count"] == "20"


def test_a_burst_on_a_worker_that_does_not_know_the_user_asks_the_database_once(
    client_for: MakeClient,
) -> None:
    """A fresh worker checks that a token's user exists before trusting it: one
    check for a burst of that user's requests, not one per request."""
    client = client_for()
    CONNECTIONS.opened = []
    statuses = burst(client, ["/tasks"] * 12)
    assert statuses == [200] * 12
    assert len(CONNECTIONS.opened) == 12 + 1  # each request's unit of work, and the one check


def test_an_unreachable_database_is_503_and_health_stays_up() -> None:
    container = Container()
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    container.settings.override(
        providers.Object(Settings(database_url=unreachable, db_connect_timeout=1, auth_secret=TEST_SECRET))
    )
    # A well-signed token: whether its user exists is a question for the database, which is down.
    token = Tokens(TEST_SECRET.encode()).issue(1)
    with TestClient(create_app(container), headers=bearer(token)) as client:
        for response in (client.get("/tasks/1"), client.get("/ready"), client.post("/tasks", json={"title": "x"})):
            body = assert_problem(response, 503)
            assert response.headers["retry-after"] == "2"
            assert "127.0.0.1" not in body["detail"]
        assert client.get("/health").status_code == 200
