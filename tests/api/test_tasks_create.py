from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient

from domain.tasks.service import TaskService
from tests.api.conftest import build_container
from tests.api.helpers import TASK_FIELDS, assert_problem, error_locations
from tests.factories.tasks import TaskPayloadFactory
from tests.support.databases import LiveDatabase


def test_create_answers_201_with_the_task_location_and_etag(client: TestClient) -> None:
    payload = TaskPayloadFactory.build(status="in_progress", priority="high")
    response = client.post("/tasks", json=payload)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    task = response.json()
    assert set(task) == TASK_FIELDS
    assert response.headers["location"] == f"/tasks/{task['id']}"
    assert response.headers["etag"] == '"1"'
    assert {k: task[k] for k in payload} == payload
    assert task["version"] == 1
    assert task["created_at"] == task["updated_at"]
    created = datetime.fromisoformat(task["created_at"])
    assert created.utcoffset() == timedelta(0)
    assert task["created_at"].endswith(("Z", "+00:00"))
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60
    assert client.get(response.headers["location"]).json() == task


def test_defaults_and_absent_optional_fields(client: TestClient) -> None:
    task = client.post("/tasks", json={"title": "Bare"}).json()
    assert (task["description"], task["status"], task["priority"]) == (None, "todo", "medium")


def test_title_is_trimmed_of_unicode_whitespace_and_description_kept_verbatim(client: TestClient) -> None:
    task = client.post("/tasks", json={"title": "\u3000\t Trim me \x1c\n", "description": "  as is \n"}).json()
    assert task["title"] == "Trim me"
    assert task["description"] == "  as is \n"


def test_lengths_count_code_points_after_trimming(client: TestClient) -> None:
    assert client.post("/tasks", json={"title": "é" * 200}).status_code == 201
    assert client.post("/tasks", json={"title": "  " + "x" * 200 + "  "}).status_code == 201
    assert client.post("/tasks", json={"title": "y", "description": "ü" * 10_000}).status_code == 201
    assert error_locations(client.post("/tasks", json={"title": "z" * 201})) == [["body", "title"]]
    assert error_locations(client.post("/tasks", json={"title": "w", "description": "d" * 10_001})) == [
        ["body", "description"]
    ]


def test_a_duplicate_title_is_409_and_stores_nothing(client: TestClient) -> None:
    client.post("/tasks", json={"title": "Once"})
    body = assert_problem(client.post("/tasks", json={"title": "  Once "}), 409)
    assert "'Once' already exists" in body["detail"]
    assert client.get("/tasks").headers["x-total-count"] == "1"


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({}, ["body", "title"]),
        ({"title": ""}, ["body", "title"]),
        ({"title": " \t "}, ["body", "title"]),
        ({"title": None}, ["body", "title"]),
        ({"title": 5}, ["body", "title"]),
        ({"title": "ok", "status": "later"}, ["body", "status"]),
        ({"title": "ok", "priority": "urgent"}, ["body", "priority"]),
        ({"title": "ok", "status": None}, ["body", "status"]),
        ({"title": "ok", "description": 3}, ["body", "description"]),
        ({"title": "ok", "colour": "red"}, ["body", "colour"]),
        ({"title": "ok", "id": 7}, ["body", "id"]),
        ({"title": "ok", "version": 3}, ["body", "version"]),
        ({"title": "ok", "created_at": "2026-01-01T00:00:00Z"}, ["body", "created_at"]),
        ({"title": "ok", "updated_at": "2026-01-01T00:00:00Z"}, ["body", "updated_at"]),
        ({"title": "nul\x00byte"}, ["body", "title"]),
        ({"title": "ok", "description": "nul\x00byte"}, ["body", "description"]),
    ],
)
def test_invalid_bodies_are_422_naming_the_field_and_store_nothing(
    client: TestClient, payload: dict[str, object], where: list[object]
) -> None:
    assert where in error_locations(client.post("/tasks", json=payload))
    assert client.get("/tasks").headers["x-total-count"] == "0"


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[]", b'"title"', b'{"title": "lone \\ud800 surrogate"}', b"null"],
    ids=["malformed", "empty", "array", "string", "lone-surrogate", "null"],
)
def test_bodies_that_are_not_a_task_object_are_422(client: TestClient, raw: bytes) -> None:
    response = client.post("/tasks", content=raw, headers={"content-type": "application/json"})
    assert_problem(response, 422)
    assert client.get("/tasks").headers["x-total-count"] == "0"


def test_a_body_without_content_type_is_read_as_json_but_another_type_is_422(client: TestClient) -> None:
    assert client.post("/tasks", content=b'{"title": "no type"}').status_code == 201
    response = client.post("/tasks", content=b'{"title": "text"}', headers={"content-type": "text/plain"})
    assert_problem(response, 422)


@pytest.mark.parametrize(
    ("at", "written"),
    [
        (datetime(2026, 1, 1, 10, 0, 0, 123456, tzinfo=UTC), "2026-01-01T10:00:00.123456Z"),
        (datetime(2026, 1, 1, 10, 0, 0, 50, tzinfo=UTC), "2026-01-01T10:00:00.000050Z"),
        # Stored in UTC, whatever the offset of the clock that stamped it.
        (datetime(2026, 1, 1, 12, 0, 0, 7, tzinfo=timezone(timedelta(hours=2))), "2026-01-01T10:00:00.000007Z"),
        # orjson writes no fraction for a whole second.
        (datetime(2026, 1, 1, 10, 0, 0, tzinfo=UTC), "2026-01-01T10:00:00Z"),
    ],
)
def test_timestamps_are_utc_with_microseconds_and_a_z(
    clean_database: LiveDatabase, client_for: Any, at: datetime, written: str
) -> None:
    container = build_container(clean_database)
    container.task_service.override(providers.Factory(TaskService, uow=container.unit_of_work, clock=lambda: at))
    client = client_for(container)
    task = client.post("/tasks", json={"title": "stamped"}).json()
    assert (task["created_at"], task["updated_at"]) == (written, written)
    assert client.get(f"/tasks/{task['id']}").json()["created_at"] == written
