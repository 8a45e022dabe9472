from datetime import UTC, datetime
from typing import Any

from factory.base import DictFactory, Factory
from factory.declarations import Iterator, LazyAttribute, Sequence

from domain.tasks.model import FIRST_VERSION, NewTask, Priority, Status
from infrastructure.tables.tasks import TaskRow
from tests.factories.base import RowFactory
from tests.fakes.unit_of_work import ME

AT = datetime(2026, 1, 1, tzinfo=UTC)


class NewTaskFactory(Factory[NewTask]):
    class Meta:
        model = NewTask

    title = Sequence(lambda n: f"Task {n:05d}")
    description = Sequence(lambda n: f"Description {n}")
    status = Iterator(list(Status))
    priority = Iterator(list(Priority))


class TaskPayloadFactory(DictFactory):
    """The body of POST /tasks."""

    title = Sequence(lambda n: f"Payload task {n:05d}")
    description = Sequence(lambda n: f"Written by a test ({n})")
    status = Iterator([s.value for s in Status])
    priority = Iterator([p.value for p in Priority])


class TaskRowFactory(RowFactory[TaskRow]):
    class Meta:
        model = TaskRow

    title = Sequence(lambda n: f"Row task {n:05d}")
    description = None
    status = Status.TODO
    priority = Priority.MEDIUM
    created_at = AT
    updated_at = LazyAttribute(lambda row: row.created_at)
    version = FIRST_VERSION
    owner_id = ME.user_id  # the `session` fixture's user


def new_tasks(count: int, **overrides: Any) -> list[NewTask]:
    return list(NewTaskFactory.build_batch(count, **overrides))


def task_payloads(count: int, **overrides: Any) -> list[dict[str, Any]]:
    return list(TaskPayloadFactory.build_batch(count, **overrides))
