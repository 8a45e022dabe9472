from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.api.helpers import TASK_FIELDS, error_locations


def links(response: Response) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """rel -> (path, query pairs) of an RFC 8288 Link header."""
    found = {}
    for part in filter(None, (p.strip() for p in response.headers.get("link", "").split(","))):
        target, rel = part.split(";")
        assert rel.strip().startswith('rel="')
        assert target.startswith("<")
        assert target.endswith(">")
        url = urlsplit(target[1:-1])
        found[rel.strip()[5:-1]] = (url.path, parse_qsl(url.query))
    return found


def titles(response: Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()]


@pytest.fixture
def seeded(client: TestClient) -> None:
    rows = [
        ("Alpha", "todo", "high"),
        ("Bravo 100%", "done", "low"),
        ("charlie_x", "in_progress", "medium"),
        ("Delta", "todo", "low"),
        ("echo", "done", "high"),
        ("Foxtrot", "todo", "medium"),
    ]
    payload = [{"title": t, "status": s, "priority": p} for t, s, p in rows]
    assert client.post("/tasks/bulk", json=payload).status_code == 201


@pytest.mark.usefixtures("seeded")
class TestList:
    def test_default_is_everything_in_id_order_with_the_total(self, client: TestClient) -> None:
        response = client.get("/tasks")
        assert titles(response) == ["Alpha", "Bravo 100%", "charlie_x", "Delta", "echo", "Foxtrot"]
        assert response.headers["x-total-count"] == "6"
        assert all(set(task) == TASK_FIELDS for task in response.json())
        assert "link" not in response.headers

    def test_pages_carry_next_and_prev_links(self, client: TestClient) -> None:
        first = client.get("/tasks?limit=2")
        assert titles(first) == ["Alpha", "Bravo 100%"]
        assert links(first) == {"next": ("/tasks", [("skip", "2"), ("limit", "2")])}
        middle = client.get("/tasks?skip=3&limit=2")
        assert titles(middle) == ["Delta", "echo"]
        assert links(middle) == {
            "next": ("/tasks", [("skip", "5"), ("limit", "2")]),
            "prev": ("/tasks", [("skip", "1"), ("limit", "2")]),
        }
        last = client.get("/tasks?skip=5&limit=2")
        assert titles(last) == ["Foxtrot"]
        assert links(last) == {"prev": ("/tasks", [("skip", "3"), ("limit", "2")])}
        assert last.headers["x-total-count"] == "6"

    def test_prev_never_goes_below_zero(self, client: TestClient) -> None:
        assert links(client.get("/tasks?skip=1&limit=4"))["prev"] == ("/tasks", [("skip", "0"), ("limit", "4")])

    def test_links_keep_known_parameters_and_drop_unknown_ones(self, client: TestClient) -> None:
        response = client.get("/tasks?status=todo&status=done&utm=x&q=a&sort=-title&limit=1&skip=1")
        assert links(response)["next"] == (
            "/tasks",
            [("status", "todo"), ("status", "done"), ("q", "a"), ("sort", "-title"), ("skip", "2"), ("limit", "1")],
        )

    @pytest.mark.parametrize("skip", ["6", "1000", str(2**63), "9" * 5000])
    def test_a_skip_past_the_end_is_an_empty_page(self, client: TestClient, skip: str) -> None:
        response = client.get(f"/tasks?skip={skip}")
        assert response.json() == []
        assert response.headers["x-total-count"] == "6"
        assert set(links(response)) == {"prev"}

    @pytest.mark.parametrize(
        ("skip", "prev"),
        [
            (str(2**63), str(2**63 - 10)),
            (str(2**64 + 7), str(2**64 - 3)),
            (str(10**40), str(10**40 - 10)),
            ("+000" + str(2**70), str(2**70 - 10)),
            ("9" * 5000, "9" * 4998 + "89"),
        ],
    )
    def test_prev_of_a_skip_beyond_64_bits_is_the_skip_as_given_less_limit(
        self, client: TestClient, skip: str, prev: str
    ) -> None:
        response = client.get("/tasks", params={"skip": skip, "limit": "10"})
        assert response.json() == []
        assert links(response) == {"prev": ("/tasks", [("skip", prev), ("limit", "10")])}

    @pytest.mark.parametrize(
        ("query", "where"),
        [
            ("skip=-1", ["query", "skip"]),
            ("skip=1.5", ["query", "skip"]),
            ("limit=0", ["query", "limit"]),
            ("limit=101", ["query", "limit"]),
            ("limit=abc", ["query", "limit"]),
            ("limit=" + "9" * 5000, ["query", "limit"]),
            ("status=later", ["query", "status", 0]),
            ("status=todo&status=", ["query", "status", 1]),
            ("priority=HIGH", ["query", "priority", 0]),
            ("sort=colour", ["query", "sort"]),
            ("sort=", ["query", "sort"]),
            ("sort=title,", ["query", "sort"]),
            ("q=%00", ["query", "q"]),
        ],
    )
    def test_bad_parameters_are_422(self, client: TestClient, query: str, where: list[object]) -> None:
        assert error_locations(client.get(f"/tasks?{query}")) == [where]

    def test_unknown_parameters_are_ignored(self, client: TestClient) -> None:
        assert len(titles(client.get("/tasks?colour=red&page=9"))) == 6

    def test_filters_repeat_as_any_of(self, client: TestClient) -> None:
        assert titles(client.get("/tasks?status=done&status=in_progress")) == ["Bravo 100%", "charlie_x", "echo"]
        assert titles(client.get("/tasks?status=todo&priority=low&priority=medium")) == ["Delta", "Foxtrot"]

    def test_q_is_a_case_insensitive_literal_substring(self, client: TestClient) -> None:
        assert titles(client.get("/tasks?q=ALPHA")) == ["Alpha"]
        assert titles(client.get("/tasks", params={"q": "%"})) == ["Bravo 100%"]
        assert titles(client.get("/tasks", params={"q": "_"})) == ["charlie_x"]
        assert titles(client.get("/tasks", params={"q": "a%o"})) == []
        response = client.get("/tasks", params={"q": "O"})
        assert titles(response) == ["Bravo 100%", "echo", "Foxtrot"]
        assert response.headers["x-total-count"] == "3"

    def test_sort_by_meaning_with_ties_on_id(self, client: TestClient) -> None:
        assert titles(client.get("/tasks?sort=priority")) == [
            "Bravo 100%",
            "Delta",
            "charlie_x",
            "Foxtrot",
            "Alpha",
            "echo",
        ]
        assert titles(client.get("/tasks?sort=-status,-priority")) == [
            "echo",
            "Bravo 100%",
            "charlie_x",
            "Alpha",
            "Foxtrot",
            "Delta",
        ]
        assert titles(client.get("/tasks?sort=-id&limit=2")) == ["Foxtrot", "echo"]

    def test_sort_by_title_is_by_code_point(self, client: TestClient) -> None:
        sorted_titles = titles(client.get("/tasks?sort=title"))
        assert sorted_titles == sorted(sorted_titles)
        assert titles(client.get("/tasks?sort=-title")) == sorted(sorted_titles, reverse=True)

    def test_a_field_named_again_in_sort_adds_nothing(self, client: TestClient) -> None:
        """The document's pattern allows it; the first mention says how it sorts."""
        assert titles(client.get("/tasks?sort=-title,priority,title")) == titles(client.get("/tasks?sort=-title"))

    def test_sort_by_timestamps_breaks_ties_on_id(self, client: TestClient) -> None:
        # The bulk rows share one timestamp: the tie-break alone orders them.
        assert titles(client.get("/tasks?sort=-created_at")) == titles(client.get("/tasks"))
        assert titles(client.get("/tasks?sort=updated_at,-id"))[0] == "Foxtrot"

    def test_by_status_is_the_status_filter(self, client: TestClient) -> None:
        by_path = client.get("/tasks/by-status/todo?sort=-title&limit=2&status=done")
        assert titles(by_path) == titles(client.get("/tasks?status=todo&sort=-title&limit=2"))
        assert by_path.headers["x-total-count"] == "3"
        assert links(by_path)["next"] == ("/tasks/by-status/todo", [("sort", "-title"), ("skip", "2"), ("limit", "2")])

    def test_by_status_rejects_an_unknown_status(self, client: TestClient) -> None:
        assert error_locations(client.get("/tasks/by-status/someday")) == [["path", "status"]]
