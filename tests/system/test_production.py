"""What operators see of a real server: its log lines, its metrics across
worker processes, and how it stops."""

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import make_url

from tests.support.databases import LiveDatabase
from tests.support.server import running_server

pytestmark = pytest.mark.slow

SENTINEL = "zz-private-title-4410"
PASSWORD = "s3cr3t-pw-991"


def log_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_json_logs_name_each_request_and_never_the_body_or_the_password(database: LiveDatabase, tmp_path: Path) -> None:
    url = database.url
    if database.kind != "sqlite":  # trust authentication ignores the password; the logs must not show it
        url = make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)
    with (
        running_server(tmp_path, url, workers=1, log_format="json") as server,
        httpx2.Client(base_url=server.url, headers=server.headers()) as client,
    ):
        client.post("/tasks", json={"title": SENTINEL}, headers={"X-Request-ID": "first-write"})
        client.post("/tasks", json={"title": SENTINEL}, headers={"X-Request-ID": "second-write"})
        client.post("/tasks", json={"title": 5, "description": SENTINEL}, headers={"X-Request-ID": "bad"})
        client.get("/tasks/1", headers={"X-Request-ID": "read-1"})
    text = server.log_text()  # the server has stopped: every line is written
    lines = log_lines(text)
    assert len(lines) == len(text.strip().splitlines()), "every line is JSON"
    requests = {line["request_id"]: line for line in lines if line["logger"] == "api.requests"}
    assert requests["read-1"]["route"] == "/tasks/{task_id}"
    assert requests["read-1"]["status"] == 200
    assert requests["second-write"]["status"] == 409
    assert requests["bad"]["status"] == 422
    errors = {line["request_id"]: line for line in lines if line["logger"] == "api.errors"}
    assert errors["second-write"]["error"] == "AlreadyExists"
    assert SENTINEL not in text
    assert PASSWORD not in text


def test_text_logs_are_plain_lines(sqlite_db: LiveDatabase, tmp_path: Path) -> None:
    with running_server(tmp_path, sqlite_db.url, log_format="text") as server:
        httpx2.get(f"{server.url}/health", headers={"X-Request-ID": "plain-text"})
    text = server.log_text()
    (line,) = [line for line in text.splitlines() if "request_id=plain-text" in line]
    assert " INFO api.requests GET /health 200 " in line
    assert not any(line.startswith("{") for line in text.splitlines())


def test_metrics_add_up_across_two_workers(database: LiveDatabase, tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    with running_server(tmp_path, database.url, workers=2, prometheus_multiproc_dir=str(metrics_dir)) as server:
        before = health_count(httpx2.get(f"{server.url}/metrics").text)  # the start-up probes

        def hit(n: int) -> None:
            with httpx2.Client(base_url=server.url) as client:
                for _ in range(n):
                    assert client.get("/health").status_code == 200

        threads = [threading.Thread(target=hit, args=(25,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        scraped = [httpx2.get(f"{server.url}/metrics").text for _ in range(6)]  # whichever worker answers
    pids = {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")}
    assert len(pids) == 2, f"both workers served and counted: {pids}"
    for text in scraped:
        assert health_count(text) - before == 100


def health_count(metrics_text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == "http_requests_total" and sample.labels.get("route") == "/health"
    )


def test_a_stop_signal_lets_the_request_in_flight_finish_and_closes_the_pool(
    sqlite_db: LiveDatabase, tmp_path: Path
) -> None:
    with running_server(tmp_path, sqlite_db.url, app="tests.support.slow_app:app") as server:
        answer: dict[str, Any] = {}
        headers = server.headers()

        def slow_request() -> None:
            answer["response"] = httpx2.get(f"{server.url}/tasks", timeout=30, headers=headers)

        thread = threading.Thread(target=slow_request)
        thread.start()
        time.sleep(0.5)  # the request is now in its 1.5 s of work
        os.killpg(server.process.pid, signal.SIGTERM)
        thread.join()
        # uvicorn re-raises the signal once it has shut down cleanly.
        assert server.process.wait(timeout=15) in (0, -signal.SIGTERM)
        log = server.log_text()
    assert answer["response"].status_code == 200
    assert log.index("stopped: requests answered, database pool closed") > log.index("Shutting down")


def test_each_request_is_logged_once_not_also_by_uvicorn(sqlite_db: LiveDatabase, tmp_path: Path) -> None:
    with running_server(tmp_path, sqlite_db.url, log_format="text") as server:
        httpx2.get(f"{server.url}/health", headers={"X-Request-ID": "only-once"})
    text = server.log_text()
    assert [line for line in text.splitlines() if "/health" in line and "HTTP/1.1" in line] == []  # uvicorn's format
    assert len([line for line in text.splitlines() if "request_id=only-once" in line]) == 1
