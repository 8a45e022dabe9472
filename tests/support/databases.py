"""Real databases for the integration and API tests.

SQLite: a file per test session. PostgreSQL: a database of its own per test session
on the server of DEVELOPERS.md (127.0.0.1:5432, user postgres), created, migrated
with Alembic and dropped at the end, so that runs never see each other's rows.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, make_url, text

from infrastructure.database import ACTING_USER, build_engine
from infrastructure.settings import Settings
from infrastructure.tables import metadata

ROOT = Path(__file__).resolve().parents[2]


def migrate(url: str) -> None:
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")


@dataclass
class LiveDatabase:
    kind: str  # "sqlite", "postgresql", or "pgbouncer" (PostgreSQL behind PgBouncer)
    url: str
    engine: Engine
    defaults: dict[str, Any] = field(default_factory=dict)
    """Settings the app needs for this database (no prepared statements behind PgBouncer)."""

    def settings(self, **overrides: Any) -> Settings:
        return Settings(database_url=self.url, **{**self.defaults, **overrides})

    def clean(self) -> None:
        """Empty every table and restart the ids, so each test starts from nothing."""
        tables = [table.name for table in reversed(metadata.sorted_tables)]
        with self.engine.begin() as connection:
            if self.kind != "sqlite":
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))
                connection.execute(text("DELETE FROM sqlite_sequence"))

    def count(self, table: str) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def sqlite_database(directory: Path) -> LiveDatabase:
    url = f"sqlite:///{directory / 'tasks-test.db'}"
    migrate(url)
    return LiveDatabase("sqlite", url, build_engine(Settings(database_url=url)))


def postgres_conninfo(url: str) -> str:
    """A libpq conninfo for a SQLAlchemy URL (psycopg does not read the +driver)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgres_database(server_url: str) -> Iterator[LiveDatabase]:
    name = f"tasks_test_{uuid.uuid4().hex[:12]}"
    admin = postgres_conninfo(server_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    database = LiveDatabase("postgresql", url, build_engine(Settings(database_url=url)))
    try:
        yield database
    finally:
        database.engine.dispose()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


ACTING = (f"SELECT set_config('{ACTING_USER}'", f"SET LOCAL {ACTING_USER} = ")
"""How a unit of work names its acting user for row-level security on
PostgreSQL (infrastructure.database.act_as): a writing unit with set_config
after psycopg's BEGIN, a reading unit with SET LOCAL in its own BEGIN's
statement."""


def is_acting(statement: str) -> bool:
    return any(marker in statement for marker in ACTING)


def acting_statements(database: "LiveDatabase", statements: list[str], units: int) -> list[str]:
    """`statements` without the ones that set the acting user, after checking
    their number: one per unit of work run for a user on PostgreSQL (its row-
    level security; behind PgBouncer too), none on SQLite."""
    setting = [statement for statement in statements if is_acting(statement)]
    assert len(setting) == (units if database.kind != "sqlite" else 0), statements
    return [statement for statement in statements if not is_acting(statement)]


@contextmanager
def counting_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent through `engine` while the block runs.

    Transaction control (BEGIN, COMMIT, ROLLBACK) and pool pings are not
    statements of ours and are not counted; every query and write is. (SQLite's
    BEGIN is sent as a statement, by infrastructure.database: skipped here. On
    PostgreSQL a unit that reads for a user sends its BEGIN with the acting
    user's SET LOCAL: counted, as the statement that sets the user; see
    acting_statements.)
    """
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN") or is_acting(statement):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
