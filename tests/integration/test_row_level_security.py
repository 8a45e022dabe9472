"""PostgreSQL's row-level security on tasks: the second wall. A repository
whose owner condition is removed (a bug planted here, in the test only) still
gets no other user's row from the database, directly and through PgBouncer in
transaction mode; a transaction that names no user sees no task at all.

The app must connect as a role the policy binds: not a superuser, no
BYPASSRLS (a superuser, as the tests' own `postgres`, passes every policy, which
the control case shows). The role here owns nothing and is granted what the
app needs, as a production role would be.
"""

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import Engine, make_url, text

from domain.tasks.model import NewTask, TaskQuery
from domain.users.model import Actor, NewUser
from infrastructure.database import build_engine
from infrastructure.repositories.tasks import SqlTaskRepository
from infrastructure.settings import Settings
from infrastructure.unit_of_work import SqlUnitOfWork, session_factory
from tests.support.databases import LiveDatabase
from tests.support.pgbouncer import pgbouncer_binary, running_pgbouncer
from tests.support.units import units_with_tasks

pytestmark = pytest.mark.postgres

ROLE = "tasks_app_rls"
AT = datetime(2026, 12, 2, tzinfo=UTC)


class Leaky(SqlTaskRepository):
    """The planted bug: a task repository that forgot the owner in its queries."""

    private = False


@pytest.fixture
def app_role(postgres_db: LiveDatabase) -> Iterator[str]:
    """The URL of the test database as ROLE, a plain role (no superuser, no BYPASSRLS)."""
    with postgres_db.engine.begin() as connection:
        connection.execute(
            text(f"DO $$ BEGIN CREATE ROLE {ROLE} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        )
        connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {ROLE}"))
        connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}"))
        connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ROLE}"))
    try:
        yield make_url(postgres_db.url).set(username=ROLE).render_as_string(hide_password=False)
    finally:
        postgres_db.clean()


def two_users_and_a_task(engine: Engine) -> tuple[Actor, Actor, int]:
    uow = SqlUnitOfWork(session_factory(engine))
    with uow:
        owner = Actor(uow.users.add(NewUser("owner@example.com", "x"), AT).id)
        other = Actor(uow.users.add(NewUser("other@example.com", "x"), AT).id)
        uow.commit()
    with uow.acting_as(owner):
        task = uow.tasks.add(NewTask(title="private"), AT)
        uow.commit()
    return owner, other, task.id


def what_the_leaky_repository_finds(engine: Engine, actor: Actor, task_id: int) -> tuple[bool, int]:
    uow = units_with_tasks(Leaky)(session_factory(engine))
    with uow.acting_as(actor).reading():
        found = uow.tasks.get(task_id) is not None
    with uow.acting_as(actor).reading(snapshot=True):
        total = uow.tasks.find(TaskQuery()).total
    return found, total


@pytest.mark.parametrize("through", ["postgresql", "pgbouncer"])
def test_the_database_refuses_another_users_rows_to_a_repository_that_forgot_the_owner(
    app_role: str, postgres_db: LiveDatabase, through: str
) -> None:
    if through == "pgbouncer" and pgbouncer_binary() is None:
        pytest.skip("PgBouncer is not installed (apt-get install pgbouncer; .ci/run does it)")
    owner, other, task_id = two_users_and_a_task(postgres_db.engine)

    # Control: as a superuser the policy does not bind, and the bug shows.
    assert what_the_leaky_repository_finds(postgres_db.engine, other, task_id) == (True, 1)

    def check(url: str, prepared: bool) -> None:
        engine = build_engine(Settings(database_url=url, db_prepared_statements=prepared))
        try:
            assert what_the_leaky_repository_finds(engine, other, task_id) == (False, 0)  # the wall holds
            assert what_the_leaky_repository_finds(engine, owner, task_id) == (True, 1)  # the owner's own
            with engine.connect() as connection:  # no acting user: no task (fail closed)
                assert connection.execute(text("SELECT count(*) FROM tasks")).scalar_one() == 0
                denied = text("UPDATE tasks SET title = 'taken over' WHERE id = :id")
                assert connection.execute(denied, {"id": task_id}).rowcount == 0
                connection.rollback()
        finally:
            engine.dispose()

    if through == "postgresql":
        check(app_role, prepared=True)
    else:
        with running_pgbouncer(postgres_db.url, ROLE) as bouncer:
            check(make_url(bouncer).set(username=ROLE).render_as_string(hide_password=False), prepared=False)
    assert postgres_db.count("tasks") == 1


@pytest.mark.parametrize("block", ["read", "snapshot", "commit", "no commit", "raise"])
def test_the_acting_user_does_not_outlive_its_transaction(app_role: str, postgres_db: LiveDatabase, block: str) -> None:
    """SET LOCAL: the next transaction on the same pooled connection starts
    with no user, so one request's user can never serve the next: after a
    read, a write committed or not, and a block that raised. (The unit sends
    its own BEGIN with the setting: its end must end that transaction.)"""
    owner, _, task_id = two_users_and_a_task(postgres_db.engine)
    engine = build_engine(Settings(database_url=app_role, db_pool_size=1, db_max_overflow=0))
    try:
        uow = SqlUnitOfWork(session_factory(engine))
        with contextlib.suppress(LookupError):
            unit = uow.acting_as(owner)
            with unit.reading(snapshot=block == "snapshot") if block in ("read", "snapshot") else unit:
                assert uow.tasks.get(task_id) is not None
                if block in ("commit", "no commit", "raise"):
                    uow.tasks.add(NewTask(title=block), AT)
                if block == "commit":
                    uow.commit()
                if block == "raise":
                    raise LookupError("the block failed")
        with engine.connect() as connection:  # the same, only, pooled connection
            driver = connection.connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            assert not driver.autocommit  # the pool reset what the unit set
            assert connection.execute(text("SELECT current_setting('app.user_id', true)")).scalar() in (None, "")
            assert connection.execute(text("SELECT count(*) FROM tasks")).scalar_one() == 0
    finally:
        engine.dispose()
    assert postgres_db.count("tasks") == (2 if block == "commit" else 1)
