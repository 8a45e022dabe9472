from types import TracebackType
from typing import Any, Self

from domain.unit_of_work import UnitOfWork
from tests.fakes.authors import FakeAuthorRepository
from tests.fakes.base import FakeDatabase
from tests.fakes.comments import FakeCommentRepository
from tests.fakes.posts import FakePostRepository
from tests.fakes.tasks import FakeTaskRepository


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

    def __init__(self, database: FakeDatabase | None = None) -> None:
        self.database = database or FakeDatabase()
        self.tasks = FakeTaskRepository(self.database)
        self.authors = FakeAuthorRepository(self.database)
        self.posts = FakePostRepository(self.database)
        self.comments = FakeCommentRepository(self.database)
        self._before: Any = None
        self.commits = 0
        self.rollbacks = 0
        self.entered = 0
        self._reading = False

    def reading(self, snapshot: bool = False) -> Self:
        if self._before is not None:
            raise RuntimeError("this unit of work is already open")
        self._reading = True
        self.database.one_snapshot = snapshot
        return self

    def __enter__(self) -> Self:
        if self._before is not None:
            raise RuntimeError("this unit of work is already open")
        self._before = self.database.snapshot()
        self.entered += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        before, self._before = self._before, None
        reading, self._reading = self._reading, False
        self.database.one_snapshot = True
        if before is None:
            return
        # Whatever was not committed goes: restore the state of the last commit.
        if self.database.snapshot() != before:
            self.database.restore(before)
            self.rollbacks += 1
            if reading and exc is None:
                raise AssertionError("a unit of work opened with reading() wrote")

    def commit(self) -> None:
        if self._before is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        if self._reading:
            raise RuntimeError("a unit of work opened with reading() cannot commit")
        self._before = self.database.snapshot()
        self.commits += 1
