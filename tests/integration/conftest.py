from collections.abc import Iterator

import pytest

from api.container import Container
from domain.unit_of_work import UnitOfWork
from infrastructure.unit_of_work import SqlUnitOfWork
from tests.fakes import fake_unit_of_work
from tests.support.databases import LiveDatabase

# The production mapping of interfaces to SQL repositories, whatever it holds.
SQL_REPOSITORIES = Container.repositories()


def sql_unit_of_work(database: LiveDatabase) -> SqlUnitOfWork:
    return SqlUnitOfWork(database.engine.connect, SQL_REPOSITORIES)


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
