"""The Task aggregate."""

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any, Final

from domain.pages import PageRequest, SortKey
from domain.ranked import RankedEnum

TITLE_MAX_LENGTH: Final = 200
DESCRIPTION_MAX_LENGTH: Final = 10_000
FIRST_VERSION: Final = 1


class Status(RankedEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Priority(RankedEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


SORTABLE_FIELDS: Final = ("id", "title", "status", "priority", "created_at", "updated_at")


class _Unset:
    """Marks a field that a partial update leaves alone (None means "clear")."""

    _instance: "_Unset | None" = None

    def __new__(cls) -> "_Unset":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


@dataclass(frozen=True)
class Task:
    """A task, as stored."""

    id: int
    title: str
    description: str | None
    status: Status
    priority: Priority
    created_at: datetime
    updated_at: datetime
    version: int

    def changed_by(self, changes: "TaskChanges", at: datetime) -> "Task":
        """This task with `changes` applied: a new version stamped `at`, or `self`
        when the changes alter nothing (the version only counts real changes)."""
        given = changes.given()
        if all(getattr(self, name) == value for name, value in given.items()):
            return self
        return replace(self, **given, updated_at=at, version=self.version + 1)


@dataclass(frozen=True, slots=True)
class NewTask:
    """What a client supplies to create a task (already validated and trimmed)."""

    title: str
    description: str | None = None
    status: Status = Status.TODO
    priority: Priority = Priority.MEDIUM

    def stored_as(self, task_id: int, at: datetime) -> Task:
        return Task(
            id=task_id,
            title=self.title,
            description=self.description,
            status=self.status,
            priority=self.priority,
            created_at=at,
            updated_at=at,
            version=FIRST_VERSION,
        )


@dataclass(frozen=True, slots=True)
class TaskChanges:
    """A partial update: fields left UNSET keep their value. Each field is a
    field of Task of the same name (tests/unit/test_task_model.py holds them so)."""

    title: str | _Unset = UNSET
    description: str | _Unset | None = UNSET
    status: Status | _Unset = UNSET
    priority: Priority | _Unset = UNSET

    def given(self) -> dict[str, Any]:
        """The fields this update sets, by name, with their new values."""
        return {
            change.name: value for change in fields(self) if not isinstance(value := getattr(self, change.name), _Unset)
        }


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """Filters, order and page of a task list.

    Empty `statuses` / `priorities` mean "any". `text` matches a case-insensitive
    substring of the title, with no wildcard characters. The sort always ends on
    id ascending, so equal keys come back in a stable order.
    """

    statuses: frozenset[Status] = frozenset()
    priorities: frozenset[Priority] = frozenset()
    text: str | None = None
    sort: tuple[SortKey, ...] = (SortKey("id"),)
    page: PageRequest = field(default_factory=PageRequest)

    def order(self) -> tuple[SortKey, ...]:
        """`sort` with the id tie-breaker appended when it is missing."""
        if any(key.field == "id" for key in self.sort):
            return self.sort
        return (*self.sort, SortKey("id"))
