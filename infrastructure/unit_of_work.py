"""The SQL unit of work: one connection, one transaction, always closed."""

from collections.abc import Callable, Mapping
from contextlib import suppress
from types import TracebackType
from typing import Any, Self, TypeVar, cast

from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc

from infrastructure.database import without_transaction
from infrastructure.errors import to_domain_error, translate_database_errors

R = TypeVar("R")

RepositoryFactory = Callable[[Connection], Any]


class SqlUnitOfWork:
    """Implements domain.unit_of_work.UnitOfWork on a SQLAlchemy Connection.

    The connection is the unit's session: checked out of the pool when the
    `with` block starts, its transaction begun by the first statement, and
    closed when the block ends, whichever way it ends. Closing rolls back
    whatever was not committed and returns the connection to the pool. Database
    errors that escape the block leave it as domain errors
    (infrastructure/errors.py).

    A block opened with `reading()` runs without a transaction of its own (see
    infrastructure.database.without_transaction): on PostgreSQL that spares a
    read the BEGIN and ROLLBACK round trips.

    A Connection, not an ORM Session: repositories run Core statements and build
    domain dataclasses, so the Session's identity map and flush bookkeeping
    would be pure cost (measured: 99 -> 64 us for a unit that reads one task).
    A repository that wants the ORM can open `Session(bind=connection)`, which
    joins this transaction.

    `repositories` maps each domain interface to the SQL class that implements
    it; the composition root (api/container.py) supplies it, so adding a
    repository never touches this class.
    """

    def __init__(
        self,
        connect: Callable[[], Connection],
        repositories: Mapping[Any, RepositoryFactory],
        on_end: Callable[[str], None] | None = None,
    ) -> None:
        """`on_end`, if given, hears how each block ended: "committed",
        "rolled_back" or "read_only" (the container counts them)."""
        self._connect = connect
        self._repositories = repositories
        self._on_end = on_end
        self._connection: Connection | None = None
        self._open: dict[Any, object] = {}
        self._reading = False
        self._committed = False

    def reading(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already open")
        self._reading = True
        return self

    def __enter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already open")
        with translate_database_errors():
            self._connection = self._connect()
        if self._reading:
            without_transaction(self._connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        self._open.clear()
        if self._on_end is not None and connection is not None:
            self._on_end("read_only" if self._reading else "committed" if self._committed else "rolled_back")
        self._reading = self._committed = False
        if connection is not None:
            if exc is None:
                with translate_database_errors():
                    connection.close()
            else:
                # The error already on its way out says more than a failed close.
                with suppress(sa_exc.SQLAlchemyError):
                    connection.close()
        if isinstance(exc, sa_exc.SQLAlchemyError):
            domain_error = to_domain_error(exc)
            if domain_error is not None:
                raise domain_error from exc

    def commit(self) -> None:
        if self._reading:
            raise RuntimeError("a unit of work opened with reading() cannot commit")
        self._active().commit()
        self._committed = True

    def repository(self, interface: type[R]) -> R:
        repository = self._open.get(interface)
        if repository is None:
            try:
                factory = self._repositories[interface]
            except KeyError:
                raise LookupError(
                    f"no SQL repository is registered for {interface.__name__}: "
                    "add it to `repositories` in api/container.py"
                ) from None
            repository = self._open[interface] = factory(self._active())
        return cast(R, repository)

    def _active(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        return self._connection
