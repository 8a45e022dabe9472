"""One contract for every TaskRepository: the fake and SQL on both databases.

A behaviour the fake gets wrong fails here, so unit tests built on the fake
cannot drift from what the service does in production.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import AlreadyExists
from domain.pages import PageRequest, SortKey
from domain.tasks.model import NewTask, Priority, Status, Task, TaskQuery
from domain.unit_of_work import UnitOfWork
from domain.users.model import Actor, NewUser
from tests.factories.tasks import new_tasks
from tests.fakes.unit_of_work import ME

AT = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


def add(uow: UnitOfWork, *new: NewTask, at: datetime = AT) -> list[Task]:
    with uow.acting_as(ME):
        tasks = uow.tasks.add_many(list(new), at)
        uow.commit()
    return tasks


def find(uow: UnitOfWork, **query: object) -> tuple[list[str], int]:
    with uow.acting_as(ME):
        page = uow.tasks.find(TaskQuery(**query))  # type: ignore[arg-type]
    return [t.title for t in page.items], page.total


def get(uow: UnitOfWork, task_id: int) -> Task | None:
    with uow.acting_as(ME):
        return uow.tasks.get(task_id)


def test_add_then_get_round_trips_every_field(any_uow: UnitOfWork) -> None:
    with any_uow.acting_as(ME):
        task = any_uow.tasks.add(
            NewTask(title="Ünïcode ✓", description="  verbatim  ", status=Status.IN_PROGRESS, priority=Priority.HIGH),
            AT,
        )
        any_uow.commit()
    assert get(any_uow, task.id) == task
    assert task.created_at == task.updated_at == AT
    assert task.created_at.utcoffset() == timedelta(0)
    assert task.version == 1


def test_get_of_a_missing_id_is_none(any_uow: UnitOfWork) -> None:
    assert get(any_uow, 123456) is None


def test_add_many_returns_input_order_with_ids_that_name_those_rows(any_uow: UnitOfWork) -> None:
    # Titles in descending order, so an answer sorted by title or by anything but
    # the input would pair ids and titles wrongly.
    batch = [NewTask(title=f"bulk {n:03d}") for n in reversed(range(250))]
    created = add(any_uow, *batch)
    assert [t.title for t in created] == [n.title for n in batch]
    for task in created[::25]:
        assert get(any_uow, task.id) == task


def test_a_duplicate_title_is_already_exists_and_the_batch_stores_nothing(any_uow: UnitOfWork) -> None:
    add(any_uow, NewTask(title="taken"))
    with pytest.raises(AlreadyExists):
        add(any_uow, *new_tasks(3), NewTask(title="taken"))
    assert find(any_uow)[1] == 1


def test_titles_compare_exactly(any_uow: UnitOfWork) -> None:
    add(any_uow, NewTask(title="Title"), NewTask(title="title"), NewTask(title="Title "))
    assert find(any_uow)[1] == 3


def test_update_stores_every_field_of_the_task_read_for_update(any_uow: UnitOfWork) -> None:
    first, second = add(any_uow, NewTask(title="v1"), NewTask(title="other"))
    newer = _fields(
        first, title="v2", description="now described", status=Status.DONE, priority=Priority.HIGH,
        updated_at=AT + timedelta(hours=1, microseconds=3), version=2,
    )  # fmt: skip
    with any_uow.acting_as(ME):
        assert any_uow.tasks.get_for_update(first.id) == first
        any_uow.tasks.update(newer)
        any_uow.commit()
    assert get(any_uow, first.id) == newer
    assert get(any_uow, second.id) == second  # its one row only


def test_update_to_a_taken_title_is_already_exists(any_uow: UnitOfWork) -> None:
    _, second = add(any_uow, NewTask(title="one"), NewTask(title="two"))
    with pytest.raises(AlreadyExists), any_uow.acting_as(ME):
        any_uow.tasks.get_for_update(second.id)
        any_uow.tasks.update(_fields(second, title="one", version=2))
        any_uow.commit()
    assert get(any_uow, second.id) == second


def test_delete(any_uow: UnitOfWork) -> None:
    (task,) = add(any_uow, NewTask(title="gone"))
    with any_uow.acting_as(ME):
        repo = any_uow.tasks
        assert repo.delete(task.id)
        assert not repo.delete(task.id)
        any_uow.commit()
    assert get(any_uow, task.id) is None


def test_get_for_update_reads_like_get(any_uow: UnitOfWork) -> None:
    (task,) = add(any_uow, NewTask(title="locked"))
    with any_uow.acting_as(ME):
        assert any_uow.tasks.get_for_update(task.id) == task
    with any_uow.acting_as(ME):
        assert any_uow.tasks.get_for_update(task.id + 1000) is None


def test_existing_titles(any_uow: UnitOfWork) -> None:
    add(any_uow, NewTask(title="a"), NewTask(title="b"))
    with any_uow.acting_as(ME):
        assert any_uow.tasks.existing_titles({"b", "c"}) == {"b"}
        assert any_uow.tasks.existing_titles(set()) == set()


class TestFind:
    @pytest.fixture(autouse=True)
    def rows(self, any_uow: UnitOfWork) -> None:
        add(
            any_uow,
            NewTask(title="Alpha report", status=Status.TODO, priority=Priority.HIGH),
            NewTask(title="beta 100% done", status=Status.DONE, priority=Priority.LOW),
            NewTask(title="gamma_under", status=Status.IN_PROGRESS, priority=Priority.MEDIUM),
            NewTask(title="ÄRGER im Büro", status=Status.TODO, priority=Priority.LOW),
            NewTask(title="delta", status=Status.DONE, priority=Priority.HIGH),
        )

    def test_default_order_is_id(self, any_uow: UnitOfWork) -> None:
        assert find(any_uow) == (["Alpha report", "beta 100% done", "gamma_under", "ÄRGER im Büro", "delta"], 5)

    def test_filters_take_any_of_several_values(self, any_uow: UnitOfWork) -> None:
        assert find(any_uow, statuses=frozenset({Status.DONE, Status.IN_PROGRESS}))[1] == 3
        titles, total = find(any_uow, statuses=frozenset({Status.TODO}), priorities=frozenset({Priority.LOW}))
        assert (titles, total) == (["ÄRGER im Büro"], 1)

    def test_text_is_a_case_insensitive_substring_even_beyond_ascii(self, any_uow: UnitOfWork) -> None:
        assert find(any_uow, text="REPORT")[0] == ["Alpha report"]
        assert find(any_uow, text="ärger")[0] == ["ÄRGER im Büro"]
        assert find(any_uow, text="BÜRO")[0] == ["ÄRGER im Büro"]

    @pytest.mark.parametrize(("text", "titles"), [("%", ["beta 100% done"]), ("_", ["gamma_under"]), ("a%d", [])])
    def test_wildcards_in_text_are_literal(self, any_uow: UnitOfWork, text: str, titles: list[str]) -> None:
        assert find(any_uow, text=text)[0] == titles

    @pytest.mark.parametrize(("text", "found"), [("a/b", True), ("/b%", True), ("//", False), ("a/", True)])
    def test_the_escape_character_itself_is_literal_too(self, any_uow: UnitOfWork, text: str, found: bool) -> None:
        add(any_uow, NewTask(title="path a/b%c"))
        assert find(any_uow, text=text)[0] == (["path a/b%c"] if found else [])

    def test_priority_and_status_sort_by_meaning_with_ties_on_id(self, any_uow: UnitOfWork) -> None:
        titles, _ = find(any_uow, sort=(SortKey("priority"),))
        assert titles == ["beta 100% done", "ÄRGER im Büro", "gamma_under", "Alpha report", "delta"]
        titles, _ = find(any_uow, sort=(SortKey("status", descending=True), SortKey("priority")))
        assert titles == ["beta 100% done", "delta", "gamma_under", "ÄRGER im Büro", "Alpha report"]

    def test_title_sorts_by_code_point(self, any_uow: UnitOfWork) -> None:
        titles, _ = find(any_uow, sort=(SortKey("title"),))
        assert titles == sorted(titles)
        assert titles[0] == "Alpha report"  # upper case before lower case, Ä after both

    def test_pages_and_totals(self, any_uow: UnitOfWork) -> None:
        assert find(any_uow, page=PageRequest(skip=1, limit=2)) == (["beta 100% done", "gamma_under"], 5)
        assert find(any_uow, page=PageRequest(skip=4, limit=2)) == (["delta"], 5)
        assert find(any_uow, page=PageRequest(skip=5, limit=2)) == ([], 5)
        assert find(any_uow, page=PageRequest(skip=10**30, limit=2)) == ([], 5)
        assert find(any_uow, text="nothing like it") == ([], 0)


def _fields(task: Task, **changes: object) -> Task:
    values = {name: getattr(task, name) for name in Task.__dataclass_fields__}
    values.update(changes)
    return Task(**values)


class TestOwnership:
    """Two users never see, count, change or delete each other's tasks through
    any repository method; a title is unique per owner; and a unit with no
    acting user runs no task query at all (fail closed)."""

    @staticmethod
    def other_user(uow: UnitOfWork) -> Actor:
        with uow:
            them = uow.users.add(NewUser("them@example.com", "not a real hash"), AT)
            uow.commit()
        return Actor(them.id)

    def test_each_user_sees_only_their_own(self, any_uow: UnitOfWork) -> None:
        them = self.other_user(any_uow)
        mine, _ = add(any_uow, NewTask(title="mine"), NewTask(title="same title"))
        with any_uow.acting_as(them):
            theirs = any_uow.tasks.add_many([NewTask(title="theirs"), NewTask(title="same title")], AT)
            any_uow.commit()
        with any_uow.acting_as(them):
            tasks = any_uow.tasks
            assert tasks.get(mine.id) is None
            assert tasks.get_for_update(mine.id) is None
            page = tasks.find(TaskQuery(page=PageRequest(limit=1)))  # a full page: the COUNT too
            assert ([t.title for t in page.items], page.total) == (["theirs"], 2)
            assert tasks.find(TaskQuery(text="mine")).total == 0
            assert tasks.find(TaskQuery(statuses=frozenset({Status.TODO}))).total == 2
            assert tasks.existing_titles({"mine", "same title"}) == {"same title"}
            assert tasks.delete(mine.id) is False
            with pytest.raises(LookupError):
                tasks.update(mine)  # never read for update by them
        assert find(any_uow) == (["mine", "same title"], 2)
        assert get(any_uow, mine.id) == mine
        assert [t.title for t in theirs] == ["theirs", "same title"]

    def test_a_title_is_unique_per_owner(self, any_uow: UnitOfWork) -> None:
        them = self.other_user(any_uow)
        add(any_uow, NewTask(title="taken"))
        with any_uow.acting_as(them):
            any_uow.tasks.add(NewTask(title="taken"), AT)  # theirs: no conflict
            any_uow.commit()
        with pytest.raises(AlreadyExists), any_uow.acting_as(them):
            any_uow.tasks.add(NewTask(title="taken"), AT)

    def test_a_unit_without_an_acting_user_refuses_every_task_query(self, any_uow: UnitOfWork) -> None:
        add(any_uow, NewTask(title="mine"))
        calls: list[Callable[[UnitOfWork], object]] = [
            lambda uow: uow.tasks.get(1),
            lambda uow: uow.tasks.find(TaskQuery()),
            lambda uow: uow.tasks.delete(1),
            lambda uow: uow.tasks.add(NewTask(title="nobody's"), AT),
            lambda uow: uow.tasks.existing_titles({"mine"}),
        ]
        for call in calls:
            with pytest.raises(PermissionError, match="acting_as"), any_uow:
                call(any_uow)
        assert find(any_uow) == (["mine"], 1)
