"""The unit-of-work contract on the fake (tests/integration pins the SQL one)."""

import pytest

from domain.tasks.model import NewTask
from tests.fakes.tasks import FakeTaskRepository
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.unit.conftest import TickingClock


def test_without_commit_nothing_is_kept(uow: FakeUnitOfWork, tasks: FakeTaskRepository, clock: TickingClock) -> None:
    with uow:
        uow.tasks.add(NewTask(title="T"), clock())
    assert tasks.get(1) is None
    assert uow.rollbacks == 1


def test_an_exception_after_writes_rolls_them_back(
    uow: FakeUnitOfWork, tasks: FakeTaskRepository, clock: TickingClock
) -> None:
    with pytest.raises(RuntimeError), uow:
        uow.tasks.add(NewTask(title="T"), clock())
        raise RuntimeError("boom")
    assert tasks.get(1) is None


def test_commit_keeps_what_came_before_it_only(
    uow: FakeUnitOfWork, tasks: FakeTaskRepository, clock: TickingClock
) -> None:
    with uow:
        repo = uow.tasks
        repo.add(NewTask(title="kept"), clock())
        uow.commit()
        repo.add(NewTask(title="dropped"), clock())
    assert [t.title for t in (tasks.get(1), tasks.get(2)) if t] == ["kept"]


def test_cannot_be_entered_twice_at_once(uow: FakeUnitOfWork) -> None:
    with uow, pytest.raises(RuntimeError), uow:
        pass


def test_a_reading_block_may_not_write_or_commit(
    uow: FakeUnitOfWork, tasks: FakeTaskRepository, clock: TickingClock
) -> None:
    with pytest.raises(AssertionError, match="wrote"), uow.reading():
        uow.tasks.add(NewTask(title="sneaky"), clock())
    assert tasks.get(1) is None
    with pytest.raises(RuntimeError, match="cannot commit"), uow.reading():
        uow.commit()
