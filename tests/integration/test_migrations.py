"""The Alembic migrations build exactly the tables the code declares, and what
autogenerate writes for a change to the tables is a migration that runs."""

import shutil
import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from infrastructure.tables import metadata
from tests.support.databases import ROOT, LiveDatabase

MIGRATIONS = ROOT / "infrastructure" / "migrations"


def alembic_config(url: str, script_location: Path = MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["database_url"] = url
    return config


def pending_changes(url: str) -> list[object]:
    """What autogenerate would still write: the tables against the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), metadata))
    finally:
        engine.dispose()


def test_migrations_match_the_table_definitions(database: LiveDatabase) -> None:
    assert pending_changes(database.url) == []


def test_every_table_is_migrated(database: LiveDatabase) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {table.name for table in metadata.sorted_tables} <= tables


def test_autogenerate_writes_a_migration_that_runs(fresh_database: str, tmp_path: Path) -> None:
    """The whole schema, written by autogenerate from nothing (as it writes the
    migration of a new aggregate), applied to an empty database: every column
    type it names is imported, and nothing is left to migrate. (A type of our
    own would be written without its import: none is needed.)"""
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("versions", "__pycache__"))
    (scripts / "versions").mkdir()
    config = alembic_config(fresh_database, scripts)
    command.revision(config, message="everything", autogenerate=True, rev_id="generated")
    (written,) = (scripts / "versions").glob("generated_*.py")
    assert "sqlmodel.sql.sqltypes.UTCDateTime()" in written.read_text()
    command.upgrade(config, "head")
    assert pending_changes(fresh_database) == []


def test_downgrade_to_base_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'updown.db'}"
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert {t.name for t in metadata.sorted_tables} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_a_migrated_sqlite_file_is_in_wal_mode(tmp_path: Path) -> None:
    """Before any server connects: switching to WAL needs the write lock, once,
    and a fresh server must not need it (another program may hold it)."""
    path = tmp_path / "wal.db"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "head")
    other = sqlite3.connect(path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        other.close()


# Rows as a 1.1 database (revision 0003) holds them: status and priority by
# their position in the enums of that time (0, 1, 2). The fourth task is
# deleted after it was made, so the highest id given (5) is not the highest kept.
_TASKS_1_1 = [
    ("first", None, 0, 2),
    ("second", "described", 1, 0),
    ("third", "", 2, 1),
    ("fourth", "deleted", 0, 0),
    ("fifth", "after a deleted one", 2, 2),
]
_MEANING = {"status": ("todo", "in_progress", "done"), "priority": ("low", "medium", "high")}
_TABLES = ("tasks", "authors", "posts", "comments")


def _fill_1_1(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for title, description, status, priority in _TASKS_1_1:
                connection.execute(
                    text(
                        "INSERT INTO tasks (title, description, status, priority, created_at, updated_at, version)"
                        " VALUES (:title, :description, :status, :priority, :at, :at, 1)"
                    ),
                    {"title": title, "description": description, "status": status, "priority": priority,
                     "at": "2026-01-01 10:00:00"},
                )  # fmt: skip
            connection.execute(text("DELETE FROM tasks WHERE title = 'fourth'"))
            author = connection.execute(
                text("INSERT INTO authors (name, created_at) VALUES ('Ada', '2026-01-01') RETURNING id")
            ).scalar_one()
            post = connection.execute(
                text(
                    "INSERT INTO posts (title, body, author_id, created_at) VALUES ('P', 'B', :a, '2026-01-01')"
                    " RETURNING id"
                ),
                {"a": author},
            ).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO comments (post_id, author_name, body, created_at) VALUES (:p, 'G', 'C', '2026-01-01')"
                ),
                {"p": post},
            )
    finally:
        engine.dispose()


def _rows(url: str, *tables: str) -> dict[str, list[tuple[object, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
                for table in tables
            }
    finally:
        engine.dispose()


def _insert_task(url: str) -> int:
    """A new task's id, as the database gives it (the task is deleted again)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            task_id = int(
                connection.execute(
                    text(
                        "INSERT INTO tasks (title, status, priority, created_at, updated_at, version)"
                        " VALUES ('new', 'todo', 'low', '2026-01-02', '2026-01-02', 1) RETURNING id"
                    )
                ).scalar_one()
            )
            connection.execute(text("DELETE FROM tasks WHERE id = :id"), {"id": task_id})
            return task_id
    finally:
        engine.dispose()


def test_a_filled_1_1_database_keeps_every_row_and_its_meaning(fresh_database: str) -> None:
    """Status and priority move from positions to values: every row reads as it
    meant, nothing else changes, no id is given twice, and the way back
    restores the same rows."""
    config = alembic_config(fresh_database)
    command.upgrade(config, "0003")
    _fill_1_1(fresh_database)
    before = _rows(fresh_database, *_TABLES)
    command.upgrade(config, "0004")
    after = _rows(fresh_database, *_TABLES)
    kept = [task for task in _TASKS_1_1 if task[0] != "fourth"]
    assert [(row[0], row[1], row[2], row[3], row[4]) for row in after["tasks"]] == [
        (task_id, title, description, _MEANING["status"][status], _MEANING["priority"][priority])
        for task_id, (title, description, status, priority) in zip((1, 2, 3, 5), kept, strict=True)
    ]
    assert [row[5:] for row in after["tasks"]] == [row[5:] for row in before["tasks"]]
    for table in _TABLES[1:]:
        assert after[table] == before[table]
    assert _insert_task(fresh_database) == 6
    command.downgrade(config, "0003")
    assert _rows(fresh_database, *_TABLES) == before


def test_a_filled_1_1_database_gets_users_and_keeps_every_row_owned_by_no_one(fresh_database: str) -> None:
    """Contract 2.0 (revision 0005): every row stays as it was, with an owner
    column that is NULL until an operator adopts the rows (api.cli adopt); no
    id is given twice; a title is now unique per owner; the way back restores
    the same rows."""
    config = alembic_config(fresh_database)
    command.upgrade(config, "0003")
    _fill_1_1(fresh_database)
    command.upgrade(config, "0004")
    before = _rows(fresh_database, *_TABLES)
    command.upgrade(config, "head")
    after = _rows(fresh_database, *_TABLES)
    for table in _TABLES:
        assert [row[:-1] for row in after[table]] == before[table], table
        assert {row[-1] for row in after[table]} <= {None}, f"{table}: old rows are owned by no one"
    assert _insert_task(fresh_database) == 6
    command.downgrade(config, "0004")
    assert _rows(fresh_database, *_TABLES) == before
