"""The SQL unit of work's contract, on both databases: it owns the connection and
the transaction, rolls back unless told to commit, always gives the connection
back, and lets only domain errors out."""

import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel

from domain.errors import AlreadyExists, Unavailable
from domain.tasks.model import NewTask, Priority, Status, Task, TaskChanges, TaskQuery
from domain.tasks.service import TaskService
from domain.users.model import NewUser
from infrastructure.database import build_engine
from infrastructure.repositories.tasks import SqlTaskRepository
from infrastructure.settings import Settings
from infrastructure.tables.tasks import TaskRow
from infrastructure.unit_of_work import SqlUnitOfWork, session_factory
from tests.factories.tasks import NewTaskFactory
from tests.fakes.unit_of_work import ME
from tests.integration.conftest import add_me, sql_unit_of_work
from tests.support.databases import LiveDatabase
from tests.support.sessions import SessionLog, failing_commit
from tests.support.units import units_with_tasks

AT = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)


def checked_out(database: LiveDatabase) -> int:
    return int(database.engine.pool.checkedout())  # type: ignore[attr-defined]


def test_without_commit_nothing_is_stored(sql_uow: SqlUnitOfWork, clean_database: LiveDatabase) -> None:
    with sql_uow.acting_as(ME):
        sql_uow.tasks.add(NewTaskFactory.build(), AT)
    assert clean_database.count("tasks") == 0
    assert checked_out(clean_database) == 0


def test_an_exception_after_writes_rolls_them_back(sql_uow: SqlUnitOfWork, clean_database: LiveDatabase) -> None:
    with pytest.raises(ZeroDivisionError), sql_uow.acting_as(ME):
        sql_uow.tasks.add_many(NewTaskFactory.build_batch(3), AT)
        _ = 1 / 0
    assert clean_database.count("tasks") == 0
    assert checked_out(clean_database) == 0


def test_commit_stores_and_the_connection_goes_back(sql_uow: SqlUnitOfWork, clean_database: LiveDatabase) -> None:
    with sql_uow.acting_as(ME):
        sql_uow.tasks.add(NewTaskFactory.build(), AT)
        assert checked_out(clean_database) == 1
        sql_uow.commit()
    assert clean_database.count("tasks") == 1
    assert checked_out(clean_database) == 0


def test_repositories_share_the_transaction(sql_uow: SqlUnitOfWork) -> None:
    with sql_uow.acting_as(ME):
        first = sql_uow.tasks
        task = first.add(NewTaskFactory.build(), AT)
        assert sql_uow.tasks is first
        assert first.get(task.id) == task  # visible inside, before any commit


def test_a_unique_violation_leaves_as_already_exists(sql_uow: SqlUnitOfWork, clean_database: LiveDatabase) -> None:
    with sql_uow.acting_as(ME):
        sql_uow.tasks.add(NewTask(title="dup"), AT)
        sql_uow.commit()
    with pytest.raises(AlreadyExists), sql_uow.acting_as(ME):
        sql_uow.tasks.add(NewTask(title="dup"), AT)
    assert checked_out(clean_database) == 0


@pytest.mark.usefixtures("database_with_me")
def test_a_failing_commit_stores_nothing(clean_database: LiveDatabase) -> None:
    log = SessionLog()
    uow = SqlUnitOfWork(log.sessions(clean_database.engine, failing_commit(RuntimeError("commit refused"))))
    with pytest.raises(RuntimeError, match="commit refused"), uow.acting_as(ME):
        uow.tasks.add(NewTaskFactory.build(), AT)
        uow.commit()
    assert clean_database.count("tasks") == 0
    assert checked_out(clean_database) == 0
    assert len(log.opened) == 1
    assert log.left_open() == []


def test_it_can_be_entered_again_but_not_twice_at_once(sql_uow: SqlUnitOfWork) -> None:
    with sql_uow, pytest.raises(RuntimeError, match=r"^this unit of work is already open$"), sql_uow.acting_as(ME):
        pass
    with sql_uow.acting_as(ME):
        pass


def test_a_repository_kept_past_its_block_refuses_work(sql_uow: SqlUnitOfWork, clean_database: LiveDatabase) -> None:
    """Its session is closed for good: no transaction opens behind the unit's back."""
    with sql_uow.acting_as(ME):
        kept = sql_uow.tasks
    with pytest.raises(sa_exc.InvalidRequestError, match="permanently closed"):
        kept.get(1)
    assert checked_out(clean_database) == 0


def test_each_block_gets_repositories_of_its_own(sql_uow: SqlUnitOfWork) -> None:
    with sql_uow.acting_as(ME):
        first = sql_uow.tasks
    with sql_uow.acting_as(ME):
        assert sql_uow.tasks is not first
        assert sql_uow.tasks.get(1) is None


def test_an_unreachable_database_is_unavailable() -> None:
    engine = build_engine(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", db_connect_timeout=1))
    uow = SqlUnitOfWork(session_factory(engine))
    with pytest.raises(Unavailable), uow.acting_as(ME):
        pytest.fail("the block must not run without a connection")
    engine.dispose()


def test_concurrent_read_modify_write_units_queue_instead_of_failing(clean_database: LiveDatabase) -> None:
    """Two updates of one task at once, each reading then writing: on SQLite the
    second would hit "database is locked" without BEGIN IMMEDIATE; on PostgreSQL,
    without FOR UPDATE, it would read the version the first is replacing and
    write over its change. Queueing on the lock is the one mechanism: both go
    through, and the second applies its change to what the first stored."""
    service = TaskService(sql_unit_of_work(clean_database))
    task = service.create(ME, NewTask(title="contended"))
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    class SlowRepository(SqlTaskRepository):
        def get_for_update(self, task_id: int) -> Task | None:
            row = super().get_for_update(task_id)
            time.sleep(0.2)  # hold the lock while the other one arrives
            return row

    def update(changes: TaskChanges) -> None:
        uow = units_with_tasks(SlowRepository)(session_factory(clean_database.engine))
        barrier.wait()
        try:
            TaskService(uow).update(ME, task.id, changes)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=update, args=(TaskChanges(description="from A"),)),
        threading.Thread(target=update, args=(TaskChanges(status=Status.DONE),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    final = service.get(ME, task.id)
    assert (final.description, final.status.value, final.version) == ("from A", "done", 3)


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(sqlite_db: LiveDatabase) -> None:
    # Each of several pooled connections, not just the first one.
    connections = [sqlite_db.engine.connect() for _ in range(3)]
    try:
        for connection in connections:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("SELECT lower('ÄÖÜ')")).scalar_one() == "äöü"
    finally:
        for connection in connections:
            connection.close()


@pytest.mark.usefixtures("database_with_me")
def test_a_reading_block_runs_without_a_transaction_and_cannot_commit(clean_database: LiveDatabase) -> None:
    log = SessionLog()
    uow = SqlUnitOfWork(log.sessions(clean_database.engine))
    with uow.reading():  # no acting user: public rows only
        assert uow.authors.get(1) is None
        driver = log.opened[-1].connection.driver_connection
        if clean_database.kind != "sqlite":  # SQLite keeps its local BEGIN (one snapshot per list)
            assert isinstance(driver, psycopg.Connection)
            assert driver.autocommit  # psycopg sends no BEGIN/ROLLBACK
        with pytest.raises(RuntimeError, match="cannot commit"):
            uow.commit()
    # Read for a user: a transaction of the unit's own (act_as sends BEGIN with
    # the acting user's SET LOCAL; psycopg, in autocommit, sends none), read-
    # only, one snapshot when asked.
    with uow.acting_as(ME).reading():
        assert uow.tasks.get(1) is None
        if clean_database.kind != "sqlite":
            assert _transaction_of(log) == (True, "on", "read committed", str(ME.user_id))
    with uow.acting_as(ME).reading(snapshot=True):
        assert uow.tasks.get(1) is None
        if clean_database.kind != "sqlite":
            assert _transaction_of(log) == (True, "on", "repeatable read", str(ME.user_id))
    with uow.acting_as(ME):  # the next block writes: psycopg's BEGIN, then the user
        uow.tasks.add(NewTask(title="after reading"), AT)
        if clean_database.kind != "sqlite":
            assert _transaction_of(log) == (False, "off", "read committed", str(ME.user_id))
        uow.commit()
    with uow:  # and a block for no user is psycopg's transaction, as before
        uow.users.by_email("nobody@example.com")
        driver = log.opened[-1].connection.driver_connection
        if clean_database.kind != "sqlite":
            assert isinstance(driver, psycopg.Connection)
            assert not driver.autocommit
    assert clean_database.count("tasks") == 1
    assert log.left_open() == []


def _transaction_of(log: SessionLog) -> tuple[bool, str, str, str]:
    """The open unit's transaction on PostgreSQL: whether the driver is in
    autocommit (then the unit sent its BEGIN itself), read-only, isolation and
    acting user. The server is inside a transaction either way."""
    driver = log.opened[-1].connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    assert driver.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    row = driver.execute(
        "SELECT current_setting('transaction_read_only'), current_setting('transaction_isolation'),"
        " current_setting('app.user_id', true)"
    ).fetchone()
    assert row is not None
    return (driver.autocommit, row[0], row[1], row[2])


class Heard:
    """A UnitOfWorkObserver that remembers what it heard."""

    def __init__(self) -> None:
        self.connected: list[float] = []
        self.no_connection: list[object] = []
        self.ended: list[str] = []


class Observer:
    def __init__(self, heard: Heard) -> None:
        self.heard = heard

    def connected(self, seconds: float) -> None:
        self.heard.connected.append(seconds)

    def no_connection(self, error: sa_exc.SQLAlchemyError) -> None:
        self.heard.no_connection.append(error)

    def ended(self, outcome: str) -> None:
        self.heard.ended.append(outcome)


@pytest.mark.usefixtures("database_with_me")
def test_the_observer_hears_each_connection_and_how_each_unit_ended(clean_database: LiveDatabase) -> None:
    heard = Heard()
    uow = SqlUnitOfWork(session_factory(clean_database.engine), Observer(heard))
    with uow.acting_as(ME):  # its first unit: nothing committed yet
        uow.tasks.add(NewTaskFactory.build(), AT)
    with uow.acting_as(ME):
        uow.tasks.add(NewTaskFactory.build(), AT)
        uow.commit()
    with uow.acting_as(ME).reading():
        uow.tasks.get(1)
    with pytest.raises(ZeroDivisionError), uow.acting_as(ME):
        _ = 1 / 0
    assert heard.ended == ["rolled_back", "committed", "read_only", "rolled_back"]
    assert len(heard.connected) == 4
    assert all(0 <= seconds < 5 for seconds in heard.connected)
    assert heard.no_connection == []


def test_the_observer_hears_a_pool_that_had_no_connection_to_give(tmp_path: Path) -> None:
    engine = build_engine(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'full.db'}", db_pool_size=1, db_max_overflow=0, db_pool_timeout=0.1
        )
    )
    heard = Heard()
    held = engine.connect()
    uow = SqlUnitOfWork(session_factory(engine), Observer(heard))
    with pytest.raises(Unavailable, match=r"^No database connection became free in time$"), uow.acting_as(ME):
        pass
    assert [type(error) for error in heard.no_connection] == [sa_exc.TimeoutError]
    assert heard.connected == []
    held.close()
    engine.dispose()


def test_a_unit_that_got_no_connection_is_an_ordinary_one_next_time(tmp_path: Path) -> None:
    """reading() lasts one block, even a block that never began."""
    engine = build_engine(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'full.db'}", db_pool_size=1, db_max_overflow=0, db_pool_timeout=0.1
        )
    )
    SQLModel.metadata.create_all(engine)
    uow = SqlUnitOfWork(session_factory(engine))
    with uow:
        uow.users.add(NewUser("me@example.com", "not a real hash"), AT)
        uow.commit()
    held = engine.connect()
    with pytest.raises(Unavailable), uow.acting_as(ME).reading():
        pass
    held.close()
    with uow.acting_as(ME):
        uow.tasks.add(NewTask(title="written"), AT)
        uow.commit()
    with uow.acting_as(ME).reading():
        assert uow.tasks.find(TaskQuery()).total == 1
    engine.dispose()


def test_on_sqlite_a_reading_unit_never_waits_for_the_write_lock(sqlite_db: LiveDatabase) -> None:
    """It begins DEFERRED (a snapshot, WAL), where a writing one begins IMMEDIATE
    and queues behind the writer."""
    engine = build_engine(Settings(database_url=str(sqlite_db.engine.url), sqlite_busy_timeout_ms=50))
    writer = sqlite3.connect(str(sqlite_db.engine.url.database), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        uow = SqlUnitOfWork(session_factory(engine))
        with uow.acting_as(ME).reading():
            assert uow.tasks.get(1) is None
        with pytest.raises(Unavailable), uow.acting_as(ME):
            pytest.fail("the block must not run without the write lock")
    finally:
        writer.rollback()
        writer.close()
        engine.dispose()


def test_it_says_what_was_done_wrong(sql_uow: SqlUnitOfWork) -> None:
    with sql_uow, pytest.raises(RuntimeError, match=r"^this unit of work is already open$"):
        sql_uow.acting_as(ME).reading()
    with (
        sql_uow.acting_as(ME).reading(),
        pytest.raises(RuntimeError, match=r"^a unit of work opened with reading\(\) cannot commit$"),
    ):
        sql_uow.commit()
    with pytest.raises(RuntimeError, match=r"^use the unit of work inside its `with` block$"):
        sql_uow.commit()


def test_what_a_unit_returned_stays_readable_after_its_commit(clean_database: LiveDatabase) -> None:
    """expire_on_commit=False: the session does not reload its rows after COMMIT."""
    session = session_factory(clean_database.engine)()
    assert session.expire_on_commit is False
    session.close()


class FailsToClose(Session):
    """Closes, then reports that closing failed (as a lost connection would)."""

    def close(self) -> None:
        super().close()
        raise sa_exc.OperationalError("ROLLBACK", {}, sqlite3.OperationalError("disk I/O error"))


def test_a_failure_to_close_is_translated_unless_another_error_is_on_its_way(clean_database: LiveDatabase) -> None:
    uow = SqlUnitOfWork(sessionmaker(clean_database.engine, class_=FailsToClose))
    with pytest.raises(Unavailable, match=r"^The database cannot be reached$"), uow.acting_as(ME):
        pass
    with pytest.raises(ZeroDivisionError), uow.acting_as(ME):  # the error on its way out wins
        _ = 1 / 0
    assert checked_out(clean_database) == 0


@pytest.mark.usefixtures("database_with_me")
def test_a_reading_block_with_unsaved_changes_refuses_them_and_writes_nothing(clean_database: LiveDatabase) -> None:
    """A reading unit ends with COMMIT (see the next test), and a commit
    flushes: a row left pending in a reading block is refused instead, the
    block closed all the same."""
    log = SessionLog()
    uow = SqlUnitOfWork(log.sessions(clean_database.engine))
    with pytest.raises(RuntimeError, match="opened with reading"), uow.acting_as(ME).reading():
        assert uow.tasks.get(1) is None
        row = TaskRow(
            title="smuggled",
            status=Status.TODO,
            priority=Priority.LOW,
            version=1,
            owner_id=ME.user_id,
            created_at=AT,
            updated_at=AT,
        )
        uow.tasks._session.add(row)  # what no repository does, and a bug might
    assert clean_database.count("tasks") == 0
    assert log.left_open() == []


@pytest.mark.postgres
def test_a_reading_block_keeps_the_statements_psycopg_prepared(postgres_db: LiveDatabase) -> None:
    """psycopg prepares a statement run five times on a connection, and its
    rollback() discards them all (DEALLOCATE ALL): a reading unit ends its
    transaction with COMMIT instead, which for a transaction that wrote nothing
    is the same to the server. After five inserts and a read for a user and a
    read without one, the one pooled connection still holds the INSERT."""
    add_me(postgres_db)
    engine = build_engine(Settings(database_url=postgres_db.url, db_pool_size=1, db_max_overflow=0))
    try:
        uow = SqlUnitOfWork(session_factory(engine))
        for n in range(6):
            with uow.acting_as(ME):
                uow.tasks.add(NewTask(title=f"prepared {n}"), AT)
                uow.commit()
        with uow.acting_as(ME).reading():
            assert uow.tasks.get(1) is not None
        with uow.acting_as(ME).reading(snapshot=True):
            assert uow.tasks.find(TaskQuery()).total == 6
        with uow.reading():
            assert uow.users.by_email("nobody@example.com") is None
        with engine.connect() as connection:  # the same, only, pooled connection
            prepared = connection.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars().all()
        assert any(statement.startswith("INSERT INTO tasks") for statement in prepared), prepared
    finally:
        engine.dispose()
