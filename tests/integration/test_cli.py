"""The command-line tool, as a user runs it: a real process on a real database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infrastructure.tables import metadata
from tests.support.databases import ROOT


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrate_seed_and_count_a_fresh_database(fresh_database: str) -> None:
    migrated = cli(fresh_database, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    seeded = cli(fresh_database, "seed", "--tasks", "1500", "--authors", "7", "--posts", "40")
    assert seeded.returncode == 0, seeded.stderr
    assert "tasks" in seeded.stderr  # the progress bars
    counts = dict(line.split() for line in seeded.stdout.splitlines())
    assert counts == every_table_empty() | {"authors": "7", "tasks": "1,500", "posts": "40"}
    again = cli(fresh_database, "seed", "--tasks", "10", "--authors", "0", "--posts", "3", "--quiet")
    assert again.returncode == 0, again.stderr  # titles stay unique; posts go to existing authors
    assert again.stderr == ""
    counted = cli(fresh_database, "counts")
    assert dict(line.split() for line in counted.stdout.splitlines()) == every_table_empty() | {
        "authors": "7",
        "tasks": "1,510",
        "posts": "43",
    }


def every_table_empty() -> dict[str, str]:
    """`counts` lists every table, the ones this test does not fill included."""
    return {table.name: "0" for table in metadata.sorted_tables}


@pytest.mark.parametrize(
    ("url", "command", "status", "says"),
    [
        ("nonsense://x", "migrate", 2, "DATABASE_URL is not a database URL"),
        ("sqlite://", "counts", 2, "DATABASE_URL is not a database URL"),
        ("mysql://someone@localhost/db", "seed", 2, "DATABASE_URL is not a database URL"),
        ("postgresql+psycopg://someone:hunter2@127.0.0.1:1/none", "migrate", 3, "cannot reach the database"),
        ("postgresql+psycopg://someone:hunter2@127.0.0.1:1/none", "seed", 3, "cannot reach the database"),
    ],
)
def test_a_bad_or_unreachable_database_is_one_line_without_a_stack(
    url: str, command: str, status: int, says: str
) -> None:
    result = cli(url, command)
    assert result.returncode == status
    assert result.stderr.startswith(f"error: {says}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr  # no password in the message


def test_posts_without_any_author_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert cli(url, "migrate").returncode == 0
    result = cli(url, "seed", "--tasks", "0", "--authors", "0", "--posts", "5")
    assert result.returncode == 2
    assert "posts need authors" in result.stderr
