from datetime import datetime

from sqlalchemy import Column, ForeignKey, Identity, Index, String, Text
from sqlmodel import Field, SQLModel, UTCDateTime

from domain.comments.model import AUTHOR_NAME_MAX_LENGTH
from infrastructure.tables.columns import ID, owner


class CommentRow(SQLModel, table=True):
    __tablename__ = "comments"
    __table_args__ = (
        # A post's comments in id order, and the cascade's own lookups.
        Index(None, "post_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_column=Column(ID, Identity(), primary_key=True))
    # Deleting a post deletes its comments, in the same statement (the fakes
    # follow this declaration too).
    post_id: int = Field(sa_column=Column(ID, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False))
    author_name: str = Field(sa_column=Column(String(AUTHOR_NAME_MAX_LENGTH), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Public to read; its owner alone deletes it. A user removed by hand leaves
    # the row in place, owned by no one.
    owner_id: int | None = Field(default=None, sa_column=owner("SET NULL"))
