"""Fixtures shared by every test: the databases.

`database` is parametrized over SQLite and PostgreSQL, so any test that takes it
(or a fixture built on it) runs on both. Without a reachable PostgreSQL its
tests skip with the reason; with CI=true they fail instead.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from infrastructure.database import build_engine
from infrastructure.settings import Settings
from tests.support.databases import LiveDatabase, postgres_conninfo, postgres_database, sqlite_database
from tests.support.pgbouncer import pgbouncer_binary, running_pgbouncer

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
# The API suite runs a third time through PgBouncer, with prepared statements off.
API_DATABASES = [*DATABASES, pytest.param("pgbouncer", marks=[pytest.mark.postgres, pytest.mark.pgbouncer])]


def missing(reason: str) -> None:
    """Skip the test for want of a service, or fail it under CI=true."""
    if IN_CI:
        pytest.fail(f"{reason}. Under CI=true a missing service is a failure, not a skip.")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server URL, once it answers."""
    try:
        psycopg.connect(postgres_conninfo(POSTGRES_URL), connect_timeout=3).close()
    except psycopg.Error as exc:
        missing(f"PostgreSQL is not reachable at {POSTGRES_URL} ({str(exc).strip()}); start it: {START_POSTGRES}")
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


@pytest.fixture(scope="session")
def pgbouncer_db(postgres_db: LiveDatabase) -> Iterator[LiveDatabase]:
    """The session's PostgreSQL database behind PgBouncer in transaction mode, as
    Neon's pooler or a PgBouncer in production would put it."""
    if pgbouncer_binary() is None:
        missing("PgBouncer is not installed (apt-get install pgbouncer; .ci/run does it)")
    with running_pgbouncer(postgres_db.url) as url:
        defaults: dict[str, Any] = {"db_prepared_statements": False}
        engine = build_engine(Settings(database_url=url, **defaults))
        yield LiveDatabase("pgbouncer", url, engine, defaults)
        engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database(request: pytest.FixtureRequest) -> LiveDatabase:
    """A migrated database of each kind, shared by the session."""
    db: LiveDatabase = request.getfixturevalue(f"{request.param}_db")
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
