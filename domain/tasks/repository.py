from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from domain.pages import Page
from domain.repository import Repository
from domain.tasks.model import NewTask, Task, TaskQuery


class TaskRepository(Repository[Task, NewTask], Protocol):
    """Storage of tasks. Writes that break the unique title raise
    domain.errors.AlreadyExists, at the latest when the unit of work commits."""

    def get_for_update(self, task_id: int) -> Task | None:
        """Read a task that this unit of work is about to change, and keep
        others from changing it until the unit ends.

        Concurrent writers of the same task queue here (a row lock, or SQLite's
        write lock) and each reads what the one before it stored: the one
        mechanism that keeps concurrent updates from losing each other.
        """
        ...

    def find(self, query: TaskQuery) -> Page[Task]:
        """The page of tasks that `query` asks for, and how many match in all."""
        ...

    def add_many(self, new: Sequence[NewTask], at: datetime) -> list[Task]:
        """Store all of `new` and return them in the same order."""
        ...

    def update(self, task: Task) -> None:
        """Store `task`, read with get_for_update in this unit of work."""
        ...

    def existing_titles(self, titles: Collection[str]) -> set[str]:
        """Which of `titles` are taken (used to name the culprit of a conflict)."""
        ...
