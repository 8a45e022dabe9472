"""User use cases: registration, sign-in (throttled), who a token names."""

import math
from datetime import timedelta
from typing import Final, Protocol

from domain.clock import Clock, utc_now
from domain.entity_service import EntityService
from domain.errors import AlreadyExists, NotFound, Throttled, Unauthenticated
from domain.ids import is_storable_id
from domain.unit_of_work import UnitOfWork
from domain.users.model import EMAIL_MAX_LENGTH, NewUser, User, normalise_email

ENTITY = "User"
MAX_FAILURES: Final = 5
"""Failed sign-ins of one email within FAILURE_WINDOW before every attempt is refused (API.md)."""
FAILURE_WINDOW: Final = timedelta(seconds=60)
WRONG_CREDENTIALS: Final = "Incorrect email or password"


class PasswordHasher(Protocol):
    """A slow, salted password hash (infrastructure/passwords.py: Argon2id)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password: str, password_hash: str | None) -> bool:
        """Whether `password` is the one `password_hash` was made from. With no
        hash (an unknown email) it still spends one verification, against a
        hash of its own, and says False: the answer takes as long either way."""
        ...


class UserService(EntityService):
    entity = ENTITY

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock = utc_now) -> None:
        super().__init__(uow, clock)
        self._hasher = hasher

    def register(self, email: str, password: str) -> User:
        """A new user; the password is kept only as its hash."""
        new = NewUser(normalise_email(email), self._hasher.hash(password))
        try:
            with self._uow as uow:
                user = uow.users.add(new, self._now())
                uow.commit()
                return user
        except AlreadyExists as exc:
            raise email_taken() from exc

    def authenticate(self, email: str, password: str) -> User:
        """The user these credentials name, or Unauthenticated (the same answer
        for an unknown email and a wrong password). Refused with Throttled, the
        password unread, while the email has MAX_FAILURES failures in the window."""
        email = normalise_email(email)
        if "\x00" in email or len(email) > EMAIL_MAX_LENGTH:
            # No user has it, and no database stores it (nor a failure of it):
            # the same answer, after the same work, without a query.
            self._hasher.verify(password, None)
            raise Unauthenticated(WRONG_CREDENTIALS)
        now = self._now()
        # latest: a user who just signed up must be able to sign in, and a
        # failure counted a moment ago must count (a lagging copy would miss both).
        with self._uow.reading(latest=True) as uow:
            failures = uow.login_failures.since(email, now - FAILURE_WINDOW)
            user = uow.users.by_email(email)
        if len(failures) >= MAX_FAILURES:
            # Until enough failures have left the window that fewer than
            # MAX_FAILURES remain: with exactly MAX_FAILURES, the oldest.
            frees_at = failures[len(failures) - MAX_FAILURES] + FAILURE_WINDOW
            raise Throttled(max(1, math.ceil((frees_at - now).total_seconds())))
        if self._hasher.verify(password, None if user is None else user.password_hash) and user is not None:
            return user
        with self._uow as uow:
            uow.login_failures.record(email, now, forget_before=now - FAILURE_WINDOW)
            uow.commit()
        raise Unauthenticated(WRONG_CREDENTIALS)

    def get(self, user_id: int, *, latest: bool = False) -> User:
        if is_storable_id(user_id):
            with self._uow.reading(latest=latest) as uow:
                found = uow.users.get(user_id)
            if found is not None:
                return found
        raise NotFound(ENTITY)

    def exists(self, user_id: int) -> bool:
        """Whether a token's user is still there (a token outlives nothing it names)."""
        # Users are not deleted through the API, so a copy that may lag (a
        # replica) and has the user is proof enough, and it answers while the
        # primary is away. Only a miss asks what is latest: a token issued a
        # moment ago may name a user the copy has not received yet.
        for latest in (False, True):
            try:
                self.get(user_id, latest=latest)
            except NotFound:
                continue
            return True
        return False


def email_taken() -> AlreadyExists:
    return AlreadyExists("A user with this email already exists")
