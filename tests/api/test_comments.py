"""The "Comments" section of the contract, on SQLite, PostgreSQL and PgBouncer."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import assert_problem, error_locations
from tests.factories.comments import CommentPayloadFactory
from tests.support.databases import LiveDatabase, acting_statements, counting_statements

COMMENT_FIELDS = {"id", "post_id", "author_name", "body", "created_at"}


@pytest.fixture
def post(client: TestClient) -> dict[str, Any]:
    author = client.post("/authors", json={"name": "Ada"}).json()
    response = client.post("/posts", json={"title": "Notes", "author_id": author["id"]})
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


def comment(client: TestClient, post_id: int, **fields: Any) -> dict[str, Any]:
    response = client.post(f"/posts/{post_id}/comments", json=CommentPayloadFactory.build(**fields))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_get_and_list(client: TestClient, post: dict[str, Any]) -> None:
    response = client.post(
        f"/posts/{post['id']}/comments", json={"author_name": "\u2003 Grace  ", "body": "  kept as sent\n"}
    )
    assert response.status_code == 201
    created = response.json()
    assert set(created) == COMMENT_FIELDS
    assert (created["post_id"], created["author_name"], created["body"]) == (post["id"], "Grace", "  kept as sent\n")
    assert created["created_at"].endswith("Z")
    assert response.headers["location"] == f"/comments/{created['id']}"
    assert client.get(f"/comments/{created['id']}").json() == created
    second = comment(client, post["id"])
    listed = client.get(f"/posts/{post['id']}/comments?limit=1&skip=1")
    assert listed.json() == [second]
    assert listed.headers["x-total-count"] == "2"
    assert listed.headers["link"] == f'</posts/{post["id"]}/comments?skip=0&limit=1>; rel="prev"'


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"author_name": "Grace"},
        {"body": "text"},
        {"author_name": " ", "body": "text"},
        {"author_name": "n" * 101, "body": "text"},
        {"author_name": "Grace", "body": ""},
        {"author_name": "Grace", "body": "b" * 10_001},
        {"author_name": "Grace", "body": "text", "post_id": 1},
        {"author_name": "Grace", "body": "text", "id": 9},
        {"author_name": 3, "body": "text"},
    ],
)
def test_invalid_comments_are_422_and_store_nothing(
    client: TestClient, post: dict[str, Any], body: dict[str, Any]
) -> None:
    assert_problem(client.post(f"/posts/{post['id']}/comments", json=body), 422)
    assert client.get(f"/posts/{post['id']}/comments").json() == []


def test_the_longest_name_and_body_are_fine(client: TestClient, post: dict[str, Any]) -> None:
    created = comment(client, post["id"], author_name="ü" * 100, body="b" * 10_000)
    assert (len(created["author_name"]), len(created["body"])) == (100, 10_000)


def test_a_missing_post_is_404_and_bad_input_comes_first(client: TestClient, post: dict[str, Any]) -> None:
    for post_id in ("777", "0", "-1", str(2**64)):
        assert_problem(client.post(f"/posts/{post_id}/comments", json={"author_name": "G", "body": "b"}), 404,
                       "Post not found")  # fmt: skip
        assert_problem(client.get(f"/posts/{post_id}/comments"), 404, "Post not found")
    assert_problem(client.post("/posts/777/comments", json={"author_name": ""}), 422)
    assert error_locations(client.get("/posts/abc/comments")) == [["path", "post_id"]]
    assert client.get(f"/posts/{post['id']}/comments").json() == []


def test_a_missing_comment_is_404(client: TestClient) -> None:
    for comment_id in ("777", "0", "-1", str(2**64)):
        assert_problem(client.get(f"/comments/{comment_id}"), 404, "Comment not found")
        assert_problem(client.delete(f"/comments/{comment_id}"), 404, "Comment not found")
    assert error_locations(client.get("/comments/abc")) == [["path", "comment_id"]]


def test_delete_a_comment(client: TestClient, post: dict[str, Any]) -> None:
    created = comment(client, post["id"])
    assert client.delete(f"/comments/{created['id']}").status_code == 204
    assert_problem(client.get(f"/comments/{created['id']}"), 404, "Comment not found")
    assert client.get(f"/posts/{post['id']}/comments").headers["x-total-count"] == "0"


def test_deleting_a_post_deletes_its_comments(client: TestClient, post: dict[str, Any]) -> None:
    other = client.post("/posts", json={"title": "Other", "author_id": post["author_id"]}).json()
    gone = [comment(client, post["id"]) for _ in range(3)]
    kept = comment(client, other["id"])
    assert client.delete(f"/posts/{post['id']}").status_code == 204
    for each in gone:
        assert_problem(client.get(f"/comments/{each['id']}"), 404, "Comment not found")
    assert_problem(client.get(f"/posts/{post['id']}/comments"), 404, "Post not found")
    assert client.get(f"/comments/{kept['id']}").json() == kept


def test_other_methods_are_405_with_allow(client: TestClient) -> None:
    response = client.put("/comments/1", json={})
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, DELETE"
    response = client.delete("/posts/1/comments")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, POST"


class TestStatements:
    def test_a_page_of_comments_costs_the_same_whatever_its_size(
        self, client: TestClient, post: dict[str, Any], clean_database: LiveDatabase
    ) -> None:
        for _ in range(100):
            comment(client, post["id"])
        counts = []
        for limit in (1, 100):
            with counting_statements(clean_database.engine) as statements:
                response = client.get(f"/posts/{post['id']}/comments?limit={limit}")
            assert len(response.json()) == limit
            counts.append(len(statements))
        assert counts == [2, 2]  # the page, then COUNT for X-Total-Count (one snapshot)

    def test_one_statement_each_to_comment_read_and_delete(
        self, client: TestClient, post: dict[str, Any], clean_database: LiveDatabase
    ) -> None:
        with counting_statements(clean_database.engine) as created:
            new = comment(client, post["id"])
        with counting_statements(clean_database.engine) as read:
            client.get(f"/comments/{new['id']}")
        with counting_statements(clean_database.engine) as deleted:
            client.delete(f"/posts/{post['id']}")  # the post and, by cascade, its comments
        created = acting_statements(clean_database, created, units=1)
        deleted = acting_statements(clean_database, deleted, units=1)
        assert (len(created), len(read), len(deleted)) == (1, 1, 1)
