import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url
from sqlmodel import Session

from domain.unit_of_work import UnitOfWork
from infrastructure.unit_of_work import SqlUnitOfWork, session_factory
from tests.factories.base import persisting_through
from tests.fakes import FakeUnitOfWork
from tests.support.databases import LiveDatabase, postgres_conninfo


def sql_unit_of_work(database: LiveDatabase) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(database.engine))


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_uow(request: pytest.FixtureRequest) -> Iterator[UnitOfWork]:
    """A unit of work over each implementation: the fake and both databases."""
    if request.param == "fake":
        yield FakeUnitOfWork()
        return
    database: LiveDatabase = request.getfixturevalue(f"{request.param}_db")
    try:
        yield sql_unit_of_work(database)
        assert database.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        database.clean()


@pytest.fixture
def sql_uow(clean_database: LiveDatabase) -> SqlUnitOfWork:
    return sql_unit_of_work(clean_database)


@pytest.fixture
def session(clean_database: LiveDatabase) -> Iterator[Session]:
    """A session of the test's own, configured as the app's; the row factories
    (tests/factories) persist through it. Closed, and the database emptied, after."""
    with session_factory(clean_database.engine)() as own, persisting_through(own):
        yield own


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each kind, never migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server: str = request.getfixturevalue("postgres_server")
    name = f"tasks_fresh_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_conninfo(server), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(postgres_conninfo(server), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
