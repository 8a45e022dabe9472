from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.tasks.repository import TaskRepository
from domain.tasks.service import TaskService
from tests.fakes import fake_repositories
from tests.fakes.tasks import FakeTaskRepository
from tests.fakes.unit_of_work import FakeUnitOfWork


class TickingClock:
    """A clock that moves one second per reading: every timestamp is distinct and known."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def repositories() -> dict[type, Any]:
    return fake_repositories()


@pytest.fixture
def tasks(repositories: dict[type, Any]) -> FakeTaskRepository:
    fake: FakeTaskRepository = repositories[TaskRepository]
    return fake


@pytest.fixture
def uow(repositories: dict[type, Any]) -> FakeUnitOfWork:
    return FakeUnitOfWork(repositories)


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@pytest.fixture
def service(uow: FakeUnitOfWork, clock: TickingClock) -> TaskService:
    return TaskService(uow, clock=clock)
