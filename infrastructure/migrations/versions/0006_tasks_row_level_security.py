"""PostgreSQL row-level security on tasks: a second wall under the
repositories' WHERE clauses.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

A row of tasks is visible, and writable, only in a transaction whose acting
user (`app.user_id`, set with set_config(..., true) by the unit of work) owns
it. A transaction that sets no user sees no task (fail closed). FORCE makes the
policy bind the tables' owner too, which is the role the app connects as in a
simple deployment; a superuser, or a role with BYPASSRLS, is never bound by
it (README, "Users, tokens and who sees what"). `app.bypass_rls = 'on'`, set
per transaction, is how the adopt command passes the wall. SQLite has no
row-level security: nothing to do there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MINE = (
    "owner_id = nullif(current_setting('app.user_id', true), '')::bigint"
    " OR coalesce(current_setting('app.bypass_rls', true), '') = 'on'"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE tasks ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE tasks FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tasks_of_the_acting_user ON tasks USING ({_MINE}) WITH CHECK ({_MINE})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY tasks_of_the_acting_user ON tasks")
    op.execute("ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE tasks DISABLE ROW LEVEL SECURITY")
