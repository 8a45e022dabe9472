from typing import Any

from httpx2 import Response
from pydantic import TypeAdapter

from domain.tasks.model import Task

# The fields the OpenAPI document gives a task: every answer must carry exactly these.
TASK_FIELDS = set(TypeAdapter(Task).json_schema()["properties"])
PROBLEM_FIELDS = {"type", "title", "status", "detail", "request_id"}


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
