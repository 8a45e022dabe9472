"""How the engine is built from settings, what each SQLite connection is set to,
and how each unit of work's transaction begins. PostgreSQL's connection settings
are read from the arguments its driver would be called with (no server needed);
what they do (pre-ping, hidden parameters) is seen on the server."""

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, String, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import QueuePool, StaticPool
from sqlmodel import SQLModel

from domain.errors import Unavailable
from infrastructure.database import (
    SQLITE_BEGIN_OPTION,
    DatabaseProbe,
    act_as,
    build_engine,
    engine_resource,
    transaction_options,
)
from infrastructure.settings import Settings
from infrastructure.tables.columns import exact_text
from tests.support.databases import LiveDatabase, postgres_conninfo

UNREACHABLE = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"


def driver_arguments(engine: Engine) -> dict[str, Any]:
    """The keyword arguments the engine hands the driver to connect (the
    connection itself is refused before it is tried)."""
    seen: dict[str, Any] = {}

    def record(_dialect: Any, _record: Any, _args: Any, kwargs: dict[str, Any]) -> None:
        seen.update(kwargs)
        raise RuntimeError("recorded")

    event.listen(engine, "do_connect", record)
    with pytest.raises(RuntimeError, match="recorded"):
        engine.connect()
    return seen


class TestBuildEngine:
    def test_only_sqlite_and_postgresql_with_psycopg(self) -> None:
        for url in ("mysql://u@h/db", "postgresql+asyncpg://u@h/db", "postgresql+psycopg2://u@h/db"):
            with pytest.raises(ValueError, match=r"is not supported: use sqlite or postgresql\+psycopg$"):
                build_engine(Settings(database_url=url))

    def test_postgresql_gets_the_pool_and_connection_settings(self) -> None:
        settings = Settings(
            database_url=UNREACHABLE, db_pool_size=3, db_max_overflow=2, db_pool_timeout=1.5,
            db_connect_timeout=4, db_pool_pre_ping=True, db_pool_recycle=900,
        )  # fmt: skip
        engine = build_engine(settings)
        pool = engine.pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool.timeout(), pool.overflow()) == (3, 1.5, -3)
        arguments = driver_arguments(engine)
        arguments.pop("context")  # the driver's type adapters
        assert arguments == {"connect_timeout": 4, "dbname": "none", "host": "127.0.0.1", "password": "secret",
                             "port": 1, "user": "nobody"}  # fmt: skip
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
        engine.dispose()

    def test_behind_a_pooler_postgresql_prepares_nothing(self) -> None:
        engine = build_engine(Settings(database_url=UNREACHABLE, db_prepared_statements=False))
        assert driver_arguments(engine)["prepare_threshold"] is None
        engine.dispose()

    def test_a_sqlite_file_is_pooled_and_shared_across_threads(self, tmp_path: Path) -> None:
        engine = build_engine(
            Settings(
                database_url=f"sqlite:///{tmp_path / 'pool.db'}", db_pool_size=1, db_max_overflow=1, db_pool_timeout=0.2
            )
        )
        assert isinstance(engine.pool, QueuePool)
        first, second = engine.connect(), engine.connect()  # the pool, then the overflow
        with pytest.raises(sa_exc.TimeoutError):
            engine.connect()
        answers: list[int] = []
        worker = threading.Thread(target=lambda: answers.append(first.execute(text("SELECT 1")).scalar_one()))
        worker.start()
        worker.join()
        assert answers == [1]  # a connection made on one thread serves another
        first.close()
        second.close()
        engine.dispose()

    @pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
    def test_an_in_memory_sqlite_is_one_connection_for_all_threads(self, url: str) -> None:
        # "sqlite:///" is a private temporary file: as many databases as connections,
        # were the pool to make more than one.
        engine = build_engine(Settings(database_url=url))
        assert isinstance(engine.pool, StaticPool)
        SQLModel.metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO authors (name, created_at) VALUES ('Ada', '2026-01-01')"))
        answers: list[object] = []

        def read() -> None:  # FastAPI runs routes on its worker threads
            with engine.connect() as other:
                answers.append(other.execute(text("SELECT name FROM authors")).scalar_one())
                answers.append(other.execute(text("PRAGMA foreign_keys")).scalar_one())

        worker = threading.Thread(target=read)
        worker.start()
        worker.join()
        assert answers == ["Ada", 1]
        engine.dispose()


@pytest.fixture(params=["sqlite file", "sqlite in memory", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine of each kind build_engine makes, on a database that answers."""
    urls = {"sqlite file": f"sqlite:///{tmp_path / 'any.db'}", "sqlite in memory": "sqlite://"}
    url = urls.get(request.param) or request.getfixturevalue("postgres_server")
    engine = build_engine(Settings(database_url=url))
    yield engine
    engine.dispose()


def test_sql_parameters_stay_out_of_error_texts(any_engine: Engine) -> None:
    """They are request data, and error texts go to the logs."""
    with any_engine.connect() as connection, pytest.raises(sa_exc.DBAPIError) as caught:
        connection.execute(text("SELECT nothing FROM (SELECT :secret AS x) AS given"), {"secret": "s3cret-value"})
    assert "s3cret-value" not in str(caught.value)
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(caught.value)


@pytest.mark.postgres
def test_postgresql_replaces_a_pooled_connection_the_server_dropped(postgres_server: str) -> None:
    """Pre-ping (DB_POOL_PRE_PING): a server restart or an idle timeout costs a
    reconnect, not a failed request."""
    engine = build_engine(Settings(database_url=postgres_server, db_pool_size=1, db_pool_pre_ping=True))
    with engine.connect() as connection:
        dropped = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with psycopg.connect(postgres_conninfo(postgres_server), autocommit=True) as admin:
        # Waits (up to 5 s) until the backend has gone.
        assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", (dropped,)).fetchone() == (True,)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != dropped
    engine.dispose()


class TestSqliteConnections:
    def test_each_waits_for_the_lock_as_long_as_set(self, tmp_path: Path) -> None:
        engine = build_engine(Settings(database_url=f"sqlite:///{tmp_path / 'busy.db'}", sqlite_busy_timeout_ms=1234))
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 1234
            assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 1  # NORMAL
        engine.dispose()

    def test_lower_is_unicode_and_keeps_null(self, sqlite_db: LiveDatabase) -> None:
        with sqlite_db.engine.connect() as connection:
            assert connection.execute(text("SELECT lower('ÉCOLE'), lower(NULL), lower(3)")).one() == ("école", None, 3)

    def test_a_transaction_begins_as_its_unit_asks(self, sqlite_db: LiveDatabase) -> None:
        other = sqlite3.connect(str(Path(sqlite_db.engine.url.database or "")), isolation_level=None)
        try:
            for mode, blocks_writers in (("DEFERRED", False), ("IMMEDIATE", True)):
                with sqlite_db.engine.connect() as connection:
                    connection.execution_options(**{SQLITE_BEGIN_OPTION: mode}).execute(text("SELECT 1"))
                    other.execute("PRAGMA busy_timeout = 0")
                    try:
                        other.execute("BEGIN IMMEDIATE")
                        other.rollback()
                        took_the_lock = True
                    except sqlite3.OperationalError:
                        took_the_lock = False
                    assert took_the_lock is not blocks_writers, mode
            with (
                sqlite_db.engine.connect() as connection,
                pytest.raises(ValueError, match="unknown SQLite transaction mode 'EXCLUSIVE'"),
            ):
                connection.execution_options(**{SQLITE_BEGIN_OPTION: "EXCLUSIVE"}).execute(text("SELECT 1"))
        finally:
            other.close()


def test_how_each_unit_of_work_begins() -> None:
    sqlite = build_engine(Settings(database_url="sqlite://"))
    postgresql = build_engine(Settings(database_url=UNREACHABLE))
    for snapshot in (False, True):
        assert transaction_options(sqlite, reading=True, snapshot=snapshot) == {SQLITE_BEGIN_OPTION: "DEFERRED"}
    assert transaction_options(sqlite, reading=False, snapshot=False) == {SQLITE_BEGIN_OPTION: "IMMEDIATE"}
    assert transaction_options(postgresql, reading=True, snapshot=False) == {"isolation_level": "AUTOCOMMIT"}
    assert transaction_options(postgresql, reading=True, snapshot=True) == {
        "isolation_level": "REPEATABLE READ",
        "postgresql_readonly": True,
    }
    assert transaction_options(postgresql, reading=False, snapshot=False) == {}
    # Read for a user: psycopg sends no BEGIN; act_as sends the unit's own, with the user.
    for snapshot in (False, True):
        assert transaction_options(postgresql, reading=True, snapshot=snapshot, acting=True) == {
            "isolation_level": "AUTOCOMMIT"
        }
    assert transaction_options(postgresql, reading=False, snapshot=False, acting=True) == {}
    sqlite.dispose()
    postgresql.dispose()


def test_act_as_refuses_a_transaction_psycopg_would_begin(postgres_db: LiveDatabase) -> None:
    """act_as sends a reading unit's BEGIN. On a connection not in autocommit,
    psycopg would send its own first, PostgreSQL would only warn about the
    second, and a reading unit would run read-write: refused instead, before
    anything is sent."""
    with postgres_db.engine.connect() as connection:
        with pytest.raises(ValueError, match="act_as begins a reading transaction"):
            act_as(connection, 1, reading=True, snapshot=False)
        assert not connection.in_transaction()
    with postgres_db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        act_as(connection, 7, reading=True, snapshot=False)
        driver = connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        inside = driver.info.transaction_status
        assert connection.exec_driver_sql(
            "SELECT current_setting('transaction_read_only'), current_setting('app.user_id')"
        ).one() == ("on", "7")
        connection.rollback()  # psycopg ends the transaction, autocommit or not
        statuses = (inside, driver.info.transaction_status)
        assert statuses == (psycopg.pq.TransactionStatus.INTRANS, psycopg.pq.TransactionStatus.IDLE)


def test_titles_compare_by_code_point_on_postgresql() -> None:
    title = exact_text(12)
    dialects = (
        build_engine(Settings(database_url=UNREACHABLE)).dialect,
        build_engine(Settings(database_url="sqlite://")).dialect,
    )
    on_postgresql, on_sqlite = (title.dialect_impl(dialect) for dialect in dialects)
    assert isinstance(on_postgresql, String)
    assert isinstance(on_sqlite, String)
    assert (on_postgresql.length, on_postgresql.collation) == (12, "C")
    assert (on_sqlite.length, on_sqlite.collation) == (12, None)


class TestProbe:
    def test_a_reachable_database_answers(self, sqlite_db: LiveDatabase) -> None:
        DatabaseProbe(sqlite_db.engine).check()

    def test_an_unreachable_one_is_unavailable(self) -> None:
        engine = build_engine(Settings(database_url=UNREACHABLE, db_connect_timeout=1))
        with pytest.raises(Unavailable, match=r"^The database cannot be reached$"):
            DatabaseProbe(engine).check()
        engine.dispose()


def test_the_engine_lives_as_long_as_the_process_and_its_pool_is_closed_at_the_end(tmp_path: Path) -> None:
    closed: list[object] = []
    resource = engine_resource(Settings(database_url=f"sqlite:///{tmp_path / 'life.db'}"))
    engine = next(resource)
    event.listen(engine.pool, "close", lambda *_: closed.append(True))
    engine.connect().close()
    assert closed == []
    with pytest.raises(StopIteration):
        next(resource)
    assert closed == [True]
