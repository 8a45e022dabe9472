"""What task requests accept and responses return, as pydantic models.

Requests are parsed into these models and handed to the domain as its own
types; responses are written from the domain's dataclasses directly
(api/responses.py), and TaskOut only documents their shape.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

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


class TaskUpdate(BaseModel):
    """A partial update: absent fields stay; `description: null` clears it.
    title, status and priority cannot be null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "done"}]})

    # Defaults of None that are never validated: an absent field stays absent
    # (model_fields_set), while an explicit null fails the str/enum type.
    title: Title = Field(default=None)  # type: ignore[assignment]
    description: Description | None = None
    status: Status = Field(default=None)  # type: ignore[assignment]
    priority: Priority = Field(default=None)  # type: ignore[assignment]

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
