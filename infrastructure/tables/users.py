from datetime import datetime

from sqlalchemy import Column, Identity, Index, String
from sqlmodel import Field, SQLModel, UTCDateTime

from domain.users.model import EMAIL_MAX_LENGTH
from infrastructure.tables.columns import ID, exact_text

# Argon2id's PHC string is about 100 characters; room for stronger parameters.
_HASH_LENGTH = 255


class UserRow(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: int | None = Field(default=None, sa_column=Column(ID, Identity(), primary_key=True))
    # Stored normalised (trimmed, lower-cased), so exact comparison is the rule.
    email: str = Field(sa_column=Column(exact_text(EMAIL_MAX_LENGTH), nullable=False, unique=True))
    password_hash: str = Field(sa_column=Column(String(_HASH_LENGTH), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class LoginFailureRow(SQLModel, table=True):
    """One failed sign-in: what the throttle counts."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index(None, "email", "failed_at"),  # an email's recent failures
        Index(None, "failed_at"),  # forgetting the old ones
    )

    id: int | None = Field(default=None, sa_column=Column(ID, Identity(), primary_key=True))
    email: str = Field(sa_column=Column(exact_text(EMAIL_MAX_LENGTH), nullable=False))
    failed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
