"""Fixtures shared by every test: the databases.

`database` is parametrized over SQLite and PostgreSQL, so any test that takes it
(or a fixture built on it) runs on both. Without a reachable PostgreSQL its
tests skip with the reason; with CI=true they fail instead.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.databases import LiveDatabase, postgres_conninfo, postgres_database, sqlite_database

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server URL, once it answers."""
    try:
        psycopg.connect(postgres_conninfo(POSTGRES_URL), connect_timeout=3).close()
    except psycopg.Error as exc:
        reason = f"PostgreSQL is not reachable at {POSTGRES_URL} ({str(exc).strip()}); start it: {START_POSTGRES}"
        if IN_CI:
            pytest.fail(f"{reason}. Under CI=true a missing PostgreSQL is a failure, not a skip.")
        pytest.skip(reason)
    return POSTGRES_URL


@pytest.fixture(scope="session")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDatabase]:
    database = sqlite_database(Path(tmp_path_factory.mktemp("sqlite")))
    yield database
    database.engine.dispose()


@pytest.fixture(scope="session")
def postgres_db(postgres_server: str) -> Iterator[LiveDatabase]:
    with postgres_database(postgres_server) as database:
        yield database


@pytest.fixture(scope="session", params=DATABASES)
def database(request: pytest.FixtureRequest) -> LiveDatabase:
    """A migrated database of each kind, shared by the session."""
    fixture = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    db: LiveDatabase = request.getfixturevalue(fixture)
    return db


@pytest.fixture
def clean_database(database: LiveDatabase) -> Iterator[LiveDatabase]:
    """`database`, emptied after the test; the test must leave no connection
    checked out of the pool."""
    try:
        yield database
        assert database.engine.pool.checkedout() == 0, "a connection was left checked out"  # type: ignore[attr-defined]
    finally:
        database.clean()
