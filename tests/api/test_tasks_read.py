import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import TASK_FIELDS, assert_problem, error_locations


@pytest.fixture
def task(client: TestClient) -> dict[str, object]:
    body: dict[str, object] = client.post("/tasks", json={"title": "Read me"}).json()
    return body


def test_get_returns_the_task_with_its_etag(client: TestClient, task: dict[str, object]) -> None:
    response = client.get(f"/tasks/{task['id']}")
    assert response.status_code == 200
    assert response.json() == task
    assert set(response.json()) == TASK_FIELDS
    assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("task_id", ["999999", "0", "-1", str(2**63), str(2**64), "9" * 5000])
def test_ids_that_name_no_task_are_404(client: TestClient, task_id: str) -> None:
    assert_problem(client.get(f"/tasks/{task_id}"), 404, "Task not found")


@pytest.mark.parametrize("task_id", ["abc", "1.0", "1e3", "%201", "0x1"])
def test_ids_that_are_not_integers_are_422(client: TestClient, task_id: str) -> None:
    assert error_locations(client.get(f"/tasks/{task_id}")) == [["path", "task_id"]]


@pytest.mark.parametrize("header", ['"1"', 'W/"1"', '"7", "1"', "*", ' "9" , W/"1" '])
def test_if_none_match_naming_the_version_is_304(client: TestClient, task: dict[str, object], header: str) -> None:
    response = client.get(f"/tasks/{task['id']}", headers={"If-None-Match": header})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("header", ['"2"', 'W/"2"', "1", ""])
def test_if_none_match_naming_another_version_is_200(client: TestClient, task: dict[str, object], header: str) -> None:
    assert client.get(f"/tasks/{task['id']}", headers={"If-None-Match": header}).status_code == 200


def test_if_none_match_on_a_missing_task_is_still_404(client: TestClient) -> None:
    assert_problem(client.get("/tasks/424242", headers={"If-None-Match": "*"}), 404, "Task not found")
