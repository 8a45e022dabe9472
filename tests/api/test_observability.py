"""Logs, metrics and the OpenAPI document, through the app in-process."""

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.logs import JsonFormatter, TextFormatter
from tests.api.conftest import build_container
from tests.support.databases import LiveDatabase

SENTINEL = "zz-private-title-7731"


def records(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "request_id", None) == request_id]


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


class TestLogs:
    def test_a_request_is_one_json_line_with_its_route_template_and_id(
        self, client: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        task = client.post("/tasks", json={"title": "logged"}).json()
        with caplog.at_level(logging.INFO):
            client.get(f"/tasks/{task['id']}", headers={"X-Request-ID": "log-line-1"})
        (record,) = [r for r in records(caplog, "log-line-1") if r.name == "api.requests"]
        line = json.loads(JsonFormatter().format(record))
        assert line["method"] == "GET"
        assert line["route"] == "/tasks/{task_id}"
        assert line["status"] == 200
        assert line["request_id"] == "log-line-1"
        assert 0 < line["duration_ms"] < 10_000
        assert {"time", "level", "logger", "message"} <= set(line)

    @pytest.mark.parametrize(
        "created",
        [
            1_796_310_108.0,
            1_796_310_108.0004,
            1_796_310_108.4567,
            1_796_310_108.9994999,
            1_796_310_108.9999996,  # rounds up into the next second, as datetime does
            1_796_310_109.25,  # a second later: not the one remembered
            1_796_310_108.5,  # and back: lines from threads need not come in order
        ],
    )
    def test_a_lines_time_is_the_records_in_utc_to_the_millisecond(self, created: float) -> None:
        formatter = JsonFormatter()
        for earlier in (created, created - 1, created):  # remembered, forgotten, remembered again
            record = logging.LogRecord("api.requests", logging.INFO, "", 0, "x", None, None)
            record.created = earlier
            expected = datetime.fromtimestamp(earlier, UTC).isoformat(timespec="milliseconds")
            assert json.loads(formatter.format(record))["time"] == expected

    def test_text_lines_read_plainly(self, client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
        with caplog.at_level(logging.INFO):
            client.get("/health", headers={"X-Request-ID": "plain-1"})
        (record,) = records(caplog, "plain-1")
        text = TextFormatter().format(record)
        assert "GET /health 200" in text
        assert text.endswith("request_id=plain-1")
        assert not text.startswith("{")

    def test_errors_get_a_line_with_their_kind_but_never_the_input(
        self, client: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        client.post("/tasks", json={"title": SENTINEL})
        with caplog.at_level(logging.INFO):
            client.post("/tasks", json={"title": SENTINEL}, headers={"X-Request-ID": "dup-1"})
            client.post("/tasks", json={"title": SENTINEL, "extra": SENTINEL}, headers={"X-Request-ID": "bad-1"})
            client.get("/tasks/999999", headers={"X-Request-ID": "missing-1"})
        for request_id, status, kind in (("dup-1", 409, "AlreadyExists"), ("bad-1", 422, "RequestValidationError"),
                                         ("missing-1", 404, "NotFound")):  # fmt: skip
            (error,) = [r for r in records(caplog, request_id) if r.name == "api.errors"]
            line = json.loads(JsonFormatter().format(error))
            assert (line["status"], line["error"]) == (status, kind)
        every_line = "\n".join(JsonFormatter().format(r) for r in caplog.records)
        assert SENTINEL not in every_line

    def test_a_5xx_line_carries_the_stack(self, clean_database: LiveDatabase, client_for: Any) -> None:
        from tests.api.conftest import build_container
        from tests.support.sessions import failing_commit

        failing = failing_commit(RuntimeError("commit exploded"))
        client = client_for(build_container(clean_database, before_commit=failing), raise_server_exceptions=False)
        handler = _Collect()
        logging.getLogger("api.errors").addHandler(handler)
        try:
            client.post("/tasks", json={"title": SENTINEL}, headers={"X-Request-ID": "boom-1"})
        finally:
            logging.getLogger("api.errors").removeHandler(handler)
        (record,) = [r for r in handler.records if getattr(r, "request_id", None) == "boom-1"]
        line = json.loads(JsonFormatter().format(record))
        assert line["level"] == "ERROR"
        assert "Traceback" in line["exception"]
        assert "commit exploded" in line["exception"]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class TestMetrics:
    def test_requests_are_counted_by_route_template_and_status(self, client: TestClient) -> None:
        task = client.post("/tasks", json={"title": "counted"}).json()
        before = samples(client)
        for _ in range(3):
            client.get(f"/tasks/{task['id']}")
        client.get("/tasks/424242")
        after = samples(client)
        get_200 = {"method": "GET", "route": "/tasks/{task_id}", "status": "200"}
        get_404 = {"method": "GET", "route": "/tasks/{task_id}", "status": "404"}
        assert value(after, "http_requests_total", **get_200) - value(before, "http_requests_total", **get_200) == 3
        assert value(after, "http_requests_total", **get_404) - value(before, "http_requests_total", **get_404) == 1
        count = "http_request_duration_seconds_count"
        assert value(after, count, **get_200) - value(before, count, **get_200) == 3

    def test_units_of_work_and_conflicts_are_counted(self, client: TestClient) -> None:
        before = samples(client)
        client.post("/tasks", json={"title": "once"})
        client.post("/tasks", json={"title": "once"})
        client.get("/tasks")
        after = samples(client)

        def moved(name: str, **labels: str) -> float:
            return value(after, name, **labels) - value(before, name, **labels)

        assert moved("db_units_of_work_total", outcome="committed") == 1
        assert moved("db_units_of_work_total", outcome="rolled_back") == 1  # the duplicate, refused
        assert moved("db_units_of_work_total", outcome="read_only") == 1  # the list
        assert moved("conflicts_total", kind="duplicate") == 1

    def test_each_kind_of_conflict_is_counted(self, clean_database: LiveDatabase, client_for: Any) -> None:
        """The README's kinds: duplicate, still_referenced."""
        client = client_for(build_container(clean_database))
        ada = client.post("/authors", json={"name": "Ada"}).json()
        client.post("/posts", json={"title": "kept", "author_id": ada["id"]})
        client.post("/tasks", json={"title": "taken"})
        task = client.post("/tasks", json={"title": "mine"}).json()
        before = samples(client)
        assert client.post("/tasks", json={"title": "taken"}).status_code == 409
        assert client.patch(f"/tasks/{task['id']}", json={"title": "taken"}).status_code == 409
        assert client.delete(f"/authors/{ada['id']}").status_code == 409
        after = samples(client)
        moved = {kind: value(after, "conflicts_total", kind=kind) - value(before, "conflicts_total", kind=kind)
                 for kind in ("duplicate", "still_referenced")}  # fmt: skip
        assert moved == {"duplicate": 2, "still_referenced": 1}

    def test_the_pool_is_measured(self, client: TestClient) -> None:
        client.get("/tasks")
        before = samples(client)
        for _ in range(3):
            client.get("/tasks/1")
        found = samples(client)
        names = {name for name, _ in found}
        assert {"db_pool_connections_in_use", "db_pool_overflow_connections", "db_pool_timeouts_total"} <= names
        assert value(found, "db_pool_connections_in_use") == 0  # nothing held between requests
        checkouts = "db_pool_checkout_seconds_count"
        assert value(found, checkouts) - value(before, checkouts) == 3  # one unit of work each


class TestOpenAPI:
    def test_every_error_is_documented_as_problem_json_with_an_example(self, client: TestClient) -> None:
        document = client.get("/openapi.json").json()
        assert "Problem" in document["components"]["schemas"]
        assert "HTTPValidationError" not in document["components"]["schemas"]
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                responses = operation["responses"]
                assert "500" in responses, (method, path)
                for code, response in responses.items():
                    if int(code) >= 400:
                        (media_type,) = response["content"]
                        assert media_type == "application/problem+json", (method, path, code)
                        content = response["content"][media_type]
                        assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
                        assert content["examples"], (method, path, code)
                        for example in content["examples"].values():
                            assert example["value"]["status"] == int(code)

    def test_each_route_lists_what_it_can_answer(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        assert {"201", "409", "413", "422", "500", "503"} <= set(paths["/tasks"]["post"]["responses"])
        assert {"200", "404", "409", "412", "422", "500"} <= set(paths["/tasks/{task_id}"]["patch"]["responses"])
        assert {"204", "404", "409", "500"} <= set(paths["/authors/{author_id}"]["delete"]["responses"])
        assert {"200", "500", "503"} <= set(paths["/ready"]["get"]["responses"])
        assert "Retry-After" in paths["/ready"]["get"]["responses"]["503"]["headers"]
