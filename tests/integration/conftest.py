import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url
from sqlmodel import Session

from domain.unit_of_work import UnitOfWork
from domain.users.model import NewUser
from infrastructure.unit_of_work import SqlUnitOfWork, session_factory
from tests.factories.base import persisting_through
from tests.factories.users import UserRowFactory
from tests.fakes import ME, FakeUnitOfWork, with_me
from tests.support.databases import LiveDatabase, postgres_conninfo


def sql_unit_of_work(database: LiveDatabase) -> SqlUnitOfWork:
    """A unit of work on `database`, which holds the user ME (the first one):
    the rows a test adds acting as ME are theirs."""
    add_me(database)
    return SqlUnitOfWork(session_factory(database.engine))


def add_me(database: LiveDatabase) -> None:
    """Store the user ME in `database` (emptied after each test), unless there."""
    uow = SqlUnitOfWork(session_factory(database.engine))
    with uow:
        me = uow.users.by_email(EMAIL) or uow.users.add(NewUser(EMAIL, "not a real hash"), datetime.now(UTC))
        uow.commit()
    assert me.id == ME.user_id, "the test database should start without users"


@pytest.fixture
def database_with_me(clean_database: LiveDatabase) -> LiveDatabase:
    add_me(clean_database)
    return clean_database


EMAIL = "me@example.com"


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_uow(request: pytest.FixtureRequest) -> Iterator[UnitOfWork]:
    """A unit of work over each implementation: the fake and both databases."""
    if request.param == "fake":
        yield with_me(FakeUnitOfWork())
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
        me = UserRowFactory.create(email=EMAIL)  # ME: the rows the factories make are theirs
        assert me.id == ME.user_id
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
