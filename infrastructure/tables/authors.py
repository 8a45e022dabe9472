from datetime import datetime

from sqlalchemy import Column, Identity, String
from sqlmodel import Field, SQLModel, UTCDateTime

from domain.authors.model import NAME_MAX_LENGTH
from infrastructure.tables.columns import ID, owner


class AuthorRow(SQLModel, table=True):
    __tablename__ = "authors"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: int | None = Field(default=None, sa_column=Column(ID, Identity(), primary_key=True))
    name: str = Field(sa_column=Column(String(NAME_MAX_LENGTH), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Public to read; its owner alone deletes it. A user removed by hand leaves
    # the row in place, owned by no one.
    owner_id: int | None = Field(default=None, sa_column=owner("SET NULL"))
