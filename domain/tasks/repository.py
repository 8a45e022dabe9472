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
        """Read a task that this unit of work is about to change.

        Concurrent writers of the same task queue behind this one instead of
        failing later (a row lock, or SQLite's write lock).
        """
        ...

    def find(self, query: TaskQuery) -> Page[Task]:
        """The page of tasks that `query` asks for, and how many match in all."""
        ...

    def add_many(self, new: Sequence[NewTask], at: datetime) -> list[Task]:
        """Store all of `new` and return them in the same order."""
        ...

    def update(self, task: Task, expected_version: int) -> bool:
        """Store `task` if the stored row is still at `expected_version`.

        False means someone else changed or deleted it since it was read.
        """
        ...

    def existing_titles(self, titles: Collection[str]) -> set[str]:
        """Which of `titles` are taken (used to name the culprit of a conflict)."""
        ...
