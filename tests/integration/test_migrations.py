"""The Alembic migrations build exactly the tables the code declares, and what
autogenerate writes for a change to the tables is a migration that runs."""

import shutil
import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

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
