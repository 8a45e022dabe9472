"""A bug in a real server process: the client learns nothing but the request id;
the server's log has the whole story under that id."""

from pathlib import Path

import httpx2
import pytest

from tests.support.databases import LiveDatabase
from tests.support.server import running_server

pytestmark = pytest.mark.slow


def test_a_bug_is_a_bare_500_and_the_log_has_its_stack_under_the_request_id(
    sqlite_db: LiveDatabase, tmp_path: Path
) -> None:
    with running_server(tmp_path, sqlite_db.url, app="tests.support.buggy_app:app") as server:
        headers = {**server.headers(), "X-Request-ID": "bug-report-7"}
        response = httpx2.get(f"{server.url}/tasks/1", headers=headers)
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["x-request-id"] == "bug-report-7"
        assert response.json() == {
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": 500,
            "detail": "Internal server error",
            "request_id": "bug-report-7",
        }
        assert httpx2.get(f"{server.url}/health").status_code == 200  # the process lives on
        log = server.log_text()
    assert "request_id=bug-report-7" in log
    assert "Traceback" in log
    assert "planted bug: secret-detail-in-the-exception" in log
    assert log.index("request_id=bug-report-7") < log.index("planted bug")
