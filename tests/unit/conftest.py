from datetime import UTC, datetime, timedelta

import pytest

from domain.tasks.service import TaskService
from tests.fakes.tasks import FakeTaskRepository
from tests.fakes.unit_of_work import FakeUnitOfWork, with_me


class TickingClock:
    """A clock that moves one second per reading: every timestamp is distinct and known."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """A fake unit of work whose database holds the user ME, whom tests act as."""
    return with_me(FakeUnitOfWork())


@pytest.fixture
def tasks(uow: FakeUnitOfWork) -> FakeTaskRepository:
    """The unit's fake task repository, to look at what the service stored."""
    return uow.tasks


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@pytest.fixture
def service(uow: FakeUnitOfWork, clock: TickingClock) -> TaskService:
    return TaskService(uow, clock=clock)
