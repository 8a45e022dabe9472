"""Concurrent writers against a real server with two worker processes."""

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx2
import pytest

from tests.support.databases import LiveDatabase
from tests.support.server import ServerProcess, covering

pytestmark = pytest.mark.slow


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls on threads released together; their results, in order."""
    results: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # a transport error is a result too
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def clients(server: ServerProcess, clean_database: LiveDatabase) -> Any:
    headers = server.headers()
    made = [httpx2.Client(base_url=server.url, timeout=30, headers=headers) for _ in range(64)]
    yield made
    for client in made:
        client.close()


def test_two_patches_of_different_fields_both_stick(clients: list[httpx2.Client]) -> None:
    first, second = clients[0], clients[1]
    for round_ in range(15):
        task = first.post("/tasks", json={"title": f"race {round_}"}).json()
        path = f"/tasks/{task['id']}"
        a, b = at_once(
            partial(first.patch, path, json={"status": "done"}),
            partial(second.patch, path, json={"priority": "high", "description": "b"}),
        )
        assert (a.status_code, b.status_code) == (200, 200), (a.text, b.text)
        final = first.get(path, headers=covering(a, b)).json()
        assert (final["status"], final["priority"], final["description"]) == ("done", "high", "b")
        assert final["version"] == 3  # created at 1, +1 for each change


def test_with_if_match_the_loser_gets_412_and_changes_nothing(clients: list[httpx2.Client]) -> None:
    first, second = clients[0], clients[1]
    for round_ in range(15):
        task = first.post("/tasks", json={"title": f"guarded {round_}"}).json()
        path = f"/tasks/{task['id']}"
        a, b = at_once(
            partial(first.patch, path, json={"status": "done"}, headers={"If-Match": '"1"'}),
            partial(second.patch, path, json={"priority": "high"}, headers={"If-Match": '"1"'}),
        )
        assert sorted((a.status_code, b.status_code)) == [200, 412], (a.text, b.text)
        winner = a if a.status_code == 200 else b
        final = first.get(path, headers=covering(winner)).json()
        assert final == winner.json()
        assert final["version"] == 2
        assert (final["status"] == "done") != (final["priority"] == "high")  # one change, not both


def test_dozens_of_concurrent_writers_never_see_a_server_error(
    clients: list[httpx2.Client], server: ServerProcess, database: LiveDatabase
) -> None:
    """On SQLite: no "database is locked" (busy timeout, BEGIN IMMEDIATE)."""
    shared = clients[0].post("/tasks", json={"title": "shared"}).json()

    def writer(n: int) -> list[httpx2.Response]:
        client = clients[n]
        answers = [
            client.post("/tasks", json={"title": f"writer {n} task {k}"}) for k in range(5)
        ]  # fmt: skip
        answers.append(client.post("/tasks/bulk", json=[{"title": f"writer {n} bulk {k}"} for k in range(20)]))
        answers.append(client.patch(f"/tasks/{shared['id']}", json={"description": f"writer {n}"}))
        return answers

    results = at_once(*(partial(writer, n) for n in range(48)))
    assert all(isinstance(r, list) for r in results), [r for r in results if not isinstance(r, list)][:3]
    answers = [answer for answers in results for answer in answers]
    assert sorted({answer.status_code for answer in answers}) == [200, 201]
    assert database.count("tasks") == 1 + 48 * 25
    assert clients[0].get(f"/tasks/{shared['id']}", headers=covering(*answers)).json()["version"] == 1 + 48
    assert "database is locked" not in server.log_text()
