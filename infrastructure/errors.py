"""Database failures, turned into the domain's errors.

Only failures with a meaning for the caller are translated: a broken unique or
foreign-key rule, an unreachable or overloaded database. Anything else (a missing table, bad SQL) is
a bug and stays an exception that the API reports as a bare 500.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

from domain.errors import AlreadyExists, DomainError, ReferenceViolation, Unavailable

# PostgreSQL SQLSTATEs (appendix A of its manual).
_PG_UNIQUE_VIOLATION = "23505"
_PG_FOREIGN_KEY_VIOLATION = "23503"
_PG_PROGRAM_LIMIT = "54"  # statement too complex, too many columns: a bug, not an outage

# SQLite extended result codes, by name (sqlite3.Error.sqlite_errorname).
_SQLITE_UNIQUE = ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")
_SQLITE_FOREIGN_KEY = "SQLITE_CONSTRAINT_FOREIGNKEY"
_SQLITE_UNAVAILABLE_PREFIXES = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL")


def to_domain_error(error: sa_exc.SQLAlchemyError) -> DomainError | None:
    """The domain error that `error` means, or None when it is a plain bug."""
    if isinstance(error, sa_exc.TimeoutError):
        return Unavailable("No database connection became free in time")
    if not isinstance(error, sa_exc.DBAPIError):
        return None
    if error.connection_invalidated:
        return Unavailable("The database connection was lost")
    sqlstate: str | None = getattr(error.orig, "sqlstate", None)
    sqlite_name: str | None = getattr(error.orig, "sqlite_errorname", None)
    if isinstance(error, sa_exc.IntegrityError):
        if sqlstate == _PG_UNIQUE_VIOLATION or sqlite_name in _SQLITE_UNIQUE:
            return AlreadyExists("A row with the same unique value already exists")
        if sqlstate == _PG_FOREIGN_KEY_VIOLATION or sqlite_name == _SQLITE_FOREIGN_KEY:
            return ReferenceViolation("A row refers to one that does not exist, or is still referred to")
        return None
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        if sqlite_name is not None:
            if sqlite_name.startswith(_SQLITE_UNAVAILABLE_PREFIXES):
                return Unavailable("The database is busy or cannot be opened")
            return None
        # psycopg's OperationalError is the database not serving us now: no
        # answer (no SQLSTATE), a shutdown or terminated backend (57P), a database
        # that refuses connections (55000), too many clients (53), a deadlock or
        # serialization failure (40), a cancelled statement (57014). All pass.
        if sqlstate is None or not sqlstate.startswith(_PG_PROGRAM_LIMIT):
            return Unavailable("The database cannot be reached")
    return None


@contextmanager
def translate_database_errors() -> Iterator[None]:
    try:
        yield
    except sa_exc.SQLAlchemyError as error:
        domain_error = to_domain_error(error)
        if domain_error is None:
            raise
        raise domain_error from error
