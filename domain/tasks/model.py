"""The Task aggregate."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

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
    """A stored task. Field order is the order of the JSON the API returns."""

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
        changed = replace(
            self,
            title=self.title if isinstance(changes.title, _Unset) else changes.title,
            description=self.description if isinstance(changes.description, _Unset) else changes.description,
            status=self.status if isinstance(changes.status, _Unset) else changes.status,
            priority=self.priority if isinstance(changes.priority, _Unset) else changes.priority,
        )
        if changed == self:
            return self
        return replace(changed, updated_at=at, version=self.version + 1)


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
    """A partial update: fields left UNSET keep their value."""

    title: str | _Unset = UNSET
    description: str | _Unset | None = UNSET
    status: Status | _Unset = UNSET
    priority: Priority | _Unset = UNSET


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
