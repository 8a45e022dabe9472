"""The command-line tool, as a user runs it: a real process on a real database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from infrastructure.tables import metadata
from tests.support.databases import ROOT

EMAIL = "seeder@example.com"
PASSWORD = "a password long enough"


def cli(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        check=False,
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrate_seed_and_count_a_fresh_database(fresh_database: str) -> None:
    migrated = cli(fresh_database, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    created = cli(fresh_database, "create-user", "--email", EMAIL, "--password-stdin", stdin=f"{PASSWORD}\n")
    assert created.returncode == 0, created.stderr
    assert created.stdout == f"created user 1 <{EMAIL}>\n"
    assert PASSWORD not in created.stdout + created.stderr
    seeded = cli(fresh_database, "seed", "--email", EMAIL, "--tasks", "1500", "--authors", "7", "--posts", "40")
    assert seeded.returncode == 0, seeded.stderr
    assert "tasks" in seeded.stderr  # the progress bars
    counts = dict(line.split() for line in seeded.stdout.splitlines())
    assert counts == every_table_empty() | {"authors": "7", "tasks": "1,500", "posts": "40", "users": "1"}
    again = cli(fresh_database, "seed", "--email", EMAIL, "--tasks", "10", "--authors", "0", "--posts", "3", "--quiet")
    assert again.returncode == 0, again.stderr  # titles stay unique; posts go to existing authors
    assert again.stderr == ""
    counted = cli(fresh_database, "counts")
    assert dict(line.split() for line in counted.stdout.splitlines()) == every_table_empty() | {
        "authors": "7",
        "tasks": "1,510",
        "posts": "43",
        "users": "1",
    }


def test_seeding_for_a_user_who_does_not_exist_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert cli(url, "migrate").returncode == 0
    result = cli(url, "seed", "--email", "nobody@example.com", "--tasks", "1")
    assert (result.returncode, result.stderr) == (
        2,
        "error: no user nobody@example.com: create it with `create-user` first\n",
    )


def test_a_short_password_or_a_taken_email_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    assert cli(url, "migrate").returncode == 0
    short = cli(url, "create-user", "--email", EMAIL, "--password-stdin", stdin="short\n")
    too_short = "error: password: String should have at least 12 characters\n"
    assert (short.returncode, short.stderr) == (2, too_short)
    no_domain = cli(url, "create-user", "--email", "ada@localhost", "--password-stdin", stdin=PASSWORD)
    assert no_domain.returncode == 2
    assert no_domain.stderr.startswith("error: email: An email is one @")
    assert cli(url, "create-user", "--email", EMAIL, "--password-stdin", stdin=PASSWORD).returncode == 0
    taken = cli(url, "create-user", "--email", EMAIL.upper(), "--password-stdin", stdin=PASSWORD)
    assert (taken.returncode, taken.stderr) == (3, "error: A user with this email already exists\n")


def test_adopt_gives_the_rows_of_a_1_1_database_an_owner(fresh_database: str) -> None:
    """Rows from before users belong to no one (and no one sees those tasks)
    until an operator adopts them for a user."""
    assert cli(fresh_database, "migrate").returncode == 0
    engine = create_engine(fresh_database)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO tasks (title, status, priority, created_at, updated_at, version)"
                    " VALUES ('old', 'todo', 'low', '2026-01-01', '2026-01-01', 1)"
                )
            )
            connection.execute(text("INSERT INTO authors (name, created_at) VALUES ('Old', '2026-01-01')"))
        assert cli(fresh_database, "create-user", "--email", EMAIL, "--password-stdin", stdin=PASSWORD).returncode == 0
        adopted = cli(fresh_database, "adopt", "--email", EMAIL)
        assert adopted.returncode == 0, adopted.stderr
        assert "tasks               1 adopted" in adopted.stdout
        assert "authors             1 adopted" in adopted.stdout
        with engine.connect() as connection:
            owners = connection.execute(text("SELECT owner_id FROM tasks UNION ALL SELECT owner_id FROM authors"))
            assert [row[0] for row in owners] == [1, 1]
    finally:
        engine.dispose()


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
    result = cli(url, command, *(["--email", EMAIL] if command == "seed" else []))
    assert result.returncode == status
    assert result.stderr.startswith(f"error: {says}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr  # no password in the message


def test_posts_without_any_author_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert cli(url, "migrate").returncode == 0
    assert cli(url, "create-user", "--email", EMAIL, "--password-stdin", stdin=PASSWORD).returncode == 0
    result = cli(url, "seed", "--email", EMAIL, "--tasks", "0", "--authors", "0", "--posts", "5")
    assert result.returncode == 2
    assert "posts need authors" in result.stderr
