"""Alembic environment: migrates the database of DATABASE_URL to the tables in
infrastructure.tables. A program (the tests) may pass its own `connection` or
`database_url` in Config.attributes instead."""

from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from infrastructure.settings import Settings
from infrastructure.tables import metadata

config = context.config
url = config.attributes.get("database_url") or Settings().database_url


# Batch mode: SQLite alters a table by copying it, which Alembic does for us.
OPTIONS: dict[str, Any] = {"target_metadata": metadata, "render_as_batch": True}


def run_offline() -> None:
    context.configure(url=url, literal_binds=True, **OPTIONS)
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
    if connection.dialect.name == "sqlite":
        # WAL from here on (the mode is kept in the file): readers never wait for
        # the writer. Switching needs the write lock, so the migration does it
        # once, and a server's connections never have to.
        connection.exec_driver_sql("PRAGMA journal_mode = WAL")
        connection.commit()  # ends the transaction SQLAlchemy began for it
    context.configure(connection=connection, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
