"""What task requests accept and responses return, as pydantic models.

Requests are parsed into these models and handed to the domain as its own
types; responses are written from the domain's dataclasses directly
(api/responses.py), and TaskOut only documents their shape.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from api.params import text, text_schema
from domain.tasks.model import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    UNSET,
    NewTask,
    Priority,
    Status,
    TaskChanges,
)

Title = Annotated[
    str,
    AfterValidator(text(min_length=1, max_length=TITLE_MAX_LENGTH, trim=True)),
    text_schema(min_length=1, max_length=TITLE_MAX_LENGTH, trim=True),
]
Description = Annotated[
    str,
    AfterValidator(text(max_length=DESCRIPTION_MAX_LENGTH, trim=False)),
    text_schema(max_length=DESCRIPTION_MAX_LENGTH, trim=False),
]


class TaskCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Write the report", "priority": "high"}]},
    )

    title: Title
    description: Description | None = None
    status: Status = Status.TODO
    priority: Priority = Priority.MEDIUM

    def to_domain(self) -> NewTask:
        return NewTask(title=self.title, description=self.description, status=self.status, priority=self.priority)


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("cannot be null")
    return value


def _without_null(schema: dict[str, Any]) -> None:
    """The document's side: the field's schema without its null branch (and
    without the default, which a client cannot send)."""
    (kept,) = [branch for branch in schema.pop("anyOf") if branch != {"type": "null"}]
    schema.pop("default", None)
    schema.update(kept)


# For an optional field whose null is refused: `Annotated[X | None, *NEVER_NULL] = None`.
NEVER_NULL = (BeforeValidator(_refuse_null), Field(json_schema_extra=_without_null))


class TaskUpdate(BaseModel):
    """A partial update: absent fields stay; `description: null` clears it.
    title, status and priority cannot be null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "done"}]})

    # May be absent (None, the default, which pydantic does not validate: the
    # field stays out of model_fields_set), never null.
    title: Annotated[Title | None, *NEVER_NULL] = None
    description: Description | None = None
    status: Annotated[Status | None, *NEVER_NULL] = None
    priority: Annotated[Priority | None, *NEVER_NULL] = None

    def to_domain(self) -> TaskChanges:
        given = self.model_fields_set
        values: dict[str, Any] = {name: getattr(self, name) for name in given}
        return TaskChanges(
            title=values.get("title", UNSET),
            description=values.get("description", UNSET),
            status=values.get("status", UNSET),
            priority=values.get("priority", UNSET),
        )


class TaskOut(BaseModel):
    id: int
    title: str
    description: str | None
    status: Status
    priority: Priority
    created_at: datetime
    updated_at: datetime
    version: int
