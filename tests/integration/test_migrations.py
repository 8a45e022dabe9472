"""The Alembic migrations build exactly the tables the code declares."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from infrastructure.tables import metadata
from tests.support.databases import ROOT, LiveDatabase


def test_migrations_match_the_table_definitions(database: LiveDatabase) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_every_table_is_migrated(database: LiveDatabase) -> None:
    for table in metadata.sorted_tables:
        assert database.count(table.name) >= 0


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
