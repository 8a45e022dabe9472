"""The User aggregate, and the acting user every use case is run for."""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

EMAIL_MAX_LENGTH: Final = 254
PASSWORD_MIN_LENGTH: Final = 12
PASSWORD_MAX_LENGTH: Final = 128


@dataclass(frozen=True, slots=True)
class Actor:
    """Who a use case runs for: the user a verified token names. A plain value,
    so the domain never sees a token, a header or a request."""

    user_id: int


@dataclass(frozen=True)
class User:
    """A stored user. `password_hash` never leaves the server: the API's
    response model has no such field."""

    id: int
    email: str
    password_hash: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewUser:
    """A user to store: the email already normalised, the password already hashed."""

    email: str
    password_hash: str

    def stored_as(self, user_id: int, at: datetime) -> User:
        return User(id=user_id, email=self.email, password_hash=self.password_hash, created_at=at)


def normalise_email(email: str) -> str:
    """An email as it is stored and looked up: trimmed, lower-cased (API.md)."""
    return email.strip().lower()
