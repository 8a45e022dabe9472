"""Reading your own writes (API.md 2.0), as a client sees it on one database:
every 2xx write answers X-Consistency-Token, a read takes any token back, and a
token the server cannot parse is ignored, never an error. (Replicas, where the
token decides who serves: tests/system/test_scaling_out.py.)"""

import pytest
from fastapi.testclient import TestClient

from infrastructure.consistency import parse_token

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
