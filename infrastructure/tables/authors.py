from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Identity, String
from sqlmodel import Field, Relationship, SQLModel

from domain.authors.model import NAME_MAX_LENGTH
from infrastructure.tables.columns import ID, UTCTimestamp

if TYPE_CHECKING:
    from infrastructure.tables.posts import PostRow


class AuthorRow(SQLModel, table=True):
    __tablename__ = "authors"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: int | None = Field(default=None, sa_column=Column(ID, Identity(), primary_key=True))
    name: str = Field(sa_column=Column(String(NAME_MAX_LENGTH), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCTimestamp(), nullable=False))

    # lazy="raise": touching a relationship that was not loaded on purpose is an
    # error, inside the session or after it closed, never a hidden query.
    posts: list["PostRow"] = Relationship(back_populates="author", sa_relationship_kwargs={"lazy": "raise"})
