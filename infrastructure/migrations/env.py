"""Alembic environment: migrates the database of DATABASE_URL to the tables in
infrastructure.tables. A program (the tests) may pass its own `connection` or
`database_url` in Config.attributes instead."""

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from infrastructure.settings import Settings
from infrastructure.tables import metadata

config = context.config
url = config.attributes.get("database_url") or Settings().database_url


def run_offline() -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = create_engine(url, poolclass=pool.NullPool)
        with engine.connect() as connection:
            _migrate(connection)
        engine.dispose()
    else:
        _migrate(connectable)


def _migrate(connection: Connection) -> None:
    # Batch mode: SQLite alters a table by copying it, which Alembic does for us.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
