"""The unit-of-work contract on the fake (tests/integration pins the SQL one)."""

import pytest

from domain.pages import PageRequest
from domain.tasks.model import NewTask, TaskQuery
from tests.fakes.tasks import FakeTaskRepository
from tests.fakes.unit_of_work import ME, FakeUnitOfWork
from tests.unit.conftest import TickingClock


def test_without_commit_nothing_is_kept(uow: FakeUnitOfWork, tasks: FakeTaskRepository, clock: TickingClock) -> None:
    with uow.acting_as(ME):
        uow.tasks.add(NewTask(title="T"), clock())
    assert tasks.get(1) is None
    assert uow.rollbacks == 1


def test_an_exception_after_writes_rolls_them_back(
    uow: FakeUnitOfWork, tasks: FakeTaskRepository, clock: TickingClock
) -> None:
    with pytest.raises(RuntimeError), uow.acting_as(ME):
        uow.tasks.add(NewTask(title="T"), clock())
        raise RuntimeError("boom")
    assert tasks.get(1) is None


def test_commit_keeps_what_came_before_it_only(
    uow: FakeUnitOfWork, tasks: FakeTaskRepository, clock: TickingClock
) -> None:
    with uow.acting_as(ME):
        repo = uow.tasks
        repo.add(NewTask(title="kept"), clock())
        uow.commit()
        repo.add(NewTask(title="dropped"), clock())
    assert [t.title for t in (tasks.get(1), tasks.get(2)) if t] == ["kept"]


def test_cannot_be_entered_twice_at_once(uow: FakeUnitOfWork) -> None:
    with uow, pytest.raises(RuntimeError), uow.acting_as(ME):
        pass


def test_a_reading_block_may_not_write_or_commit(
    uow: FakeUnitOfWork, tasks: FakeTaskRepository, clock: TickingClock
) -> None:
    with pytest.raises(AssertionError, match="wrote"), uow.acting_as(ME).reading():
        uow.tasks.add(NewTask(title="sneaky"), clock())
    assert tasks.get(1) is None
    with pytest.raises(RuntimeError, match="cannot commit"), uow.acting_as(ME).reading():
        uow.commit()


def test_a_page_that_needs_a_count_asks_for_a_snapshot(
    uow: FakeUnitOfWork, tasks: FakeTaskRepository, clock: TickingClock
) -> None:
    """As on PostgreSQL (tests/integration/test_page_snapshot.py): a plain
    reading unit may see each statement's own snapshot, so a page whose total
    its length does not tell is refused there; a service that forgot
    `snapshot=True` fails on the fakes as it would in production."""
    for number in range(3):
        tasks.add(NewTask(title=f"t{number}"), clock())
    full_page = TaskQuery(page=PageRequest(limit=2))
    with pytest.raises(RuntimeError, match=r"reading\(snapshot=True\)"), uow.acting_as(ME).reading():
        uow.tasks.find(full_page)
    with uow.acting_as(ME).reading():
        assert uow.tasks.find(TaskQuery(page=PageRequest(skip=2, limit=2))).total == 3  # short: no COUNT
    with uow.acting_as(ME).reading(snapshot=True):
        assert uow.tasks.find(full_page).total == 3
    with uow.acting_as(ME):
        assert uow.tasks.find(full_page).total == 3  # a writing unit is a transaction


def test_a_block_without_an_acting_user_sees_no_task(uow: FakeUnitOfWork, clock: TickingClock) -> None:
    """Fail closed, as the SQL repositories: tasks are read and written for someone."""
    with uow.acting_as(ME):
        uow.tasks.add(NewTask(title="mine"), clock())
        uow.commit()
    with uow.reading(), pytest.raises(PermissionError, match="acting_as"):
        uow.tasks.get(1)
