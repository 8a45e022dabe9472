from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Identity, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel, UTCDateTime

from domain.tasks.model import TITLE_MAX_LENGTH, Priority, Status
from infrastructure.tables.columns import ID, by_value, exact_text, owner


class TaskRow(SQLModel, table=True):
    """The tasks table. Status and priority are stored by value ("in_progress")."""

    __tablename__ = "tasks"
    __table_args__ = (
        # Every query is one owner's: (owner, filter, id) reads a filtered page
        # in id order from the index, in order.
        Index(None, "owner_id", "id"),
        Index(None, "owner_id", "status", "id"),
        Index(None, "owner_id", "priority", "id"),
        Index(None, "owner_id", "created_at"),
        Index(None, "owner_id", "updated_at"),
        # A title is unique among its owner's tasks (API.md).
        UniqueConstraint("owner_id", "title"),
        CheckConstraint("version >= 1", name="version_positive"),
        # Never hand out the id of a deleted task again (SQLite would reuse the
        # highest one); PostgreSQL's identity never does.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_column=Column(ID, Identity(), primary_key=True))
    title: str = Field(sa_column=Column(exact_text(TITLE_MAX_LENGTH), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: Status = Field(sa_column=Column(by_value(Status, "status"), nullable=False))
    priority: Priority = Field(sa_column=Column(by_value(Priority, "priority"), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    # Private to its owner: a user's tasks go with the user.
    owner_id: int | None = Field(default=None, sa_column=owner("CASCADE"))
