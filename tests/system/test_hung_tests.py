"""A test that hangs fails, named, after the configured timeout (pytest-timeout),
and the tests after it still run: a leaked connection costs one failure, not the
CI job's whole time limit."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.databases import postgres_conninfo

ROOT = Path(__file__).resolve().parents[2]
# The reason under each failed test's traceback (the summary's copy of it is cut
# to the terminal's width).
TIMED_OUT = re.compile(r"^E +Failed: Timeout \(>1\.0s\) from pytest-timeout\.$", re.MULTILINE)

HANGING = """
import threading
import time


def test_waits_for_a_connection_nobody_returns():
    threading.Event().wait()  # as a checkout from an exhausted pool without a timeout


def test_sleeps_forever():
    time.sleep(3600)


def test_after_them():
    assert True
"""


WAITING_ON_POSTGRESQL = """
import os
import re

import psycopg


def test_waits_for_a_lock_that_a_leaked_connection_holds():
    holder = psycopg.connect(os.environ["CONNINFO"], autocommit=True)
    holder.execute("SELECT pg_advisory_lock(4242)")
    waiter = psycopg.connect(os.environ["CONNINFO"], autocommit=True)
    try:
        waiter.execute("SELECT pg_advisory_lock(4242)")  # psycopg waits in C
    finally:
        waiter.close()
        holder.close()


def test_after_it():
    assert True
"""


def run_with_timeout_1s(directory: Path, test_file: str, source: str, **env: str) -> subprocess.CompletedProcess[str]:
    """pytest on `source` with the project's configuration, its timeout shortened."""
    (directory / test_file).write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(directory),
         "-p", "no:cacheprovider", "-o", "timeout=1", test_file],
        check=False, capture_output=True, text=True, timeout=60, cwd=directory,
        env={**os.environ, "PYTEST_ADDOPTS": "", **env},  # not the outer run's options
    )  # fmt: skip


def test_the_suite_has_a_timeout_for_every_test(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.getini("timeout") == "120"
    assert pytestconfig.getini("timeout_method") == "signal"


def test_a_hung_test_fails_with_its_name_and_the_run_goes_on(tmp_path: Path) -> None:
    run = run_with_timeout_1s(tmp_path, "test_hanging.py", HANGING)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "FAILED test_hanging.py::test_waits_for_a_connection_nobody_returns" in run.stdout
    assert "FAILED test_hanging.py::test_sleeps_forever" in run.stdout
    assert len(TIMED_OUT.findall(run.stdout)) == 2
    assert "2 failed, 1 passed" in run.stdout


@pytest.mark.postgres
def test_a_test_waiting_on_postgresql_fails_too(tmp_path: Path, postgres_server: str) -> None:
    run = run_with_timeout_1s(
        tmp_path, "test_waiting.py", WAITING_ON_POSTGRESQL, CONNINFO=postgres_conninfo(postgres_server)
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "FAILED test_waiting.py::test_waits_for_a_lock_that_a_leaked_connection_holds" in run.stdout
    assert len(TIMED_OUT.findall(run.stdout)) == 1
    assert "1 failed, 1 passed" in run.stdout
