"""Store task status and priority by value ("in_progress"), not by position.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Until this revision a task stored the position of its status and priority in
their Python enums (0, 1, 2), so a member added in the middle of a class would
have changed the meaning of every stored row after it. The values below are
what those positions meant when they were written: history, not the enums of
today, which this migration must not read.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MEANING_OF_RANK = {
    "status": ("todo", "in_progress", "done"),
    "priority": ("low", "medium", "high"),
}


# SQLite alters a table by copying it (batch mode): the copy must keep
# AUTOINCREMENT, and the highest id ever handed out, so that no deleted task's
# id is given again.
_KEEP_AUTOINCREMENT: dict[str, Any] = {"sqlite_autoincrement": True}


@contextmanager
def _keeping_sqlite_sequence() -> Iterator[None]:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    high = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'tasks'")).scalar()
    yield
    if high is not None:
        bind.execute(sa.text("UPDATE sqlite_sequence SET seq = max(seq, :high) WHERE name = 'tasks'"), {"high": high})
        bind.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'tasks', :high WHERE NOT EXISTS"
                " (SELECT 1 FROM sqlite_sequence WHERE name = 'tasks')"
            ),
            {"high": high},
        )


def _case(column: str, pairs: Sequence[tuple[str, str]]) -> str:
    whens = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in pairs)
    return f"CASE {column} {whens} END"


def upgrade() -> None:
    with _keeping_sqlite_sequence():
        _upgrade()


def downgrade() -> None:
    with _keeping_sqlite_sequence():
        _downgrade()


def _upgrade() -> None:
    with op.batch_alter_table("tasks", table_kwargs=_KEEP_AUTOINCREMENT) as batch:
        for name in _MEANING_OF_RANK:
            batch.drop_index(op.f(f"ix_tasks_{name}_id"))
            batch.drop_constraint(op.f(f"ck_tasks_{name}_rank"), type_="check")
            batch.alter_column(
                name, type_=sa.String(32), existing_type=sa.SmallInteger(), postgresql_using=f"{name}::text"
            )
    for name, values in _MEANING_OF_RANK.items():
        op.execute(f"UPDATE tasks SET {name} = {_case(name, [(str(rank), v) for rank, v in enumerate(values)])}")
    with op.batch_alter_table("tasks", table_kwargs=_KEEP_AUTOINCREMENT) as batch:
        for name, values in _MEANING_OF_RANK.items():
            allowed = ", ".join(f"'{value}'" for value in values)
            batch.create_check_constraint(op.f(f"ck_tasks_{name}"), f"{name} IN ({allowed})")
    for name in _MEANING_OF_RANK:
        op.create_index(op.f(f"ix_tasks_{name}_id"), "tasks", [name, "id"])


def _downgrade() -> None:
    with op.batch_alter_table("tasks", table_kwargs=_KEEP_AUTOINCREMENT) as batch:
        for name in _MEANING_OF_RANK:
            batch.drop_index(op.f(f"ix_tasks_{name}_id"))
            batch.drop_constraint(op.f(f"ck_tasks_{name}"), type_="check")
    for name, values in _MEANING_OF_RANK.items():
        op.execute(f"UPDATE tasks SET {name} = {_case(name, [(v, str(rank)) for rank, v in enumerate(values)])}")
    with op.batch_alter_table("tasks", table_kwargs=_KEEP_AUTOINCREMENT) as batch:
        for name, values in _MEANING_OF_RANK.items():
            batch.alter_column(
                name, type_=sa.SmallInteger(), existing_type=sa.String(32), postgresql_using=f"{name}::smallint"
            )
            batch.create_check_constraint(op.f(f"ck_tasks_{name}_rank"), f"{name} BETWEEN 0 AND {len(values) - 1}")
    for name in _MEANING_OF_RANK:
        op.create_index(op.f(f"ix_tasks_{name}_id"), "tasks", [name, "id"])
