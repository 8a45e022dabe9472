"""The domain's small rules, each with the exact value it promises (mutation
testing found them unpinned): pages, ids, clocks, ranks, errors, and what the
services say when something is missing or taken."""

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from domain.authors.model import NewAuthor
from domain.authors.service import AuthorService
from domain.clock import utc_now
from domain.errors import AlreadyExists, InvalidInput, NotFound, PreconditionFailed
from domain.ids import MAX_ID, is_storable_id
from domain.pages import PageRequest, total_from_page
from domain.posts.model import NewPost, PostQuery
from domain.posts.service import PostService
from domain.preconditions import VersionPrecondition
from domain.tasks.model import UNSET, NewTask, Priority, Status, TaskChanges
from domain.tasks.service import TaskService
from tests.fakes.tasks import FakeTaskRepository
from tests.fakes.unit_of_work import ME, FakeUnitOfWork, with_me
from tests.unit.conftest import TickingClock


class TestPages:
    @pytest.mark.parametrize(
        ("skip", "limit", "fetched", "total"),
        [
            (0, 5, 0, 0),  # an empty first page: nothing at all
            (0, 5, 3, 3),  # a short page is the last
            (7, 5, 2, 9),
            (0, 5, 5, None),  # a full page: only a COUNT can tell
            (1, 5, 0, None),  # past the end: only a COUNT can tell
            (3, 5, 0, None),
        ],
    )
    def test_the_total_a_page_implies(self, skip: int, limit: int, fetched: int, total: int | None) -> None:
        assert total_from_page(PageRequest(skip=skip, limit=limit), fetched) == total


def test_storable_ids_are_one_to_two_to_the_63_less_one() -> None:
    assert [is_storable_id(n) for n in (-1, 0, 1, MAX_ID, MAX_ID + 1)] == [False, False, True, True, False]
    assert MAX_ID == 2**63 - 1


def test_the_clock_is_utc_and_aware() -> None:
    now = utc_now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


class TestRanks:
    def test_members_order_by_meaning(self) -> None:
        assert Status.TODO < Status.IN_PROGRESS < Status.DONE
        assert Priority.LOW <= Priority.LOW <= Priority.MEDIUM
        assert Priority.HIGH > Priority.MEDIUM > Priority.LOW
        assert Priority.HIGH >= Priority.HIGH >= Priority.LOW
        assert not Priority.MEDIUM < Priority.MEDIUM
        assert not Priority.MEDIUM > Priority.MEDIUM
        assert not Priority.HIGH <= Priority.LOW
        assert not Priority.LOW >= Priority.HIGH
        assert sorted([Priority.HIGH, Priority.LOW, Priority.MEDIUM]) == [Priority.LOW, Priority.MEDIUM, Priority.HIGH]

    def test_ranks_are_places_in_the_order_of_meaning(self) -> None:
        assert [p.rank for p in Priority] == [0, 1, 2]
        assert [s.rank for s in (Status.DONE, Status.TODO, Status.IN_PROGRESS)] == [2, 0, 1]

    def test_a_member_orders_against_its_values_as_it_equals_them(self) -> None:
        """`==` with a value is str equality; `<` with one is by meaning, not an error."""
        todo: str = "todo"
        assert todo == Status.TODO
        assert Status.TODO < "done"
        assert Priority.HIGH > "low"
        assert Priority.MEDIUM <= "medium" <= Priority.MEDIUM
        assert not Status.DONE < "todo"
        assert sorted([Priority.HIGH, "low", Priority.MEDIUM]) == ["low", "medium", "high"]

    def test_a_string_that_is_no_member_does_not_order(self) -> None:
        with pytest.raises(ValueError, match="'someday' is not a valid Status"):
            _ = Status.TODO < "someday"
        with pytest.raises(TypeError, match=r"^cannot order Status against int$"):
            _ = Status.TODO < 3  # type: ignore[operator]

    @pytest.mark.parametrize(
        "compare", [lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a > b, lambda a, b: a >= b]
    )
    def test_two_kinds_do_not_compare(self, compare: Any) -> None:
        with pytest.raises(TypeError, match=r"^cannot order Priority against Status$"):
            compare(Priority.LOW, Status.TODO)


def test_unset_reads_as_unset() -> None:
    assert repr(UNSET) == "UNSET"
    assert str(TaskChanges().title) == "UNSET"


class TestErrors:
    def test_not_found_names_the_entity(self) -> None:
        assert NotFound("Comment").detail == "Comment not found"
        assert str(NotFound("Task")) == "Task not found"

    def test_invalid_input_points_at_its_field(self) -> None:
        error = InvalidInput("Author 3 does not exist", field="author_id", kind="not_found")
        assert (error.detail, error.field, error.kind) == ("Author 3 does not exist", "author_id", "not_found")


class TestTimestamps:
    def test_a_clock_of_another_zone_is_read_in_utc(self) -> None:
        at = datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
        service = TaskService(with_me(FakeUnitOfWork()), clock=lambda: at)
        created = service.create(ME, NewTask(title="zoned"))
        assert created.created_at.tzinfo is UTC
        assert created.created_at == at
        [bulk] = service.create_many(ME, [NewTask(title="zoned too")])
        assert (bulk.created_at, bulk.updated_at, bulk.created_at.tzinfo) == (at, at, UTC)
        updated = service.update(ME, created.id, TaskChanges(status=Status.DONE))
        assert (updated.updated_at, updated.updated_at.tzinfo) == (at, UTC)

    def test_an_author_is_stamped_with_the_clock(self, uow: FakeUnitOfWork, clock: TickingClock) -> None:
        author = AuthorService(uow, clock=clock).create(ME, NewAuthor(name="Ada"))
        assert author.created_at == clock.now


class TestTaskChanges:
    def test_each_field_changes_alone(self) -> None:
        at = datetime(2026, 1, 1, tzinfo=UTC)
        task = NewTask(title="T", description="d").stored_as(1, at)
        later = at + timedelta(seconds=1)
        assert task.changed_by(TaskChanges(priority=Priority.HIGH), later) == replace(
            task, priority=Priority.HIGH, updated_at=later, version=2
        )
        assert task.changed_by(TaskChanges(status=Status.DONE), later).priority == Priority.MEDIUM
        assert task.changed_by(TaskChanges(description=None), later).description is None
        assert task.changed_by(TaskChanges(), later) is task
        assert task.changed_by(TaskChanges(priority=Priority.MEDIUM), later) is task


class TakenButGone(FakeTaskRepository):
    """A title that was taken when the batch was inserted, and gone when the
    service looked for it (deleted meanwhile)."""

    def add_many(self, new: Any, at: datetime) -> Any:
        raise AlreadyExists("A row with the same unique value already exists")

    def existing_titles(self, titles: Collection[str]) -> set[str]:
        return set()


class TestTaskServiceMessages:
    def test_a_batch_whose_culprit_is_gone_is_still_a_conflict(self, clock: TickingClock) -> None:
        uow = with_me(FakeUnitOfWork())
        uow.tasks = TakenButGone(uow.database)
        service = TaskService(uow, clock=clock)
        with pytest.raises(AlreadyExists, match=r"^A task with one of these titles already exists$"):
            service.create_many(ME, [NewTask(title="a"), NewTask(title="b")])

    def test_a_new_title_that_is_taken_is_named(self, service: TaskService) -> None:
        service.create(ME, NewTask(title="Taken"))
        task = service.create(ME, NewTask(title="Mine"))
        with pytest.raises(AlreadyExists, match=r"^A task titled 'Taken' already exists$"):
            service.update(ME, task.id, TaskChanges(title="Taken"))

    @pytest.mark.parametrize("task_id", [0, -1, MAX_ID + 1, 404])
    def test_missing_tasks_are_task_not_found(self, service: TaskService, task_id: int) -> None:
        for call in (
            lambda: service.get(ME, task_id),
            lambda: service.update(ME, task_id, TaskChanges(status=Status.DONE)),
            lambda: service.delete(ME, task_id),
            lambda: service.delete(ME, task_id, VersionPrecondition(any_version=True)),
        ):
            with pytest.raises(NotFound, match=r"^Task not found$"):
                call()

    def test_a_stale_precondition_names_the_current_version(self, service: TaskService) -> None:
        task = service.create(ME, NewTask(title="T"))
        with pytest.raises(PreconditionFailed, match=r"^The task is at version 1, not the one given in If-Match$"):
            service.delete(ME, task.id, VersionPrecondition(frozenset({2})))
        service.delete(ME, task.id, VersionPrecondition(frozenset({1})))
        with pytest.raises(NotFound):
            service.get(ME, task.id)

    def test_a_task_deleted_between_its_read_and_its_delete_is_not_found(self, clock: TickingClock) -> None:
        class DeletedMeanwhile(FakeTaskRepository):
            def delete(self, entity_id: int) -> bool:
                return False

        uow = with_me(FakeUnitOfWork())
        uow.tasks = DeletedMeanwhile(uow.database)
        service = TaskService(uow, clock=clock)
        task = service.create(ME, NewTask(title="T"))
        with pytest.raises(NotFound, match=r"^Task not found$"):
            service.delete(ME, task.id, VersionPrecondition(any_version=True))


class TestPostServiceRules:
    def test_posts_of_every_author_or_of_one(self, uow: FakeUnitOfWork, clock: TickingClock) -> None:
        authors, posts = AuthorService(uow, clock=clock), PostService(uow, clock=clock)
        ada, bob = authors.create(ME, NewAuthor(name="Ada")), authors.create(ME, NewAuthor(name="Bob"))
        first = posts.create(ME, NewPost(title="one", author_id=ada.id))
        second = posts.create(ME, NewPost(title="two", author_id=bob.id))
        assert posts.find(PostQuery()).items == [first, second]
        assert posts.find(PostQuery(author_id=bob.id)).items == [second]
        for nobody in (0, -1, MAX_ID + 1):
            page = posts.find(PostQuery(author_id=nobody))
            assert (page.items, page.total) == ([], 0)

    @pytest.mark.parametrize("author_id", [0, MAX_ID + 1, 77])
    def test_the_posts_of_a_missing_author_are_author_not_found(self, uow: FakeUnitOfWork, author_id: int) -> None:
        with pytest.raises(NotFound, match=r"^Author not found$"):
            PostService(uow).of_author(author_id, PageRequest())

    def test_a_missing_author_is_invalid_input_at_author_id(self, uow: FakeUnitOfWork) -> None:
        with pytest.raises(InvalidInput) as caught:
            PostService(uow).create(ME, NewPost(title="x", author_id=5))
        assert (caught.value.detail, caught.value.field, caught.value.kind) == (
            "Author 5 does not exist",
            "author_id",
            "not_found",
        )
