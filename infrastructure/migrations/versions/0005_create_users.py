"""Users, the failed sign-ins that throttle them, and an owner on every row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Rows from before users keep everything and get no owner (NULL): a task owned by
no one is seen by no one, until an operator gives the old rows an owner with
`python -m api.cli adopt --email ...` (README). A title is unique per owner
from here on.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _email() -> "sa.types.TypeEngine[str]":
    return sa.String(length=254).with_variant(sa.String(length=254, collation="C"), "postgresql")


# Tables whose rows get an owner, and what a user's removal does to them.
_OWNED = {"tasks": "CASCADE", "authors": "SET NULL", "posts": "SET NULL", "comments": "SET NULL"}
_TASK_INDEXES = {  # before -> after: every task query is one owner's
    "ix_tasks_status_id": ["owner_id", "status", "id"],
    "ix_tasks_priority_id": ["owner_id", "priority", "id"],
    "ix_tasks_created_at": ["owner_id", "created_at"],
    "ix_tasks_updated_at": ["owner_id", "updated_at"],
}
# SQLite alters a table by copying it (batch mode): the copy must keep
# AUTOINCREMENT, and the highest id ever handed out (sqlite_sequence), so that
# no deleted row's id is given again.
_KEEP_AUTOINCREMENT: dict[str, Any] = {"sqlite_autoincrement": True}


@contextmanager
def _keeping_sqlite_sequences(tables: Sequence[str]) -> Iterator[None]:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    query = sa.text("SELECT name, seq FROM sqlite_sequence")
    highs = {name: seq for name, seq in bind.execute(query) if name in tables}
    yield
    for name, high in highs.items():
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": name})
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :high)"), {"name": name, "high": high})


def _new_index(columns: list[str]) -> str:
    return "ix_tasks_" + "_".join(columns)


def upgrade() -> None:
    _create_users()
    with _keeping_sqlite_sequences(list(_OWNED)):
        for table, on_delete in _OWNED.items():
            with op.batch_alter_table(table, table_kwargs=_KEEP_AUTOINCREMENT) as batch:
                batch.add_column(sa.Column("owner_id", _ID, nullable=True))
                batch.create_foreign_key(
                    op.f(f"fk_{table}_owner_id_users"), "users", ["owner_id"], ["id"], ondelete=on_delete
                )
                if table == "tasks":
                    batch.drop_constraint(op.f("uq_tasks_title"), type_="unique")
                    batch.create_unique_constraint(op.f("uq_tasks_owner_id_title"), ["owner_id", "title"])
        for old, columns in _TASK_INDEXES.items():
            op.drop_index(op.f(old), table_name="tasks")
            op.create_index(op.f(_new_index(columns)), "tasks", columns)
        op.create_index(op.f("ix_tasks_owner_id_id"), "tasks", ["owner_id", "id"])


def downgrade() -> None:
    with _keeping_sqlite_sequences(list(_OWNED)):
        op.drop_index(op.f("ix_tasks_owner_id_id"), table_name="tasks")
        for old, columns in _TASK_INDEXES.items():
            op.drop_index(op.f(_new_index(columns)), table_name="tasks")
            op.create_index(op.f(old), "tasks", columns[1:])
        for table in _OWNED:
            with op.batch_alter_table(table, table_kwargs=_KEEP_AUTOINCREMENT) as batch:
                if table == "tasks":
                    batch.drop_constraint(op.f("uq_tasks_owner_id_title"), type_="unique")
                    batch.create_unique_constraint(op.f("uq_tasks_title"), ["title"])
                batch.drop_constraint(op.f(f"fk_{table}_owner_id_users"), type_="foreignkey")
                batch.drop_column("owner_id")
    op.drop_table("login_failures")
    op.drop_table("users")


def _create_users() -> None:
    op.create_table(
        "users",
        sa.Column("id", _ID, sa.Identity(always=False), nullable=False),
        sa.Column("email", _email(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sqlmodel.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "login_failures",
        sa.Column("id", _ID, sa.Identity(always=False), nullable=False),
        sa.Column("email", _email(), nullable=False),
        sa.Column("failed_at", sqlmodel.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_email_failed_at"), "login_failures", ["email", "failed_at"])
    op.create_index(op.f("ix_login_failures_failed_at"), "login_failures", ["failed_at"])
