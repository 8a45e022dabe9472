from collections.abc import Collection, Sequence
from datetime import datetime

from domain.pages import Page
from domain.tasks.model import NewTask, Task, TaskQuery
from domain.tasks.repository import TaskRepository
from infrastructure.tables.tasks import TaskRow
from tests.fakes.base import FakeRepository


class FakeTaskRepository(FakeRepository[Task, NewTask], TaskRepository):
    """Tasks in the fake tasks table; its unique title is the table's own rule."""

    model = TaskRow
    private = True

    def to_entity(self, new: NewTask, entity_id: int, at: datetime) -> Task:
        return new.stored_as(entity_id, at)

    def find(self, query: TaskQuery) -> Page[Task]:
        rows = [task for task in self.rows() if _matches(task, query)]
        for key in reversed(query.order()):  # stable sorts, least significant key first
            rows.sort(key=lambda task, k=key: getattr(task, k.field), reverse=key.descending)  # type: ignore[misc]
        return self._page_of(rows, query.page)

    def add_many(self, new: Sequence[NewTask], at: datetime) -> list[Task]:
        return [self.add(item, at) for item in new]

    def existing_titles(self, titles: Collection[str]) -> set[str]:
        return {task.title for task in self.rows() if task.title in titles}


def _matches(task: Task, query: TaskQuery) -> bool:
    if query.statuses and task.status not in query.statuses:
        return False
    if query.priorities and task.priority not in query.priorities:
        return False
    return not query.text or query.text.lower() in task.title.lower()
