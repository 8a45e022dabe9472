"""The SQL unit of work: one Session, one transaction, always closed."""

from collections.abc import Callable, Mapping
from contextlib import suppress
from types import TracebackType
from typing import Any, Self, TypeVar, cast

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from infrastructure.errors import to_domain_error, translate_database_errors

R = TypeVar("R")

RepositoryFactory = Callable[[Session], Any]


class SqlUnitOfWork:
    """Implements domain.unit_of_work.UnitOfWork on a SQLAlchemy Session.

    The Session (and with it a pooled connection) lives exactly as long as the
    `with` block: closing it rolls back whatever was not committed and returns the
    connection to the pool, whichever way the block is left. Database errors that
    escape the block leave it as domain errors (infrastructure/errors.py).

    `repositories` maps each domain interface to the SQL class that implements it;
    the composition root (api/container.py) supplies it, so adding a repository
    never touches this class.
    """

    def __init__(
        self,
        session_factory: Callable[[], Session],
        repositories: Mapping[Any, RepositoryFactory],
    ) -> None:
        self._session_factory = session_factory
        self._repositories = repositories
        self._session: Session | None = None
        self._open: dict[Any, object] = {}

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        self._session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        self._open.clear()
        if session is not None:
            if exc is None:
                with translate_database_errors():
                    session.close()
            else:
                # The error already on its way out says more than a failed close.
                with suppress(sa_exc.SQLAlchemyError):
                    session.close()
        if isinstance(exc, sa_exc.SQLAlchemyError):
            domain_error = to_domain_error(exc)
            if domain_error is not None:
                raise domain_error from exc

    def commit(self) -> None:
        self._active().commit()

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

    def _active(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        return self._session
