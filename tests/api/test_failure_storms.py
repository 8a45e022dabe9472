"""Storms of failing requests, all at once, leak nothing: afterwards the pool
has no connection out, every connection is closed, and the next requests work.

Each failure happens while the request holds a connection, which is where a
leak would come from: a 404 after its SELECT, a 409 from the unique index, a
412 after the locked read, a 503 and a bug raised after a query.
"""

import threading
from collections import Counter
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import exc as sa_exc

from infrastructure.repositories.tasks import SqlTaskRepository
from tests.api.conftest import CONNECTIONS, build_container
from tests.support.databases import LiveDatabase
from tests.support.units import use_tasks

UNAVAILABLE_ID = 503_503
BUGGY_ID = 500_500


class Stormy(SqlTaskRepository):
    """Two ids that fail after their query ran: one as a lost database, one as a bug."""

    def get(self, task_id: int) -> Any:
        task = super().get(task_id)
        if task_id == UNAVAILABLE_ID:
            raise sa_exc.OperationalError("SELECT", {}, psycopg.OperationalError("server closed the connection"))
        if task_id == BUGGY_ID:
            raise ZeroDivisionError("a bug after a query")
        return task


def test_storms_of_every_failure_leak_nothing(clean_database: LiveDatabase, client_for: Any) -> None:
    container = build_container(clean_database, db_pool_size=4)
    use_tasks(container, Stormy)
    client: TestClient = client_for(container, raise_server_exceptions=False)
    taken = client.post("/tasks", json={"title": "taken"}).json()
    CONNECTIONS.opened = []

    requests: list[tuple[str, str, dict[str, Any]]] = []
    for n in range(15):
        requests += [
            ("GET", "/tasks/987654", {}),  # 404
            ("POST", "/tasks", {"json": {"title": "taken"}}),  # 409
            ("PATCH", f"/tasks/{taken['id']}", {"json": {"title": f"t{n}"}, "headers": {"If-Match": '"99"'}}),  # 412
            ("POST", "/tasks", {"json": {"title": ""}}),  # 422
            ("POST", "/posts", {"json": {"title": "p", "author_id": 424242}}),  # 422 from the foreign key
            ("GET", f"/tasks/{UNAVAILABLE_ID}", {}),  # 503
            ("GET", f"/tasks/{BUGGY_ID}", {}),  # 500
        ]
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def send(method: str, path: str, kwargs: dict[str, Any]) -> None:
        status = client.request(method, path, **kwargs).status_code
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == Counter({404: 15, 409: 15, 412: 15, 422: 30, 503: 15, 500: 15})
    assert clean_database.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert CONNECTIONS.opened
    assert CONNECTIONS.left_open() == []
    for n in range(10):
        assert client.post("/tasks", json={"title": f"after the storm {n}"}).status_code == 201
    assert client.get("/tasks").headers["x-total-count"] == "11"
