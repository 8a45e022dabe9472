"""The engine and its connection pool, built once per process from settings, and
how each unit of work's transaction begins."""

import sqlite3
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from infrastructure.errors import translate_database_errors
from infrastructure.replicas import DatabaseState, ReadRouting, ReadRoutingObserver
from infrastructure.settings import Settings

# Execution option naming how a SQLite transaction begins (see transaction_options).
SQLITE_BEGIN_OPTION = "sqlite_begin"


def build_engine(settings: Settings, database_url: str | None = None) -> Engine:
    """The engine for DATABASE_URL, or for `database_url` (a replica) with the same pool."""
    url = make_url(database_url or settings.database_url)
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql") or (backend == "postgresql" and url.get_driver_name() != "psycopg"):
        raise ValueError(f"{url.drivername} is not supported: use sqlite or postgresql+psycopg")
    # SQL parameters are request data: keep them out of exception texts (logs).
    common: dict[str, Any] = {"hide_parameters": True}
    pool = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
        "pool_recycle": settings.db_pool_recycle,
    }
    if backend == "sqlite":
        # The driver's timeout is SQLite's busy timeout: how long a writer waits
        # for the lock. Sessions are used from FastAPI's worker threads.
        connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000}
        if url.database in (None, "", ":memory:"):
            # An in-memory database lives in its one connection: every session
            # shares it (StaticPool), as SQLModel's guide to testing does. For
            # tests: concurrent units of work would share its transaction too.
            engine = create_engine(url, **common, poolclass=StaticPool, connect_args=connect_args)
        else:
            # No pre-ping: a connection to a file cannot go stale.
            engine = create_engine(url, **common, **pool, connect_args=connect_args)
        _configure_sqlite(engine)
        return engine
    connect_args = {"connect_timeout": settings.db_connect_timeout}
    if not settings.db_prepared_statements:
        # PgBouncer in transaction mode and Neon's pooler hand each transaction to
        # any server connection, where a statement prepared elsewhere is unknown.
        connect_args["prepare_threshold"] = None
    return create_engine(url, **common, **pool, pool_pre_ping=settings.db_pool_pre_ping, connect_args=connect_args)


def engine_resource(settings: Settings) -> Iterator[Engine]:
    """The engine for the life of the process; its pool is closed at shutdown."""
    engine = build_engine(settings)
    try:
        yield engine
    finally:
        engine.dispose()


def routing_resource(
    settings: Settings, primary: Engine, observer: ReadRoutingObserver | None = None
) -> Iterator[ReadRouting | None]:
    """Read routing over DATABASE_REPLICA_URLS for the life of the process, its
    monitor running; None without replicas (the primary serves every read)."""
    if not settings.database_replica_urls:
        yield None
        return
    if primary.dialect.name != "postgresql" or any(
        make_url(url).get_backend_name() != "postgresql" for url in settings.database_replica_urls
    ):
        raise ValueError("DATABASE_REPLICA_URLS are PostgreSQL replicas of a PostgreSQL DATABASE_URL")
    engines = [build_engine(settings, url) for url in settings.database_replica_urls]
    routing = ReadRouting(
        primary,
        engines,
        max_lag=settings.replica_max_lag_seconds,
        poll_seconds=settings.replica_poll_seconds,
        observer=observer,
    )
    routing.start()
    try:
        yield routing
    finally:
        routing.stop()
        for engine in engines:
            engine.dispose()


ACTING_USER = "app.user_id"
"""The PostgreSQL setting that names the acting user for row-level security
(migration 0006): set per transaction, never per connection."""
BYPASS = "app.bypass_rls"
"""Set to 'on' in a transaction that must see every owner's rows (the adopt
command); nothing the API runs sets it."""


def transaction_options(engine: Engine, *, reading: bool, snapshot: bool, acting: bool = False) -> dict[str, Any]:
    """Execution options for the connection of a unit of work, set before its
    transaction begins (SQLAlchemy's way to configure one session's transaction).

    - PostgreSQL, a unit that only reads: autocommit, which psycopg sets on the
      client side, so no BEGIN and no ROLLBACK travel to the server (two round
      trips of the three a one-row read took); each statement sees what was
      committed when it ran. SQLAlchemy restores the default when the
      connection goes back to the pool.
    - PostgreSQL, a unit that reads from one `snapshot` (a page and its COUNT):
      a read-only REPEATABLE READ transaction, whose statements all see the
      snapshot its first one took. Two plain statements in it cost the server
      less than one statement carrying the COUNT as a subquery (README, Speed).
    - PostgreSQL, a unit that reads for an acting user: autocommit at the
      driver, because `act_as` sends the unit's own BEGIN READ ONLY, in the
      same message as the acting user's SET LOCAL: one round trip where
      psycopg's BEGIN and the setting took two. (A unit that writes for a user
      lets psycopg begin, as any other: measured, README, Speed.)
    - SQLite, a unit that may write: BEGIN IMMEDIATE takes the write lock up
      front, so that a transaction which reads before it writes waits for other
      writers (busy timeout) instead of failing on the upgrade ("database is
      locked"). A unit that only reads begins DEFERRED: a transaction, so one
      snapshot whether asked or not, never blocking the writer (WAL).
    """
    if engine.dialect.name == "sqlite":
        return {SQLITE_BEGIN_OPTION: "DEFERRED" if reading else "IMMEDIATE"}
    if reading and acting:
        return {"isolation_level": "AUTOCOMMIT"}
    if reading and snapshot:
        return {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    return {"isolation_level": "AUTOCOMMIT"} if reading else {}


def act_as(connection: Connection, user_id: int, *, reading: bool, snapshot: bool) -> None:
    """Name the acting user for PostgreSQL's row-level security, for this
    transaction only; for a unit that reads, begin that transaction too, in the
    same message. SQLite has no row-level security: nothing to do.

    - SET LOCAL lasts until COMMIT or ROLLBACK, so the setting cannot reach the
      next request that gets this connection, behind PgBouncer in transaction
      mode included (it keeps the server connection while the transaction is
      open). The user id is written into the statement, safely: it is an int.
    - A unit that writes: psycopg has sent BEGIN; then the setting.
    - A unit that reads: the connection is in autocommit at the driver
      (transaction_options), so psycopg sends no BEGIN of its own; this one is
      ours, READ ONLY, and REPEATABLE READ for a snapshot, as psycopg's would
      have been, and goes out with the setting as one message (a statement
      without parameters goes over PostgreSQL's simple protocol, which takes
      several). One round trip less per read (README, Speed: "One message to
      begin a read"). SQLAlchemy's recipe for SQLite sends its own BEGIN in
      the same way (`_configure_sqlite`). psycopg's commit() and rollback()
      follow the server's transaction status, not the autocommit flag, so the
      unit's close and the pool's reset end this transaction as any other.
    """
    if connection.dialect.name == "postgresql":
        if not reading:
            # One fixed string through exec_driver_sql: no statement to build,
            # compile and cache-key per unit of work; one prepared statement
            # for every user, where a user id written into the text would be
            # prepared per user (README, Speed).
            connection.exec_driver_sql(_SET_ACTING_USER, {"user_id": str(user_id)})
            return
        acting = f"SET LOCAL {ACTING_USER} = '{int(user_id)}'"
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            # psycopg would send its own BEGIN first, and a second BEGIN is
            # only a warning: the transaction would silently lose its mode.
            raise ValueError("act_as begins a reading transaction: open the connection with transaction_options")
        mode = _READ_SNAPSHOT if snapshot else _READ
        connection.exec_driver_sql(f"BEGIN{mode}; {acting}")


_SET_ACTING_USER = f"SELECT set_config('{ACTING_USER}', %(user_id)s, true)"
_READ = " READ ONLY"
_READ_SNAPSHOT = " ISOLATION LEVEL REPEATABLE READ READ ONLY"


def bypass_row_security(connection: Connection) -> None:
    """Let this transaction see and change every owner's rows (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.set_config(BYPASS, "on", True)))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
        # Take transaction control away from the sqlite3 module (it would begin
        # transactions only before writes, so reads saw no consistent snapshot);
        # `on_begin` below opens them instead, as SQLAlchemy's SQLite guide shows.
        dbapi_connection.isolation_level = None
        # Foreign keys are off in SQLite until each connection turns them on.
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        # The file is in WAL mode from its migration on (infrastructure/migrations
        # /env.py): readers never block the writer, nor the writer readers. Not
        # switched here, as that needs the write lock, which another program may
        # hold. NORMAL is durable across application crashes with WAL; only a
        # power loss can drop the last commits, the usual trade-off.
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")
        # SQLite's lower() only knows ASCII; Python's knows Unicode, as PostgreSQL's
        # does. (SQLite's ICU extension overrides lower() in the same way.)
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE"):
            raise ValueError(f"unknown SQLite transaction mode {mode!r}")
        # SQLAlchemy's recipe for SQLite transactions. Sent as a statement, a
        # failure (a lock held past the busy timeout) is SQLAlchemy's
        # OperationalError, translated like any other (503). Sending it on the
        # driver's connection instead saved ~35 us a unit of work in-process, and
        # nothing measurable under load (GET /tasks/{id} under wrk, two rounds:
        # 1,314 and 1,154 req/s that way, 1,170 and 1,301 this way).
        connection.exec_driver_sql(f"BEGIN {mode}")


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


class DatabaseProbe:
    """Answers "can we reach the database right now?" for /ready, and, with
    replicas, how each of them was when the monitor last asked."""

    def __init__(self, engine: Engine, routing: ReadRouting | None = None) -> None:
        self._engine = engine
        self._routing = routing

    def check(self) -> None:
        """Raises domain.errors.Unavailable when the database cannot be reached."""
        with translate_database_errors(), self._engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def replicas(self) -> list[DatabaseState]:
        return [] if self._routing is None else self._routing.states()[1:]
