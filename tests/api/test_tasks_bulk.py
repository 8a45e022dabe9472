import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import TASK_FIELDS, assert_problem, error_locations
from tests.factories.tasks import task_payloads


def stored(client: TestClient) -> int:
    return int(client.get("/tasks").headers["x-total-count"])


def test_bulk_create_returns_every_task_in_input_order(client: TestClient) -> None:
    payload = task_payloads(30)
    payload.reverse()  # ids ascend while titles descend: order must come from the input
    response = client.post("/tasks/bulk", json=payload)
    assert response.status_code == 201
    created = response.json()
    assert [t["title"] for t in created] == [p["title"] for p in payload]
    assert all(set(t) == TASK_FIELDS and t["version"] == 1 for t in created)
    for task in created[::7]:
        assert client.get(f"/tasks/{task['id']}").json() == task


def test_the_limits_are_one_and_a_thousand_items(client: TestClient) -> None:
    assert client.post("/tasks/bulk", json=task_payloads(1000)).status_code == 201
    assert error_locations(client.post("/tasks/bulk", json=[])) == [["body"]]
    assert error_locations(client.post("/tasks/bulk", json=task_payloads(1001))) == [["body"]]
    assert stored(client) == 1000


@pytest.mark.parametrize("body", [{"title": "not a list"}, "text", None])
def test_a_body_that_is_not_an_array_is_422(client: TestClient, body: object) -> None:
    assert_problem(client.post("/tasks/bulk", json=body), 422)


def test_invalid_items_are_422_naming_each_index_and_store_nothing(client: TestClient) -> None:
    payload = task_payloads(5)
    payload[1]["title"] = " "
    payload[3]["status"] = "nope"
    payload[4]["id"] = 12
    assert error_locations(client.post("/tasks/bulk", json=payload)) == [
        ["body", 1, "title"],
        ["body", 3, "status"],
        ["body", 4, "id"],
    ]
    assert stored(client) == 0


def test_a_title_repeated_in_the_batch_is_409_naming_it(client: TestClient) -> None:
    payload = [*task_payloads(3), {"title": "Twice"}, {"title": " Twice "}]
    body = assert_problem(client.post("/tasks/bulk", json=payload), 409)
    assert "Twice" in body["detail"]
    assert stored(client) == 0


def test_an_already_stored_title_is_409_naming_it_and_nothing_is_stored(client: TestClient) -> None:
    client.post("/tasks", json={"title": "Existing"})
    payload = [*task_payloads(10), {"title": "Existing"}, *task_payloads(10)]
    body = assert_problem(client.post("/tasks/bulk", json=payload), 409)
    assert "'Existing'" in body["detail"]
    assert stored(client) == 1


def test_with_several_titles_taken_the_first_in_input_order_is_named(client: TestClient) -> None:
    client.post("/tasks/bulk", json=[{"title": "bravo"}, {"title": "delta"}])
    payload = [{"title": "alpha"}, {"title": "delta"}, {"title": "charlie"}, {"title": "bravo"}]
    body = assert_problem(client.post("/tasks/bulk", json=payload), 409)
    assert body["detail"] == "A task titled 'delta' already exists"
    assert client.get("/tasks").headers["x-total-count"] == "2"


def test_422_comes_before_409(client: TestClient) -> None:
    assert_problem(client.post("/tasks/bulk", json=[{"title": "a"}, {"title": "a"}, {"title": ""}]), 422)
