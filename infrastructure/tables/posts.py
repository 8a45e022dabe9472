from datetime import datetime

from sqlalchemy import Column, ForeignKey, Identity, Index, String, Text
from sqlmodel import Field, Relationship, SQLModel, UTCDateTime

from domain.posts.model import TITLE_MAX_LENGTH
from infrastructure.tables.authors import AuthorRow
from infrastructure.tables.columns import ID, owner


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
    # No ON DELETE: the database refuses to delete an author who still has posts
    # (NO ACTION, not RESTRICT: SQLite reports RESTRICT as a trigger failure,
    # which reads as any other constraint). The fakes obey the same declaration.
    author_id: int = Field(sa_column=Column(ID, ForeignKey("authors.id"), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Public to read; its owner alone deletes it. A user removed by hand leaves
    # the row in place, owned by no one.
    owner_id: int | None = Field(default=None, sa_column=owner("SET NULL"))

    # Loaded on purpose (the repository's joinedload) or not at all: lazy="raise"
    # makes a forgotten load an error, inside the session or after it closed,
    # never a hidden query per post.
    author: AuthorRow = Relationship(sa_relationship_kwargs={"lazy": "raise"})
