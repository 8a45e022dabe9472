from datetime import UTC, datetime

import pytest

from domain.pages import PageRequest, SortKey, total_from_page
from domain.preconditions import VersionPrecondition
from domain.tasks.model import NewTask, Priority, Status, TaskChanges, TaskQuery

AT = datetime(2026, 1, 1, tzinfo=UTC)
LATER = datetime(2026, 1, 2, tzinfo=UTC)


def test_status_and_priority_order_by_meaning_not_alphabet() -> None:
    assert sorted([Priority.HIGH, Priority.LOW, Priority.MEDIUM]) == [Priority.LOW, Priority.MEDIUM, Priority.HIGH]
    assert sorted([Status.DONE, Status.TODO, Status.IN_PROGRESS]) == [Status.TODO, Status.IN_PROGRESS, Status.DONE]
    assert Priority.LOW < Priority.HIGH  # alphabetically "high" < "low"
    assert [p.rank for p in Priority] == [0, 1, 2]


def test_members_of_different_enums_do_not_compare() -> None:
    with pytest.raises(TypeError):
        _ = Priority.LOW < Status.DONE


def test_enum_members_are_their_json_strings() -> None:
    assert Status.IN_PROGRESS.value == "in_progress"
    assert isinstance(Status.IN_PROGRESS, str)
    assert Status("done") is Status.DONE


def test_a_new_task_is_stored_at_version_one_with_equal_timestamps() -> None:
    task = NewTask(title="T").stored_as(7, AT)
    assert (task.id, task.version, task.created_at, task.updated_at) == (7, 1, AT, AT)
    assert (task.status, task.priority, task.description) == (Status.TODO, Priority.MEDIUM, None)


def test_changes_that_alter_nothing_return_the_same_task() -> None:
    task = NewTask(title="T", status=Status.DONE).stored_as(1, AT)
    assert task.changed_by(TaskChanges(), LATER) is task
    assert task.changed_by(TaskChanges(title="T", status=Status.DONE), LATER) is task


def test_a_real_change_bumps_the_version_and_stamps_updated_at_only() -> None:
    task = NewTask(title="T").stored_as(1, AT)
    changed = task.changed_by(TaskChanges(description="now"), LATER)
    assert (changed.description, changed.version, changed.updated_at, changed.created_at) == ("now", 2, LATER, AT)


def test_order_always_ends_on_id() -> None:
    assert TaskQuery().order() == (SortKey("id"),)
    assert TaskQuery(sort=(SortKey("title", True),)).order() == (SortKey("title", True), SortKey("id"))
    assert TaskQuery(sort=(SortKey("id", True),)).order() == (SortKey("id", True),)


@pytest.mark.parametrize(
    ("skip", "limit", "fetched", "total"),
    [
        (0, 50, 0, 0),  # an empty first page: no rows at all
        (0, 50, 7, 7),  # a short first page is everything
        (100, 50, 7, 107),  # a short later page is the last one
        (0, 50, 50, None),  # a full page: more may follow, COUNT needed
        (100, 50, 0, None),  # past the end: only COUNT knows the total
    ],
)
def test_total_from_page(skip: int, limit: int, fetched: int, total: int | None) -> None:
    assert total_from_page(PageRequest(skip, limit), fetched) == total


def test_version_precondition() -> None:
    assert VersionPrecondition(frozenset({1, 3})).matches(3)
    assert not VersionPrecondition(frozenset({1, 3})).matches(2)
    assert not VersionPrecondition().matches(1)
    assert VersionPrecondition(any_version=True).matches(99)
