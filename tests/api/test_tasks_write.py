"""PATCH, PUT and DELETE, with their preconditions."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import assert_problem, error_locations

UPDATE_METHODS = ["PATCH", "PUT"]


@pytest.fixture
def task(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.post(
        "/tasks", json={"title": "Original", "description": "first", "priority": "low"}
    ).json()
    return body


@pytest.mark.parametrize("method", UPDATE_METHODS)
class TestUpdate:
    def test_partial_update_keeps_absent_fields_and_bumps_the_version(
        self, client: TestClient, task: dict[str, Any], method: str
    ) -> None:
        response = client.request(method, f"/tasks/{task['id']}", json={"status": "done"})
        assert response.status_code == 200
        updated = response.json()
        assert response.headers["etag"] == '"2"'
        assert {**task, "status": "done", "version": 2, "updated_at": updated["updated_at"]} == updated
        assert updated["updated_at"] > task["updated_at"]
        assert client.get(f"/tasks/{task['id']}").json() == updated

    def test_null_description_clears_it_and_title_is_trimmed(
        self, client: TestClient, task: dict[str, Any], method: str
    ) -> None:
        updated = client.request(method, f"/tasks/{task['id']}", json={"description": None, "title": " New "}).json()
        assert (updated["description"], updated["title"]) == (None, "New")

    def test_an_update_that_changes_nothing_keeps_the_version(
        self, client: TestClient, task: dict[str, Any], method: str
    ) -> None:
        for body in ({}, {"title": "Original", "priority": "low"}):
            response = client.request(method, f"/tasks/{task['id']}", json=body)
            assert response.json() == task
            assert response.headers["etag"] == '"1"'

    @pytest.mark.parametrize(
        "body",
        [
            {"title": None},
            {"status": None},
            {"priority": None},
            {"title": ""},
            {"status": "finished"},
            {"version": 9},
            {"id": 1},
            {"created_at": "2026-01-01T00:00:00Z"},
            {"extra": True},
        ],
    )
    def test_invalid_changes_are_422_and_change_nothing(
        self, client: TestClient, task: dict[str, Any], method: str, body: dict[str, Any]
    ) -> None:
        assert error_locations(client.request(method, f"/tasks/{task['id']}", json=body)) == [
            ["body", next(iter(body))]
        ]
        assert client.get(f"/tasks/{task['id']}").json() == task

    def test_missing_task_is_404_even_with_if_match(self, client: TestClient, method: str) -> None:
        assert_problem(client.request(method, "/tasks/9999", json={"title": "x"}), 404, "Task not found")
        response = client.request(method, "/tasks/9999", json={"title": "x"}, headers={"If-Match": '"1"'})
        assert_problem(response, 404, "Task not found")

    def test_422_comes_before_404(self, client: TestClient, method: str) -> None:
        assert_problem(client.request(method, "/tasks/9999", json={"title": None}), 422)

    @pytest.mark.parametrize("header", ['"1"', '"5", "1"', "*"])
    def test_a_matching_if_match_lets_it_through(
        self, client: TestClient, task: dict[str, Any], method: str, header: str
    ) -> None:
        response = client.request(
            method, f"/tasks/{task['id']}", json={"title": "Matched"}, headers={"If-Match": header}
        )
        assert response.status_code == 200
        assert response.json()["version"] == 2

    @pytest.mark.parametrize("header", ['"2"', 'W/"1"', "1", '"1', ""])
    def test_a_stale_or_weak_if_match_is_412_and_changes_nothing(
        self, client: TestClient, task: dict[str, Any], method: str, header: str
    ) -> None:
        response = client.request(method, f"/tasks/{task['id']}", json={"title": "Lost"}, headers={"If-Match": header})
        assert_problem(response, 412)
        assert client.get(f"/tasks/{task['id']}").json() == task

    def test_a_taken_title_is_409_naming_it(self, client: TestClient, task: dict[str, Any], method: str) -> None:
        client.post("/tasks", json={"title": "Taken"})
        body = assert_problem(client.request(method, f"/tasks/{task['id']}", json={"title": "Taken"}), 409)
        assert "Taken" in body["detail"]
        assert client.get(f"/tasks/{task['id']}").json() == task

    def test_412_comes_before_409(self, client: TestClient, task: dict[str, Any], method: str) -> None:
        client.post("/tasks", json={"title": "Taken"})
        response = client.request(method, f"/tasks/{task['id']}", json={"title": "Taken"}, headers={"If-Match": '"7"'})
        assert_problem(response, 412)


class TestDelete:
    def test_delete_is_204_then_404(self, client: TestClient, task: dict[str, Any]) -> None:
        response = client.delete(f"/tasks/{task['id']}")
        assert response.status_code == 204
        assert response.content == b""
        assert_problem(client.get(f"/tasks/{task['id']}"), 404, "Task not found")
        assert_problem(client.delete(f"/tasks/{task['id']}"), 404, "Task not found")

    def test_missing_is_404_even_with_if_match(self, client: TestClient) -> None:
        assert_problem(client.delete("/tasks/9999", headers={"If-Match": "*"}), 404, "Task not found")

    def test_a_stale_if_match_is_412_and_keeps_the_task(self, client: TestClient, task: dict[str, Any]) -> None:
        client.patch(f"/tasks/{task['id']}", json={"title": "v2"})
        assert_problem(client.delete(f"/tasks/{task['id']}", headers={"If-Match": '"1"'}), 412)
        assert client.get(f"/tasks/{task['id']}").status_code == 200

    @pytest.mark.parametrize("header", ['"1"', "*"])
    def test_a_matching_if_match_deletes(self, client: TestClient, task: dict[str, Any], header: str) -> None:
        assert client.delete(f"/tasks/{task['id']}", headers={"If-Match": header}).status_code == 204
        assert client.get(f"/tasks/{task['id']}").status_code == 404

    def test_bad_ids(self, client: TestClient) -> None:
        assert error_locations(client.delete("/tasks/x")) == [["path", "task_id"]]
        assert_problem(client.delete(f"/tasks/{2**70}"), 404, "Task not found")
