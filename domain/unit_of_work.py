"""The unit of work: one transaction, and the repositories that work inside it."""

from types import TracebackType
from typing import Protocol, Self, TypeVar

R = TypeVar("R")


class UnitOfWork(Protocol):
    """A transaction that services open with `with`.

    Contract (pinned by tests for the SQL and the fake implementation):
    - nothing is stored unless the service calls `commit()` inside the block;
      leaving the block any other way (an exception, a plain return) rolls back;
    - every repository obtained inside one block works in the same transaction;
    - the resources behind it (a database session) are released when the block ends;
    - one object may be entered again after the block ends (a retry), each time
      with a fresh transaction; it is not entered twice at once;
    - `with uow.reading():` opens a block that only reads: it must not write or
      commit, and the storage may spare it a transaction of its own (each
      statement then sees the latest committed data, as PostgreSQL's READ
      COMMITTED does inside a transaction anyway).
    """

    def reading(self) -> Self:
        """This unit of work, for one block that only reads."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def repository(self, interface: type[R]) -> R:
        """The implementation of a repository interface bound to this transaction."""
        ...
