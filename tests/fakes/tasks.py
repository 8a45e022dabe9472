from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.errors import AlreadyExists
from domain.pages import Page, total_from_page
from domain.tasks.model import NewTask, Task, TaskQuery


@dataclass
class _State:
    rows: dict[int, Task] = field(default_factory=dict)
    last_id: int = 0


class FakeTaskRepository:
    """domain.tasks.repository.TaskRepository in a dict."""

    def __init__(self) -> None:
        self._state = _State()

    # -- the repository interface

    def get(self, task_id: int) -> Task | None:
        return self._state.rows.get(task_id)

    def get_for_update(self, task_id: int) -> Task | None:
        return self.get(task_id)

    def find(self, query: TaskQuery) -> Page[Task]:
        rows = [task for task in self._state.rows.values() if _matches(task, query)]
        for key in reversed(query.order()):  # stable sorts, least significant key first
            rows.sort(key=lambda task, k=key: getattr(task, k.field), reverse=key.descending)  # type: ignore[misc]
        total = len(rows)
        items = rows[query.page.skip : query.page.skip + query.page.limit]
        implied = total_from_page(query.page, len(items))
        assert implied is None or implied == total
        return Page(items, total)

    def add(self, new: NewTask, at: datetime) -> Task:
        return self.add_many([new], at)[0]

    def add_many(self, new: Sequence[NewTask], at: datetime) -> list[Task]:
        taken = {task.title for task in self._state.rows.values()}
        titles = [item.title for item in new]
        if len(set(titles)) != len(titles) or taken.intersection(titles):
            raise AlreadyExists("A row with the same unique value already exists")
        stored = []
        for item in new:
            self._state.last_id += 1
            task = item.stored_as(self._state.last_id, at)
            self._state.rows[task.id] = task
            stored.append(task)
        return stored

    def update(self, task: Task, expected_version: int) -> bool:
        current = self._state.rows.get(task.id)
        if current is None or current.version != expected_version:
            return False
        if any(other.title == task.title and other.id != task.id for other in self._state.rows.values()):
            raise AlreadyExists("A row with the same unique value already exists")
        self._state.rows[task.id] = task
        return True

    def delete(self, task_id: int) -> bool:
        return self._state.rows.pop(task_id, None) is not None

    def existing_titles(self, titles: Collection[str]) -> set[str]:
        return {task.title for task in self._state.rows.values() if task.title in titles}

    # -- for FakeUnitOfWork

    def snapshot(self) -> Any:
        return self._state

    def restore(self, snapshot: Any) -> None:
        self._state = snapshot


def _matches(task: Task, query: TaskQuery) -> bool:
    if query.statuses and task.status not in query.statuses:
        return False
    if query.priorities and task.priority not in query.priorities:
        return False
    return not query.text or query.text.lower() in task.title.lower()
