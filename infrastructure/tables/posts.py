from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Identity, Index, String, Text
from sqlmodel import Field, Relationship, SQLModel

from domain.posts.model import TITLE_MAX_LENGTH
from infrastructure.tables.columns import ID, UTCTimestamp

if TYPE_CHECKING:
    from infrastructure.tables.authors import AuthorRow


class PostRow(SQLModel, table=True):
    __tablename__ = "posts"
    __table_args__ = (
        # An author's posts in id order, and the foreign key's own lookups
        # (deleting an author checks for posts through it).
        Index(None, "author_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_column=Column(ID, Identity(), primary_key=True))
    title: str = Field(sa_column=Column(String(TITLE_MAX_LENGTH), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    # The default NO ACTION: the database refuses to delete an author who still
    # has posts. (Not RESTRICT: SQLite reports that one as a trigger failure,
    # which reads as any other constraint.)
    author_id: int = Field(sa_column=Column(ID, ForeignKey("authors.id"), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCTimestamp(), nullable=False))

    author: "AuthorRow" = Relationship(back_populates="posts", sa_relationship_kwargs={"lazy": "raise"})
