from collections.abc import Iterator
from functools import partial

import pytest
from sqlalchemy.orm import Session

from domain.tasks.repository import TaskRepository
from domain.unit_of_work import UnitOfWork
from infrastructure.repositories.tasks import SqlTaskRepository
from infrastructure.unit_of_work import SqlUnitOfWork
from tests.fakes.tasks import FakeTaskRepository
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.support.databases import LiveDatabase

SQL_REPOSITORIES = {TaskRepository: SqlTaskRepository}


def sql_unit_of_work(database: LiveDatabase) -> SqlUnitOfWork:
    session = partial(Session, database.engine, expire_on_commit=False, autoflush=False)
    return SqlUnitOfWork(session, SQL_REPOSITORIES)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_uow(request: pytest.FixtureRequest) -> Iterator[UnitOfWork]:
    """A unit of work over each implementation: the fake and both databases."""
    if request.param == "fake":
        yield FakeUnitOfWork({TaskRepository: FakeTaskRepository()})
        return
    database: LiveDatabase = request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "postgres_db")
    try:
        yield sql_unit_of_work(database)
        assert database.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        database.clean()


@pytest.fixture
def sql_uow(clean_database: LiveDatabase) -> SqlUnitOfWork:
    return sql_unit_of_work(clean_database)
