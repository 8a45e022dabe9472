"""Who may do what (API.md 2.0): tasks are private to their owner; authors,
posts and comments are public to read and only their owner deletes them."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import anonymous, assert_problem, bearer, sign_up


@pytest.fixture
def them(client: TestClient) -> dict[str, str]:
    """The headers of a second user."""
    return bearer(sign_up(client, "them@example.com"))


class TestTasksArePrivate:
    def test_another_users_task_answers_as_a_missing_one_on_every_route(
        self, client: TestClient, them: dict[str, str]
    ) -> None:
        mine = client.post("/tasks", json={"title": "mine"}).json()
        url = f"/tasks/{mine['id']}"
        missing = f"/tasks/{mine['id'] + 1000}"
        calls: list[tuple[str, dict[str, Any]]] = [
            ("GET", {}),
            ("GET", {"headers": {"If-None-Match": '"1"'}}),
            ("PATCH", {"json": {"title": "stolen"}}),
            ("PATCH", {"json": {"title": "stolen"}, "headers": {"If-Match": '"1"'}}),
            ("PUT", {"json": {"status": "done"}}),
            ("DELETE", {}),
            ("DELETE", {"headers": {"If-Match": "*"}}),
        ]
        for method, kwargs in calls:
            headers = {**them, **kwargs.pop("headers", {})}
            theirs = client.request(method, url, headers=headers, **kwargs)
            absent = client.request(method, missing, headers=headers, **kwargs)
            assert_problem(theirs, 404, "Task not found")
            assert theirs.json() | {"request_id": ""} == absent.json() | {"request_id": ""}, method
        assert client.get(url).json() == mine  # untouched

    def test_lists_totals_filters_and_search_see_only_the_callers_tasks(
        self, client: TestClient, them: dict[str, str]
    ) -> None:
        client.post("/tasks/bulk", json=[{"title": "mine 1"}, {"title": "mine 2", "status": "done"}])
        client.post("/tasks", json={"title": "theirs"}, headers=them)
        theirs = client.get("/tasks", headers=them)
        assert [t["title"] for t in theirs.json()] == ["theirs"]
        assert theirs.headers["x-total-count"] == "1"
        assert client.get("/tasks?q=mine", headers=them).json() == []
        assert client.get("/tasks/by-status/done", headers=them).headers["x-total-count"] == "0"
        mine = client.get("/tasks?limit=1")
        assert mine.headers["x-total-count"] == "2"

    def test_a_title_is_unique_per_owner(self, client: TestClient, them: dict[str, str]) -> None:
        assert client.post("/tasks", json={"title": "Report"}).status_code == 201
        assert client.post("/tasks", json={"title": "Report"}, headers=them).status_code == 201
        assert client.post("/tasks/bulk", json=[{"title": "Report"}], headers=them).status_code == 409
        assert_problem(client.post("/tasks", json={"title": "Report"}), 409, "A task titled 'Report' already exists")

    def test_every_tasks_route_needs_a_token(self, client: TestClient) -> None:
        task = client.post("/tasks", json={"title": "t"}).json()
        with anonymous(client):
            for method, path in (("GET", "/tasks"), ("GET", f"/tasks/{task['id']}"), ("POST", "/tasks"),
                                 ("POST", "/tasks/bulk"), ("GET", "/tasks/by-status/todo"),
                                 ("PATCH", f"/tasks/{task['id']}"), ("DELETE", f"/tasks/{task['id']}")):  # fmt: skip
                answer = client.request(method, path, json={"title": "x"})
                assert_problem(answer, 401)
                assert answer.headers["www-authenticate"] == "Bearer"


class TestPublicRowsHaveOwners:
    def test_others_may_read_but_not_delete(self, client: TestClient, them: dict[str, str]) -> None:
        author = client.post("/authors", json={"name": "Ada"}).json()
        post = client.post("/posts", json={"title": "Notes", "author_id": author["id"]}).json()
        comment = client.post(f"/posts/{post['id']}/comments", json={"author_name": "T", "body": "hi"}, headers=them)
        assert comment.status_code == 201  # anyone with a token comments on any post
        with anonymous(client):
            assert client.get(f"/authors/{author['id']}").status_code == 200
            assert client.get(f"/posts/{post['id']}").status_code == 200
            assert client.get(f"/posts/{post['id']}/comments").json() == [comment.json()]
        assert_problem(client.delete(f"/authors/{author['id']}", headers=them), 403, "You do not own this author")
        assert_problem(client.delete(f"/posts/{post['id']}", headers=them), 403, "You do not own this post")
        assert_problem(client.delete(f"/comments/{comment.json()['id']}"), 403, "You do not own this comment")
        under = client.post("/posts", json={"title": "Mine?", "author_id": author["id"]}, headers=them)
        assert_problem(under, 403, "You do not own this author")
        assert client.get(f"/posts/{post['id']}/comments").json() == [comment.json()]  # nothing changed
        # The post's owner deletes it, and every comment goes with it, whoever wrote it.
        assert client.delete(f"/posts/{post['id']}").status_code == 204
        assert client.get(f"/comments/{comment.json()['id']}").status_code == 404

    def test_missing_before_forbidden(self, client: TestClient, them: dict[str, str]) -> None:
        assert_problem(client.delete("/authors/424242", headers=them), 404, "Author not found")

    def test_creates_and_deletes_need_a_token(self, client: TestClient) -> None:
        author = client.post("/authors", json={"name": "Ada"}).json()
        with anonymous(client):
            assert_problem(client.post("/authors", json={"name": "x"}), 401)
            assert_problem(client.delete(f"/authors/{author['id']}"), 401)
            assert_problem(client.post("/posts", json={"title": "x", "author_id": author["id"]}), 401)
