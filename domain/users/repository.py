from datetime import datetime
from typing import Protocol

from domain.repository import Repository
from domain.users.model import NewUser, User


class UserRepository(Repository[User, NewUser], Protocol):
    """Storage of users. A second user with a stored email raises
    domain.errors.AlreadyExists (the database's unique rule)."""

    def by_email(self, email: str) -> User | None:
        """The user with this (normalised) email."""
        ...


class LoginFailureRepository(Protocol):
    """Failed sign-ins, counted in the database so that every worker and host
    serving it agrees on who is throttled."""

    def since(self, email: str, start: datetime) -> list[datetime]:
        """When `email`'s sign-ins failed, from `start` on, oldest first."""
        ...

    def record(self, email: str, at: datetime, forget_before: datetime) -> None:
        """Count a failure of `email` at `at`, and remove every failure (of any
        email) older than `forget_before`: the table cleans itself, no job needed."""
        ...
