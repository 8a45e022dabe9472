"""factory-boy factories: domain commands for service and repository tests,
JSON payloads for API tests. Titles are unique per test run."""

from typing import Any

from factory.base import DictFactory, Factory
from factory.declarations import Iterator, Sequence

from domain.tasks.model import NewTask, Priority, Status


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


def new_tasks(count: int, **overrides: Any) -> list[NewTask]:
    return list(NewTaskFactory.build_batch(count, **overrides))


def task_payloads(count: int, **overrides: Any) -> list[dict[str, Any]]:
    return list(TaskPayloadFactory.build_batch(count, **overrides))
