from collections.abc import Iterator

import pytest
from sqlmodel import Session

from api.container import Container
from domain.unit_of_work import UnitOfWork
from infrastructure.unit_of_work import SqlUnitOfWork, session_factory
from tests.factories.base import persisting_through
from tests.fakes import fake_unit_of_work
from tests.support.databases import LiveDatabase

# The production mapping of interfaces to SQL repositories, whatever it holds.
SQL_REPOSITORIES = Container.repositories()


def sql_unit_of_work(database: LiveDatabase) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(database.engine), SQL_REPOSITORIES)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_uow(request: pytest.FixtureRequest) -> Iterator[UnitOfWork]:
    """A unit of work over each implementation: the fake and both databases."""
    if request.param == "fake":
        yield fake_unit_of_work()
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
