"""TaskService on fakes: the use cases' rules, with no database."""

import pytest

from domain.errors import AlreadyExists, Conflict, NotFound, PreconditionFailed
from domain.ids import MAX_ID
from domain.pages import PageRequest
from domain.preconditions import VersionPrecondition
from domain.tasks.model import NewTask, Priority, Status, Task, TaskChanges, TaskQuery
from domain.tasks.service import TaskService
from tests.factories.tasks import new_tasks
from tests.fakes.tasks import FakeTaskRepository
from tests.fakes.unit_of_work import ME, FakeUnitOfWork
from tests.unit.conftest import TickingClock


def stored(tasks: FakeTaskRepository) -> list[Task]:
    return tasks.find(TaskQuery(page=PageRequest(limit=1000))).items  # type: ignore[return-value]


class TestCreate:
    def test_stores_version_one_stamped_by_the_clock_and_commits(
        self, service: TaskService, uow: FakeUnitOfWork, clock: TickingClock
    ) -> None:
        task = service.create(ME, NewTask(title="Write", priority=Priority.HIGH))
        assert (task.title, task.priority, task.status, task.version) == ("Write", Priority.HIGH, Status.TODO, 1)
        assert task.created_at == task.updated_at == clock.now
        assert uow.commits == 1

    def test_a_taken_title_is_a_conflict_naming_it_and_stores_nothing(
        self, service: TaskService, tasks: FakeTaskRepository
    ) -> None:
        service.create(ME, NewTask(title="Same"))
        with pytest.raises(Conflict, match="A task titled 'Same' already exists"):
            service.create(ME, NewTask(title="Same"))
        assert [t.title for t in stored(tasks)] == ["Same"]

    def test_titles_are_compared_exactly(self, service: TaskService) -> None:
        upper = service.create(ME, NewTask(title="Case"))
        lower = service.create(ME, NewTask(title="case"))  # not a duplicate: another title
        assert upper.id != lower.id
        assert (service.get(ME, upper.id).title, service.get(ME, lower.id).title) == ("Case", "case")
        with pytest.raises(AlreadyExists, match="'case' already exists"):
            service.create(ME, NewTask(title="case"))


class TestCreateMany:
    def test_returns_tasks_in_input_order(self, service: TaskService) -> None:
        batch = new_tasks(5)
        created = service.create_many(ME, batch)
        assert [t.title for t in created] == [n.title for n in batch]
        assert [t.id for t in created] == sorted(t.id for t in created)

    def test_a_title_repeated_in_the_batch_is_named_and_nothing_is_stored(
        self, service: TaskService, tasks: FakeTaskRepository, uow: FakeUnitOfWork
    ) -> None:
        batch = [*new_tasks(2), NewTask(title="Twice"), NewTask(title="Twice")]
        with pytest.raises(Conflict, match="The title 'Twice' is repeated in the batch"):
            service.create_many(ME, batch)
        assert stored(tasks) == []
        assert uow.entered == 0  # caught before any storage work

    def test_a_stored_title_is_named_and_nothing_is_stored(
        self, service: TaskService, tasks: FakeTaskRepository
    ) -> None:
        service.create(ME, NewTask(title="Taken"))
        with pytest.raises(Conflict, match="A task titled 'Taken' already exists"):
            service.create_many(ME, [*new_tasks(3), NewTask(title="Taken")])
        assert [t.title for t in stored(tasks)] == ["Taken"]


class TestGet:
    def test_missing_is_not_found_with_the_contract_detail(self, service: TaskService) -> None:
        with pytest.raises(NotFound) as raised:
            service.get(ME, 42)
        assert raised.value.detail == "Task not found"

    @pytest.mark.parametrize("task_id", [0, -1, MAX_ID + 1, 10**400], ids=["zero", "negative", "past-64-bits", "huge"])
    def test_ids_that_cannot_exist_are_not_found_without_a_lookup(
        self, service: TaskService, uow: FakeUnitOfWork, task_id: int
    ) -> None:
        with pytest.raises(NotFound):
            service.get(ME, task_id)
        assert uow.entered == 0


class TestUpdate:
    def test_partial_update_changes_only_the_given_fields(self, service: TaskService, clock: TickingClock) -> None:
        task = service.create(ME, NewTask(title="Old", description="keep", priority=Priority.LOW))
        updated = service.update(ME, task.id, TaskChanges(title="New"))
        assert (updated.title, updated.description, updated.priority) == ("New", "keep", Priority.LOW)
        assert updated.version == 2
        assert updated.updated_at == clock.now
        assert updated.created_at == task.created_at

    def test_null_description_clears_it(self, service: TaskService) -> None:
        task = service.create(ME, NewTask(title="T", description="text"))
        assert service.update(ME, task.id, TaskChanges(description=None)).description is None

    def test_an_update_that_changes_nothing_keeps_the_version_and_commits_nothing(
        self, service: TaskService, uow: FakeUnitOfWork
    ) -> None:
        task = service.create(ME, NewTask(title="T", status=Status.DONE))
        commits = uow.commits
        same = service.update(ME, task.id, TaskChanges(title="T", status=Status.DONE))
        assert same == task
        assert uow.commits == commits

    def test_missing_task_is_not_found_even_with_a_precondition(self, service: TaskService) -> None:
        with pytest.raises(NotFound):
            service.update(ME, 7, TaskChanges(title="x"), VersionPrecondition(frozenset({1})))

    def test_a_stale_precondition_fails_and_changes_nothing(
        self, service: TaskService, tasks: FakeTaskRepository
    ) -> None:
        task = service.create(ME, NewTask(title="T"))
        service.update(ME, task.id, TaskChanges(status=Status.DONE))
        before = tasks.get(task.id)
        with pytest.raises(PreconditionFailed):
            service.update(ME, task.id, TaskChanges(title="Lost"), VersionPrecondition(frozenset({1})))
        assert tasks.get(task.id) == before

    def test_a_matching_precondition_or_any_lets_the_update_through(self, service: TaskService) -> None:
        task = service.create(ME, NewTask(title="T"))
        assert service.update(ME, task.id, TaskChanges(title="A"), VersionPrecondition(frozenset({9, 1}))).version == 2
        assert service.update(ME, task.id, TaskChanges(title="B"), VersionPrecondition(any_version=True)).version == 3

    def test_a_taken_title_is_a_conflict(self, service: TaskService) -> None:
        service.create(ME, NewTask(title="Taken"))
        task = service.create(ME, NewTask(title="Mine"))
        with pytest.raises(Conflict, match="'Taken' already exists"):
            service.update(ME, task.id, TaskChanges(title="Taken"))

    def test_precondition_is_checked_before_the_title_conflict(self, service: TaskService) -> None:
        service.create(ME, NewTask(title="Taken"))
        task = service.create(ME, NewTask(title="Mine"))
        with pytest.raises(PreconditionFailed):
            service.update(ME, task.id, TaskChanges(title="Taken"), VersionPrecondition(frozenset({5})))


class TestDelete:
    def test_deletes(self, service: TaskService, tasks: FakeTaskRepository) -> None:
        task = service.create(ME, NewTask(title="T"))
        service.delete(ME, task.id)
        assert tasks.get(task.id) is None

    def test_missing_is_not_found_with_or_without_precondition(self, service: TaskService) -> None:
        with pytest.raises(NotFound):
            service.delete(ME, 3)
        with pytest.raises(NotFound):
            service.delete(ME, 3, VersionPrecondition(any_version=True))

    def test_stale_precondition_fails_and_keeps_the_task(self, service: TaskService, tasks: FakeTaskRepository) -> None:
        task = service.create(ME, NewTask(title="T"))
        service.update(ME, task.id, TaskChanges(title="U"))
        with pytest.raises(PreconditionFailed):
            service.delete(ME, task.id, VersionPrecondition(frozenset({1})))
        assert tasks.get(task.id) is not None


class TestFind:
    def test_filters_sorts_and_counts(self, service: TaskService) -> None:
        service.create_many(
            ME,
            [
                NewTask(title="a", priority=Priority.HIGH),
                NewTask(title="b", priority=Priority.LOW),
                NewTask(title="c", priority=Priority.MEDIUM, status=Status.DONE),
            ],
        )
        page = service.find(ME, TaskQuery(statuses=frozenset({Status.TODO}), page=PageRequest(limit=1)))
        assert page.total == 2
        assert [t.title for t in page.items] == ["a"]
