"""The engine and its connection pool, built once per process from settings."""

import sqlite3
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from infrastructure.errors import translate_database_errors
from infrastructure.settings import Settings

# Execution option a repository sets on its session's connection, before the first
# statement, to open a SQLite write transaction (see SqlRepository.lock_for_write).
SQLITE_BEGIN_OPTION = "sqlite_begin"


def build_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    pool = {
        # SQL parameters are request data: keep them out of exception texts (logs).
        "hide_parameters": True,
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
        "pool_recycle": settings.db_pool_recycle,
    }
    if url.get_backend_name() not in ("sqlite", "postgresql") or (
        url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg"
    ):
        raise ValueError(f"{url.drivername} is not supported: use sqlite or postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ValueError("use a SQLite file: every pooled connection must see the same database")
        engine = create_engine(
            url,
            **pool,  # no pre-ping: a connection to a file cannot go stale
            connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000},
        )
        _configure_sqlite(engine, settings)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": settings.db_connect_timeout}
    if not settings.db_prepared_statements:
        # PgBouncer in transaction mode and Neon's pooler hand each transaction to
        # any server connection, where a statement prepared elsewhere is unknown.
        connect_args["prepare_threshold"] = None
    return create_engine(url, **pool, pool_pre_ping=settings.db_pool_pre_ping, connect_args=connect_args)


def engine_resource(settings: Settings) -> Iterator[Engine]:
    """The engine for the life of the process; its pool is closed at shutdown."""
    engine = build_engine(settings)
    try:
        yield engine
    finally:
        engine.dispose()


def _configure_sqlite(engine: Engine, settings: Settings) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
        # Take transaction control away from the sqlite3 module (it would begin
        # transactions only before writes, so reads saw no consistent snapshot);
        # `on_begin` below opens them instead.
        dbapi_connection.isolation_level = None
        # Foreign keys are off in SQLite until each connection turns them on.
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        # WAL: readers never block the writer, nor the writer readers. NORMAL is
        # durable across application crashes; only a power loss can drop the
        # last commits, the usual trade-off with WAL.
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(settings.sqlite_busy_timeout_ms)}")
        # SQLite's lower() only knows ASCII; Python's knows Unicode, as PostgreSQL's
        # does. (SQLite's ICU extension overrides lower() in the same way.)
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # A deferred BEGIN for readers; BEGIN IMMEDIATE takes the write lock up
        # front for a transaction that reads before it writes, so that it waits
        # for other writers (busy timeout) instead of failing on upgrade.
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE"):
            raise ValueError(f"unknown SQLite transaction mode {mode!r}")
        # Through the driver: transaction control is not a statement of ours.
        connection.connection.driver_connection.execute(f"BEGIN {mode}")  # type: ignore[union-attr]


def without_transaction(connection: Connection) -> None:
    """Let `connection` run its statements without a transaction of their own.

    For units of work that only read. PostgreSQL: autocommit, which psycopg sets
    on the client side, so no BEGIN and no ROLLBACK travel to the server (two
    round trips of the three a one-row read took); SQLAlchemy restores the
    default when the connection goes back to the pool. SQLite keeps its BEGIN:
    it costs no round trip, and it gives a list's page and count one snapshot.
    """
    if connection.dialect.name != "sqlite":
        connection.execution_options(isolation_level="AUTOCOMMIT")


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


class DatabaseProbe:
    """Answers "can we reach the database right now?" for /ready."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def check(self) -> None:
        """Raises domain.errors.Unavailable when the database cannot be reached."""
        with translate_database_errors(), self._engine.connect() as connection:
            connection.execute(text("SELECT 1"))
