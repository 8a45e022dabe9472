"""Input chosen to break things: none of it may get a 5xx or a glimpse inside."""

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import assert_problem

HUGE = "9" * 5000


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", f"/tasks/{HUGE}", 404),
        ("GET", f"/tasks/-{HUGE}", 404),
        ("PATCH", f"/tasks/{HUGE}", 404),
        ("DELETE", f"/tasks/{HUGE}", 404),
        ("GET", f"/authors/{HUGE}", 404),
        ("GET", f"/authors/{HUGE}/posts", 404),
        ("GET", f"/posts/{HUGE}", 404),
        ("GET", f"/tasks?skip={HUGE}", 200),
        ("GET", f"/tasks?limit={HUGE}", 422),
        ("GET", f"/tasks?skip=-{HUGE}", 422),
        ("GET", f"/posts?author_id={HUGE}", 200),
        ("GET", f"/authors?skip={HUGE}&limit=100", 200),
        ("GET", "/tasks/%00", 422),
        ("GET", "/tasks?q=%00", 422),
        ("GET", "/tasks?q=%ED%A0%80", 200),  # a lone surrogate, UTF-8 encoded
        ("GET", "/tasks?q=%FF%FE", 200),  # not UTF-8 at all
        ("GET", "/tasks?q=%25%5F%5C%27%22", 200),  # % _ \\ ' "
        ("GET", "/tasks?status=%00", 422),
        ("GET", "/tasks?sort=" + "title," * 500, 422),
    ],
)
def test_hostile_paths_and_queries(client: TestClient, method: str, path: str, status: int) -> None:
    body = {"title": "x"} if method == "PATCH" else None
    response = client.request(method, path, json=body)
    assert response.status_code == status, response.text[:300]
    if status >= 400:
        assert_problem(response, status)


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"title": ' * 50_000 + b'"x"' + b"}" * 50_000,
        b'{"title": "x", "description": "\\ud800"}',
        b'{"title": "\\udfff lone low"}',
        b'{"title": "nul \\u0000 inside"}',
        b'{"title": ' + b"1" * 5000 + b"}",
        b'{"title": "x", "priority": ' + b"9" * 5000 + b"}",
        b'{"title": NaN}',
        b'{"title": "x"}' + b" " * 10 + b"trailing",
        b"\xff\xfe\x00\x00",
        b'{"title": "' + "ü".encode() * 10 + b'\xc3"}',  # truncated UTF-8
        b'{"title": "x", "title": ""}',  # a repeated key: the last one counts
    ],
    ids=[
        "deep-array",
        "deep-object",
        "lone-high-surrogate",
        "lone-low-surrogate",
        "nul",
        "5000-digit-title",
        "5000-digit-priority",
        "nan",
        "trailing-garbage",
        "utf32-bom",
        "truncated-utf8",
        "repeated-key",
    ],
)
def test_hostile_bodies_are_422_and_store_nothing(client: TestClient, raw: bytes) -> None:
    for path in ("/tasks", "/tasks/bulk", "/authors", "/posts"):
        response = client.post(path, content=raw, headers={"content-type": "application/json"})
        assert_problem(response, 422)
    assert client.get("/tasks").headers["x-total-count"] == "0"


def test_a_post_with_a_huge_author_id_is_422(client: TestClient) -> None:
    raw = b'{"title": "x", "author_id": ' + HUGE.encode() + b"}"
    assert_problem(client.post("/posts", content=raw, headers={"content-type": "application/json"}), 422)


@pytest.mark.parametrize(
    ("value", "if_none_match", "if_match"),
    [
        ('"' + HUGE + '"', 200, 412),  # no version of ours: never matches
        ("W/" * 1000, 200, 412),  # no tag at all
        ('"1"' + ", " * 2000, 304, 200),  # the list holds "1" (the version), then nothing
        ("*, *", 200, 412),  # "*" only alone
        ("\x7f", 200, 412),
    ],
)
def test_hostile_conditional_headers(client: TestClient, value: str, if_none_match: int, if_match: int) -> None:
    """Each answer is the one the README's rules give (If-None-Match: weak
    comparison, on GET; If-Match: strong, on writes), and nothing else reads them."""
    task = client.post("/tasks", json={"title": "target"}).json()
    path = f"/tasks/{task['id']}"
    assert client.get(path, headers={"If-None-Match": value}).status_code == if_none_match
    assert client.get(path, headers={"If-Match": value}).status_code == 200
    assert client.patch(path, json={}, headers={"If-Match": value}).status_code == if_match
    assert client.patch(path, json={}, headers={"If-None-Match": value}).status_code == 200
    assert client.get(path).json()["version"] == 1
