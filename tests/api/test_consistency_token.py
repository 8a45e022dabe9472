"""Reading your own writes (API.md 2.0), as a client sees it on one database:
every 2xx write answers X-Consistency-Token, a read takes any token back, and a
token the server cannot parse is ignored, never an error. (Replicas, where the
token decides who serves: tests/system/test_scaling_out.py.)"""

import sqlite3
from typing import Any

import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from api.app import create_app
from infrastructure.consistency import parse_token
from infrastructure.database import build_engine
from infrastructure.replicas import ReadRouting, Replica
from tests.api.conftest import build_container
from tests.api.helpers import bearer, sign_up
from tests.support.databases import LiveDatabase

TOKEN = "X-Consistency-Token"


def test_every_successful_write_answers_a_token_and_reads_do_not(client: TestClient) -> None:
    created = client.post("/tasks", json={"title": "tokened"})
    url = created.headers["Location"]
    author = client.post("/authors", json={"name": "Ada"})
    answers = [
        created,
        client.patch(url, json={"status": "done"}),
        client.put(url, json={"title": "tokened", "status": "todo", "priority": "low"}),
        client.post("/tasks/bulk", json=[{"title": "bulk one"}]),
        author,
        client.delete(url),
        client.delete(author.headers["Location"]),
    ]
    assert [answer.status_code for answer in answers] == [201, 200, 200, 201, 201, 204, 204]
    for answer in answers:
        assert parse_token(answer.headers[TOKEN]) is not None, answer.request.method
    assert TOKEN not in client.get("/tasks").headers
    assert TOKEN not in client.get("/authors").headers


def test_a_failed_write_answers_no_token(client: TestClient) -> None:
    client.post("/tasks", json={"title": "once"})
    refused = client.post("/tasks", json={"title": "once"})
    assert refused.status_code == 409
    assert TOKEN not in refused.headers


def test_signing_up_is_a_write_with_a_token(client: TestClient) -> None:
    answer = client.post("/users", json={"email": "new@example.com", "password": "a long enough password"})
    assert answer.status_code == 201
    assert parse_token(answer.headers[TOKEN]) is not None


@pytest.mark.parametrize(
    "token", ["", "garbage", "v1-", "v1-zz", "v9-10", "v1-" + "f" * 200, "v1-10; DROP TABLE tasks", "\u00e9t\u00e9"]
)
def test_a_token_the_server_cannot_parse_is_ignored(client: TestClient, token: str) -> None:
    created = client.post("/tasks", json={"title": "read back"})
    read = client.get(created.headers["Location"], headers={TOKEN.encode(): token.encode()})
    assert read.status_code == 200
    assert read.json()["title"] == "read back"


def test_a_token_from_the_future_reads_as_any_other(client: TestClient) -> None:
    created = client.post("/tasks", json={"title": "from the future"})
    read = client.get(created.headers["Location"], headers={TOKEN: "v1-fffffffffffffffe"})
    assert read.status_code == 200


class CaughtUpReplica(ReadRouting):
    """Routing over one "replica" that is the primary's own database under a
    second engine: always caught up, so reads that send a token go to it."""

    def __init__(self, primary: Engine, replica: Engine) -> None:
        super().__init__(primary, [replica], max_lag=1.0, poll_seconds=1.0)

    def _has_replayed(self, replica: Replica, position: int) -> bool:
        return True

    def primary_position(self) -> int | None:
        return 1


@pytest.mark.parametrize(
    "breaks",
    [
        pytest.param("BEGIN", id="as the unit of work begins: it moves to the primary"),
        pytest.param("SELECT", id="in the middle of the read: the request is answered again"),
    ],
)
def test_a_read_whose_replica_goes_away_under_it_is_answered_from_the_primary(
    sqlite_db: LiveDatabase, breaks: str
) -> None:
    """The replica's connection breaks after routing chose it: as the unit of
    work begins, or in the middle of its read. The client gets its 200 from the
    primary, never the 503, and the replica is skipped from then on."""
    replica = build_engine(sqlite_db.settings())
    broken = 0

    def break_the_task_read(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        nonlocal broken
        if statement.startswith(breaks) and (breaks == "BEGIN" or "FROM tasks" in statement):
            broken += 1
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")  # what SQLite says of a lost one

    event.listen(replica, "before_cursor_execute", break_the_task_read)
    routing = CaughtUpReplica(sqlite_db.engine, replica)
    container = build_container(sqlite_db)
    container.routing.override(providers.Object(routing))
    try:
        with TestClient(create_app(container)) as client:
            client.headers.update(bearer(sign_up(client)))
            created = client.post("/tasks", json={"title": "read past a broken replica"})
            assert created.headers[TOKEN] == "v1-1"
            read = client.get(created.headers["Location"], headers={TOKEN: created.headers[TOKEN]})
            assert read.status_code == 200, read.text
            assert read.json()["title"] == "read past a broken replica"
            assert broken == 1
            assert not routing.states()[1].reachable
            assert client.get(created.headers["Location"], headers={TOKEN: "v1-1"}).status_code == 200
            assert broken == 1  # skipped: not asked again until the monitor reaches it
    finally:
        sqlite_db.clean()
        replica.dispose()
