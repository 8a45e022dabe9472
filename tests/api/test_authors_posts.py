"""The "Authors and posts" section of the contract, on both databases."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import assert_problem, error_locations
from tests.support.databases import LiveDatabase, acting_statements, counting_statements

AUTHOR_FIELDS = {"id", "name", "created_at"}
POST_FIELDS = {"id", "title", "body", "author_id", "author", "created_at"}


def author(client: TestClient, name: str = "Ada") -> dict[str, Any]:
    response = client.post("/authors", json={"name": name})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def post(client: TestClient, author_id: int, title: str = "Notes", **extra: Any) -> dict[str, Any]:
    response = client.post("/posts", json={"title": title, "author_id": author_id, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


class TestAuthors:
    def test_create_get_and_list(self, client: TestClient) -> None:
        response = client.post("/authors", json={"name": "  Ada Lovelace \u2003"})
        assert response.status_code == 201
        created = response.json()
        assert set(created) == AUTHOR_FIELDS
        assert created["name"] == "Ada Lovelace"
        assert response.headers["location"] == f"/authors/{created['id']}"
        assert client.get(f"/authors/{created['id']}").json() == created
        author(client, "Ada Lovelace")  # names are not unique
        listed = client.get("/authors?limit=1")
        assert listed.json() == [created]
        assert listed.headers["x-total-count"] == "2"
        assert 'rel="next"' in listed.headers["link"]

    @pytest.mark.parametrize(
        "body", [{}, {"name": ""}, {"name": "  "}, {"name": "n" * 101}, {"name": 3}, {"name": "x", "id": 1}]
    )
    def test_invalid_authors_are_422(self, client: TestClient, body: dict[str, Any]) -> None:
        assert_problem(client.post("/authors", json=body), 422)
        assert client.get("/authors").json() == []

    def test_a_name_of_a_hundred_code_points_is_fine(self, client: TestClient) -> None:
        assert author(client, "ü" * 100)["name"] == "ü" * 100

    def test_missing_author_is_404(self, client: TestClient) -> None:
        for author_id in ("777", "0", "-1", str(2**64)):
            assert_problem(client.get(f"/authors/{author_id}"), 404, "Author not found")
            assert_problem(client.delete(f"/authors/{author_id}"), 404, "Author not found")
        assert error_locations(client.get("/authors/abc")) == [["path", "author_id"]]

    def test_delete_is_refused_while_the_author_has_posts(self, client: TestClient) -> None:
        ada = author(client)
        note = post(client, ada["id"])
        body = assert_problem(client.delete(f"/authors/{ada['id']}"), 409)
        assert "posts" in body["detail"]
        assert client.get(f"/authors/{ada['id']}").status_code == 200
        assert client.get(f"/posts/{note['id']}").status_code == 200
        assert client.delete(f"/posts/{note['id']}").status_code == 204
        assert client.delete(f"/authors/{ada['id']}").status_code == 204
        assert_problem(client.get(f"/authors/{ada['id']}"), 404, "Author not found")

    def test_an_authors_posts(self, client: TestClient) -> None:
        ada, bob, cy = author(client, "Ada"), author(client, "Bob"), author(client, "Cy")
        for n in range(3):
            post(client, ada["id"], f"ada {n}")
        post(client, bob["id"], "bob 0")
        response = client.get(f"/authors/{ada['id']}/posts?limit=2&skip=1")
        assert [p["title"] for p in response.json()] == ["ada 1", "ada 2"]
        assert response.headers["x-total-count"] == "3"
        assert response.headers["link"] == f'</authors/{ada["id"]}/posts?skip=0&limit=2>; rel="prev"'
        assert client.get(f"/authors/{cy['id']}/posts").json() == []
        assert_problem(client.get("/authors/9999/posts"), 404, "Author not found")
        assert_problem(client.get(f"/authors/{2**70}/posts"), 404, "Author not found")

    def test_unsupported_methods(self, client: TestClient) -> None:
        response = client.patch("/authors/1", json={"name": "x"})
        assert_problem(response, 405)
        assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "DELETE"}


class TestPosts:
    def test_create_embeds_the_author(self, client: TestClient) -> None:
        ada = author(client)
        response = client.post("/posts", json={"title": "  Hello  ", "author_id": ada["id"]})
        assert response.status_code == 201
        created = response.json()
        assert set(created) == POST_FIELDS
        assert created["author"] == {"id": ada["id"], "name": "Ada"}
        assert (created["title"], created["body"], created["author_id"]) == ("Hello", "", ada["id"])
        assert response.headers["location"] == f"/posts/{created['id']}"
        assert client.get(f"/posts/{created['id']}").json() == created

    def test_the_body_is_kept_verbatim_up_to_100000_characters(self, client: TestClient) -> None:
        ada = author(client)
        assert post(client, ada["id"], body="  x\n" * 25_000)["body"] == "  x\n" * 25_000
        assert error_locations(
            client.post("/posts", json={"title": "t", "author_id": ada["id"], "body": "b" * 100_001})
        ) == [["body", "body"]]

    @pytest.mark.parametrize("author_id", [4242, 0, -1, 2**63, 2**64 - 1])
    def test_an_author_id_naming_no_author_is_422_naming_it_and_stores_nothing(
        self, client: TestClient, author_id: int
    ) -> None:
        response = client.post("/posts", json={"title": "Orphan", "author_id": author_id})
        body = assert_problem(response, 422)
        assert str(author_id) in body["detail"]
        assert body["errors"][0]["loc"] == ["body", "author_id"]
        assert client.get("/posts").json() == []

    def test_an_author_id_beyond_64_bits_is_422_at_author_id(self, client: TestClient) -> None:
        # JSON parsing turns integers past 2**64 into floats: not an id at all.
        response = client.post("/posts", json={"title": "Orphan", "author_id": 10**30})
        assert error_locations(response) == [["body", "author_id"]]

    @pytest.mark.parametrize(
        ("body", "where"),
        [
            ({"author_id": 1}, ["body", "title"]),
            ({"title": "t"}, ["body", "author_id"]),
            ({"title": "t", "author_id": "1"}, ["body", "author_id"]),
            ({"title": "t", "author_id": 1.0}, ["body", "author_id"]),
            ({"title": "t", "author_id": True}, ["body", "author_id"]),
            ({"title": "t", "author_id": 1, "author": {"id": 1, "name": "x"}}, ["body", "author"]),
            ({"title": "t", "author_id": 1, "id": 5}, ["body", "id"]),
            ({"title": " ", "author_id": 1}, ["body", "title"]),
            ({"title": "t" * 201, "author_id": 1}, ["body", "title"]),
            ({"title": "t", "author_id": 1, "body": None}, ["body", "body"]),
        ],
    )
    def test_invalid_posts_are_422(self, client: TestClient, body: dict[str, Any], where: list[Any]) -> None:
        author(client)
        assert where in error_locations(client.post("/posts", json=body))
        assert client.get("/posts").json() == []

    def test_missing_post_is_404(self, client: TestClient) -> None:
        assert_problem(client.get("/posts/31337"), 404, "Post not found")
        assert_problem(client.delete("/posts/31337"), 404, "Post not found")
        assert_problem(client.get(f"/posts/{2**64}"), 404, "Post not found")

    def test_list_and_author_filter(self, client: TestClient) -> None:
        ada, bob, cy = author(client, "Ada"), author(client, "Bob"), author(client, "Cy")
        for n in range(4):
            post(client, (ada if n % 2 == 0 else bob)["id"], f"p{n}")
        everything = client.get("/posts")
        assert [(p["title"], p["author"]["name"]) for p in everything.json()] == [
            ("p0", "Ada"),
            ("p1", "Bob"),
            ("p2", "Ada"),
            ("p3", "Bob"),
        ]
        assert all(set(p) == POST_FIELDS and set(p["author"]) == {"id", "name"} for p in everything.json())
        of_bob = client.get(f"/posts?author_id={bob['id']}&limit=1&junk=1")
        assert [p["title"] for p in of_bob.json()] == ["p1"]
        assert of_bob.headers["x-total-count"] == "2"
        assert of_bob.headers["link"] == f'</posts?author_id={bob["id"]}&skip=1&limit=1>; rel="next"'
        for nobody in (cy["id"], 99999, -3, 2**64):
            response = client.get(f"/posts?author_id={nobody}")
            assert (response.status_code, response.json(), response.headers["x-total-count"]) == (200, [], "0")
        assert error_locations(client.get("/posts?author_id=ada")) == [["query", "author_id"]]


class TestStatements:
    """A page of posts costs the same whatever its size: never a query per post."""

    @pytest.fixture
    def many_posts(self, client: TestClient) -> int:
        """Two authors with 105 posts each: pages of 1 and of 100 are both full."""
        first, second = author(client, "First"), author(client, "Second")
        for n in range(210):
            post(client, (first if n % 2 == 0 else second)["id"], f"post {n}")
        author_id: int = first["id"]
        return author_id

    @pytest.mark.parametrize(
        ("path", "statements"),
        [
            ("/posts?limit={n}", 2),  # the page with its authors joined, then COUNT
            ("/posts?limit={n}&author_id={author}", 2),
            ("/authors/{author}/posts?limit={n}", 2),  # posts prove the author exists
        ],
    )
    def test_a_page_of_one_costs_as_much_as_a_page_of_a_hundred(
        self, client: TestClient, clean_database: LiveDatabase, many_posts: int, path: str, statements: int
    ) -> None:
        for size in (1, 100):
            with counting_statements(clean_database.engine) as sent:
                response = client.get(path.format(n=size, author=many_posts))
            assert len(response.json()) == size
            assert all(p["author"]["name"] in ("First", "Second") for p in response.json())
            assert len(sent) == statements, f"page of {size}: {sent}"

    def test_an_author_without_posts_costs_one_more_look_up(
        self, client: TestClient, clean_database: LiveDatabase
    ) -> None:
        lonely = author(client, "Lonely")
        with counting_statements(clean_database.engine) as sent:
            assert client.get(f"/authors/{lonely['id']}/posts").json() == []
        assert len(sent) == 2  # the empty page, then: does the author exist?

    def test_get_one_post_is_one_statement(self, client: TestClient, clean_database: LiveDatabase) -> None:
        note = post(client, author(client)["id"])
        with counting_statements(clean_database.engine) as statements:
            assert client.get(f"/posts/{note['id']}").status_code == 200
        assert len(statements) == 1

    def test_creating_a_post_is_two_statements(self, client: TestClient, clean_database: LiveDatabase) -> None:
        ada = author(client)
        with counting_statements(clean_database.engine) as statements:
            post(client, ada["id"])
        statements = acting_statements(clean_database, statements, units=1)
        assert len(statements) == 2  # the author (loaded into the new post), the INSERT
        assert statements[0].lstrip().upper().startswith("SELECT")
        assert statements[1].lstrip().upper().startswith("INSERT")
