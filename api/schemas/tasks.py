"""What task requests accept, as pydantic models with the contract's rules.

Requests are parsed into these models and handed to the domain as its own
commands, field for field by name (the names are the domain's). Responses are
the domain's `Task` itself, declared as the routes' response model.
"""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from api.params import text, text_schema
from domain.tasks.model import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    NewTask,
    Priority,
    Status,
    TaskChanges,
)

# A task's title in the document's examples, its 409 ones included.
EXAMPLE_TITLE = "Write the report"

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
        json_schema_extra={"examples": [{"title": EXAMPLE_TITLE, "priority": "high"}]},
    )

    title: Title
    description: Description | None = None
    status: Status = Status.TODO
    priority: Priority = Priority.MEDIUM

    def to_domain(self) -> NewTask:
        return NewTask(**vars(self))


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
        # Only the fields the client sent: the others stay UNSET.
        return TaskChanges(**self.model_dump(exclude_unset=True))
