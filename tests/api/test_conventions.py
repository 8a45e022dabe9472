"""The Conventions and Operations sections of the contract."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from tests.api.helpers import assert_problem

MIB = 1024 * 1024
# What the README promises of a generated id: 32 hex digits.
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


class TestRequestId:
    @pytest.mark.parametrize("sent", ["abc-123", "A.b_c-9", "x" * 128])
    def test_a_sane_id_is_echoed(self, client: TestClient, sent: str) -> None:
        assert client.get("/health", headers={"X-Request-ID": sent}).headers["x-request-id"] == sent

    @pytest.mark.parametrize("sent", ["", "x" * 129, "has space", "semi;colon", "ünï"])
    def test_an_insane_id_is_replaced_by_a_fresh_one(self, client: TestClient, sent: str) -> None:
        received = client.get("/health", headers=[(b"X-Request-ID", sent.encode("utf-8"))]).headers["x-request-id"]
        assert received != sent
        assert GENERATED_ID.fullmatch(received)

    def test_every_response_gets_one_and_errors_carry_it(self, client: TestClient) -> None:
        first = client.get("/tasks/1")
        second = client.get("/tasks/1")
        assert GENERATED_ID.fullmatch(first.headers["x-request-id"])
        assert first.headers["x-request-id"] != second.headers["x-request-id"]
        assert first.json()["request_id"] == first.headers["x-request-id"]


class TestErrors:
    def test_unknown_paths_are_404_problems(self, client: TestClient) -> None:
        assert_problem(client.get("/nowhere"), 404)

    @pytest.mark.parametrize(
        ("method", "path", "allow"),
        [
            ("DELETE", "/tasks", "GET, POST"),
            ("POST", "/tasks/1", "GET, PUT, PATCH, DELETE"),
            ("GET", "/tasks/bulk", "POST"),
            ("PATCH", "/tasks/bulk", "POST"),
            ("OPTIONS", "/tasks/bulk", "POST"),
            ("POST", "/health", "GET"),
            ("PUT", "/ready", "GET"),
            ("POST", "/tasks/by-status/todo", "GET"),
            ("OPTIONS", "/tasks", "GET, POST"),
            ("HEAD", "/tasks/1", "GET, PUT, PATCH, DELETE"),
            ("PUT", "/posts/1/comments", "GET, POST"),
        ],
    )
    def test_unsupported_methods_are_405_with_the_documented_methods(
        self, client: TestClient, method: str, path: str, allow: str
    ) -> None:
        """HEAD and OPTIONS are not served; Allow lists the methods the OpenAPI
        document gives the path, in a fixed order."""
        response = client.request(method, path)
        assert response.status_code == 405
        if method != "HEAD":  # a HEAD answer has no body
            assert_problem(response, 405)
        assert response.headers["allow"] == allow

    def test_a_body_over_one_mib_is_413_before_parsing(self, client: TestClient) -> None:
        big = b'{"title": "' + b"x" * MIB + b'"}'
        response = client.post("/tasks", content=big, headers={"content-type": "application/json"})
        assert_problem(response, 413)
        assert client.get("/tasks").headers["x-total-count"] == "0"

    def test_a_chunked_body_over_one_mib_is_413(self, client: TestClient) -> None:
        def chunks() -> Iterator[bytes]:
            yield b'[{"title": "'
            for _ in range(20):
                yield b"y" * (64 * 1024)
            yield b'"}]'

        response = client.post("/tasks/bulk", content=chunks(), headers={"content-type": "application/json"})
        assert_problem(response, 413)

    def test_exactly_one_mib_is_accepted(self, client: TestClient) -> None:
        head, tail = b'{"title": "t", "description": "', b'"}'
        # Too long for a description, but not too large: 422 shows it was parsed.
        body = head + b"d" * (MIB - len(head) - len(tail)) + tail
        assert len(body) == MIB
        assert_problem(client.post("/tasks", content=body, headers={"content-type": "application/json"}), 422)

    def test_405_comes_before_413_and_413_before_422(self, client: TestClient) -> None:
        huge = b"{" + b" " * (2 * MIB)
        assert_problem(client.post("/health", content=huge), 405)
        assert_problem(client.request("GET", "/tasks/bulk", content=huge), 405)
        assert_problem(client.post("/tasks", content=huge, headers={"content-type": "application/json"}), 413)

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/tasks/abc"),  # else 422 (path)
            ("GET", "/tasks?limit=0"),  # else 422 (query)
            ("GET", "/tasks/999999"),  # else 404
            ("DELETE", "/posts/999999"),  # else 404
            ("GET", "/nowhere"),  # else 404, no route
            ("GET", "/health"),  # else 200
        ],
    )
    def test_413_comes_first_where_a_route_takes_no_body(self, client: TestClient, method: str, path: str) -> None:
        response = client.request(method, path, content=b"x" * (MIB + 1))
        assert_problem(response, 413)

    def test_a_delete_with_an_oversize_body_deletes_nothing(self, client: TestClient) -> None:
        task_id = client.post("/tasks", json={"title": "kept"}).json()["id"]

        def chunks() -> Iterator[bytes]:
            for _ in range(20):
                yield b"z" * (64 * 1024)

        assert_problem(client.request("DELETE", f"/tasks/{task_id}", content=b"x" * (MIB + 1)), 413)
        assert_problem(client.request("DELETE", f"/tasks/{task_id}", content=chunks()), 413)
        assert client.get(f"/tasks/{task_id}").status_code == 200

    def test_a_small_body_where_none_is_taken_is_ignored(self, client: TestClient) -> None:
        assert client.request("GET", "/health", content=b"ignored").status_code == 200
        assert_problem(client.request("GET", "/tasks/999999", content=b"ignored"), 404)


class TestOperations:
    def test_health(self, client: TestClient) -> None:
        response = client.get("/health")
        assert (response.status_code, response.json()) == (200, {"status": "ok"})

    def test_ready(self, client: TestClient) -> None:
        response = client.get("/ready")
        assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})

    def test_openapi_and_docs(self, client: TestClient) -> None:
        document = client.get("/openapi.json").json()
        assert {"/tasks", "/tasks/{task_id}", "/tasks/bulk", "/tasks/by-status/{status}", "/health", "/ready"} <= set(
            document["paths"]
        )
        assert "404" in document["paths"]["/tasks/{task_id}"]["get"]["responses"]
        assert client.get("/docs").status_code == 200


class TestOpenApiDocument:
    """What generated clients and schema-driven fuzzers read (the fuzzers
    themselves run in tests/api/test_fuzzing.py and tests/system)."""

    @pytest.fixture
    def document(self, client: TestClient) -> dict[str, Any]:
        body: dict[str, Any] = client.get("/openapi.json").json()
        return body

    def test_operation_ids_are_the_route_names(self, client: TestClient, document: dict[str, Any]) -> None:
        """What a generated client's functions are called: create_task(...), for
        every route the app serves (found from the app, not listed here)."""
        app = client.app
        assert isinstance(app, FastAPI)
        names = sorted(
            context.original_route.name
            for context in iter_route_contexts(app.routes)
            if isinstance(context.original_route, APIRoute) and context.original_route.include_in_schema
            for _ in context.methods or ()
        )
        ids = sorted(op["operationId"] for path in document["paths"].values() for op in path.values())
        assert ids == names
        assert len(set(ids)) == len(ids)
        assert {"create_task", "list_post_comments", "get_metrics"} <= set(ids)  # not create_task_tasks_post

    def test_a_created_resource_links_to_what_can_be_done_with_it(self, document: dict[str, Any]) -> None:
        paths = document["paths"]
        created_task = paths["/tasks"]["post"]["responses"]["201"]
        assert {link["operationId"] for link in created_task["links"].values()} == {
            "get_task",
            "patch_task",
            "put_task",
            "delete_task",
        }
        assert created_task["links"]["GetTask"]["parameters"] == {"task_id": "$response.body#/id"}
        author_links = paths["/authors"]["post"]["responses"]["201"]["links"]
        assert author_links["CreatePost"]["requestBody"] == {"author_id": "$response.body#/id"}
        post_links = paths["/posts"]["post"]["responses"]["201"]["links"]
        assert post_links["CreateComment"] == {
            "operationId": "create_comment",
            "parameters": {"post_id": "$response.body#/id"},
        }
        comment_links = paths["/posts/{post_id}/comments"]["post"]["responses"]["201"]["links"]
        assert {link["operationId"] for link in comment_links.values()} == {"get_comment", "delete_comment"}

    def test_headers_are_documented_where_they_are_sent(self, document: dict[str, Any]) -> None:
        paths = document["paths"]
        assert set(paths["/tasks"]["post"]["responses"]["201"]["headers"]) == {"Location", "ETag", "X-Request-ID"}
        assert set(paths["/tasks"]["get"]["responses"]["200"]["headers"]) == {"X-Total-Count", "Link", "X-Request-ID"}
        assert "ETag" in paths["/tasks/{task_id}"]["get"]["responses"]["304"]["headers"]
        assert "Retry-After" in paths["/tasks"]["get"]["responses"]["503"]["headers"]
        for path in paths.values():
            for operation in path.values():
                assert {"413", "500"} <= set(operation["responses"])
                for response in operation["responses"].values():
                    assert "X-Request-ID" in response["headers"]

    def test_412_is_documented_where_if_match_is_read(self, document: dict[str, Any]) -> None:
        for method in ("patch", "put", "delete"):
            responses = document["paths"]["/tasks/{task_id}"][method]["responses"]
            assert responses["412"]["content"]["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }
