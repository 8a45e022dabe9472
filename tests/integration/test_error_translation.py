"""Which database failures become which domain errors (infrastructure/errors.py),
and what they say: a 503's detail is this text. No database needed: the
driver errors are built as the drivers raise them."""

import sqlite3

import psycopg
import pytest
from sqlalchemy import exc as sa_exc

from domain.errors import AlreadyExists, DomainError, ReferenceViolation, Unavailable
from infrastructure.errors import to_domain_error


def sqlite_error(kind: type[sqlite3.Error], name: str) -> sqlite3.Error:
    error = kind("boom")
    error.sqlite_errorname = name
    return error


def pg_error(kind: type[psycopg.Error], sqlstate: str | None) -> psycopg.Error:
    error = kind("boom")
    error.sqlstate = sqlstate
    return error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            sa_exc.IntegrityError("INSERT", {}, sqlite_error(sqlite3.IntegrityError, "SQLITE_CONSTRAINT_UNIQUE")),
            AlreadyExists,
        ),
        (
            sa_exc.IntegrityError("INSERT", {}, sqlite_error(sqlite3.IntegrityError, "SQLITE_CONSTRAINT_PRIMARYKEY")),
            AlreadyExists,
        ),
        (
            sa_exc.IntegrityError("INSERT", {}, sqlite_error(sqlite3.IntegrityError, "SQLITE_CONSTRAINT_FOREIGNKEY")),
            ReferenceViolation,
        ),
        (sa_exc.IntegrityError("INSERT", {}, sqlite_error(sqlite3.IntegrityError, "SQLITE_CONSTRAINT_CHECK")), None),
        (sa_exc.OperationalError("SELECT", {}, sqlite_error(sqlite3.OperationalError, "SQLITE_BUSY")), Unavailable),
        (
            sa_exc.OperationalError("SELECT", {}, sqlite_error(sqlite3.OperationalError, "SQLITE_BUSY_SNAPSHOT")),
            Unavailable,
        ),
        (sa_exc.OperationalError("SELECT", {}, sqlite_error(sqlite3.OperationalError, "SQLITE_LOCKED")), Unavailable),
        (sa_exc.OperationalError("open", {}, sqlite_error(sqlite3.OperationalError, "SQLITE_CANTOPEN")), Unavailable),
        (
            sa_exc.OperationalError("INSERT", {}, sqlite_error(sqlite3.OperationalError, "SQLITE_IOERR_WRITE")),
            Unavailable,
        ),
        (sa_exc.OperationalError("INSERT", {}, sqlite_error(sqlite3.OperationalError, "SQLITE_FULL")), Unavailable),
        (sa_exc.InterfaceError("SELECT", {}, sqlite_error(sqlite3.InterfaceError, "SQLITE_MISUSE")), None),
        (sa_exc.OperationalError("SELECT", {}, sqlite_error(sqlite3.OperationalError, "SQLITE_ERROR")), None),
        (sa_exc.IntegrityError("INSERT", {}, pg_error(psycopg.IntegrityError, "23505")), AlreadyExists),
        (sa_exc.IntegrityError("INSERT", {}, pg_error(psycopg.IntegrityError, "23503")), ReferenceViolation),
        (sa_exc.IntegrityError("INSERT", {}, pg_error(psycopg.IntegrityError, "23514")), None),
        (sa_exc.IntegrityError("INSERT", {}, pg_error(psycopg.IntegrityError, None)), None),
        (sa_exc.OperationalError("SELECT", {}, pg_error(psycopg.OperationalError, None)), Unavailable),
        (sa_exc.OperationalError("SELECT", {}, pg_error(psycopg.OperationalError, "57P01")), Unavailable),
        (sa_exc.OperationalError("SELECT", {}, pg_error(psycopg.OperationalError, "40P01")), Unavailable),
        (sa_exc.OperationalError("connect", {}, pg_error(psycopg.OperationalError, "55000")), Unavailable),
        (sa_exc.OperationalError("SELECT", {}, pg_error(psycopg.OperationalError, "54001")), None),
        (sa_exc.InterfaceError("SELECT", {}, pg_error(psycopg.InterfaceError, None)), Unavailable),
        (sa_exc.ProgrammingError("SELECT", {}, pg_error(psycopg.ProgrammingError, "42P01")), None),
        (sa_exc.TimeoutError("pool"), Unavailable),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_translation(error: sa_exc.SQLAlchemyError, expected: type[DomainError] | None) -> None:
    translated = to_domain_error(error)
    if expected is None:
        assert translated is None
    else:
        assert type(translated) is expected


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (sa_exc.TimeoutError("pool"), "No database connection became free in time"),
        (
            sa_exc.OperationalError(
                "SELECT", {}, pg_error(psycopg.OperationalError, None), connection_invalidated=True
            ),
            "The database connection was lost",
        ),
        (
            sa_exc.OperationalError("SELECT", {}, pg_error(psycopg.OperationalError, "57P01")),
            "The database cannot be reached",
        ),
        (
            sa_exc.OperationalError("SELECT", {}, sqlite_error(sqlite3.OperationalError, "SQLITE_BUSY")),
            "The database is busy or cannot be opened",
        ),
        (
            sa_exc.IntegrityError("INSERT", {}, pg_error(psycopg.IntegrityError, "23505")),
            "A row with the same unique value already exists",
        ),
        (
            sa_exc.IntegrityError("INSERT", {}, sqlite_error(sqlite3.IntegrityError, "SQLITE_CONSTRAINT_FOREIGNKEY")),
            "A row refers to one that does not exist, or is still referred to",
        ),
    ],
)
def test_what_each_says(error: sa_exc.SQLAlchemyError, detail: str) -> None:
    translated = to_domain_error(error)
    assert translated is not None
    assert translated.detail == detail


def test_only_sqlalchemy_database_errors_are_read() -> None:
    assert to_domain_error(sa_exc.ArgumentError("not a database failure")) is None
