from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from domain.unit_of_work import UnitOfWork
from domain.users.model import Actor, NewUser
from tests.fakes.authors import FakeAuthorRepository
from tests.fakes.base import FakeDatabase
from tests.fakes.comments import FakeCommentRepository
from tests.fakes.posts import FakePostRepository
from tests.fakes.tasks import FakeTaskRepository
from tests.fakes.users import FakeLoginFailureRepository, FakeUserRepository


class FakeUnitOfWork(UnitOfWork):
    """domain.unit_of_work.UnitOfWork in memory, with the same contract: changes
    survive only a commit; leaving the block otherwise restores what was there.

    Its fakes share one fake database (so that their foreign keys hold across
    them) and are made here, one line per aggregate, as the SQL unit of work
    makes its repositories. A test may put another fake in their place
    (`uow.tasks = RacingTasks(uow.database)`)."""

    # The fakes' own types, for tests that look into them (mypy checks each
    # against the interface UnitOfWork declares).
    tasks: FakeTaskRepository
    authors: FakeAuthorRepository
    posts: FakePostRepository
    comments: FakeCommentRepository
    users: FakeUserRepository
    login_failures: FakeLoginFailureRepository

    def __init__(self, database: FakeDatabase | None = None) -> None:
        self.database = database or FakeDatabase()
        self.tasks = FakeTaskRepository(self.database)
        self.authors = FakeAuthorRepository(self.database)
        self.posts = FakePostRepository(self.database)
        self.comments = FakeCommentRepository(self.database)
        self.users = FakeUserRepository(self.database)
        self.login_failures = FakeLoginFailureRepository(self.database)
        self._before: Any = None
        self.commits = 0
        self.rollbacks = 0
        self.entered = 0
        self.latest_blocks = 0
        self._reading = False
        self._actor: Actor | None = None
        self.viewer: Actor | None = None
        """Whom the fakes work for outside a block, for a test that looks into them."""

    def acting_as(self, actor: Actor) -> Self:
        if self._before is not None:
            raise RuntimeError("this unit of work is already open")
        self._actor = actor
        return self

    def reading(self, snapshot: bool = False, latest: bool = False) -> Self:
        if self._before is not None:
            raise RuntimeError("this unit of work is already open")
        self._reading = True
        # One copy of the data: it never lags. Counted, for the services that must ask.
        self.latest_blocks += latest
        self.database.one_snapshot = snapshot
        return self

    def __enter__(self) -> Self:
        if self._before is not None:
            raise RuntimeError("this unit of work is already open")
        self._before = self.database.snapshot()
        self.entered += 1
        for fake in (self.tasks, self.authors, self.posts, self.comments):
            fake.actor = self._actor
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        before, self._before = self._before, None
        reading, self._reading = self._reading, False
        self._actor = None
        self.show_to(self.viewer)
        self.database.one_snapshot = True
        if before is None:
            return
        # Whatever was not committed goes: restore the state of the last commit.
        if self.database.snapshot() != before:
            self.database.restore(before)
            self.rollbacks += 1
            if reading and exc is None:
                raise AssertionError("a unit of work opened with reading() wrote")

    def show_to(self, viewer: Actor | None) -> None:
        """Let the fakes work for `viewer` outside a block (tests look into them)."""
        self.viewer = viewer
        for fake in (self.tasks, self.authors, self.posts, self.comments):
            fake.actor = viewer

    def commit(self) -> None:
        if self._before is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        if self._reading:
            raise RuntimeError("a unit of work opened with reading() cannot commit")
        self._before = self.database.snapshot()
        self.commits += 1


ME = Actor(1)
"""The user a unit test acts as: the first user of a fake database (`with_me`)."""


def with_me(uow: FakeUnitOfWork) -> FakeUnitOfWork:
    """`uow`, its fake database holding the user ME (what the rows it adds
    belong to), and its fakes showing ME's rows to a test that looks into them."""
    me = uow.users.add(NewUser("me@example.com", "not a real hash"), datetime(2026, 1, 1, tzinfo=UTC))
    assert me.id == ME.user_id, "with_me wants a fake database without users"
    uow.show_to(ME)
    return uow
