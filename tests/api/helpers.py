from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from pydantic import TypeAdapter

from domain.tasks.model import Task

# The fields the OpenAPI document gives a task: every answer must carry exactly these.
TASK_FIELDS = set(TypeAdapter(Task).json_schema()["properties"])
PROBLEM_FIELDS = {"type", "title", "status", "detail", "request_id"}

PASSWORD = "correct horse battery staple"
ME = "me@example.com"


def sign_up(client: TestClient, email: str = ME, password: str = PASSWORD) -> str:
    """Register `email` and sign in: the bearer token."""
    registered = client.post("/users", json={"email": email, "password": password})
    assert registered.status_code == 201, registered.text
    return sign_in(client, email, password)


def sign_in(client: TestClient, email: str = ME, password: str = PASSWORD) -> str:
    answer = client.post("/auth/token", data={"username": email, "password": password})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def anonymous(client: TestClient) -> Iterator[TestClient]:
    """`client` without its token for the block."""
    token = client.headers.pop("Authorization", None)
    try:
        yield client
    finally:
        if token is not None:
            client.headers["Authorization"] = token


def assert_problem(response: Response, status: int, detail: str | None = None) -> dict[str, Any]:
    """The response is a problem+json of `status` with the contract's fields."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    expected = PROBLEM_FIELDS | ({"errors"} if status == 422 else set())
    assert set(body) == expected
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if detail is not None:
        assert body["detail"] == detail
    return body


def error_locations(response: Response) -> list[list[Any]]:
    body = assert_problem(response, 422)
    for error in body["errors"]:
        assert set(error) == {"loc", "msg", "type"}
    return [error["loc"] for error in body["errors"]]
