"""The tasks policy reads the acting user once per statement, not once per row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

0006's policy called current_setting() twice for every row a statement
visited: a page deep in a user's tasks and its COUNT spent more on the policy
than on the rows (README, Speed: "What issue 18 cost"). Each setting is now
read in a scalar subquery, which PostgreSQL runs once per statement (an
InitPlan); per row only a comparison with its result is left. The rule is the
same: a row is visible and writable only to the transaction's acting user,
or with `app.bypass_rls = 'on'`; without either, nothing (fail closed).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PER_ROW = (
    "owner_id = nullif(current_setting('app.user_id', true), '')::bigint"
    " OR coalesce(current_setting('app.bypass_rls', true), '') = 'on'"
)
_ONCE = (
    "owner_id = (SELECT nullif(current_setting('app.user_id', true), '')::bigint)"
    " OR (SELECT coalesce(current_setting('app.bypass_rls', true), '') = 'on')"
)


def _policy(condition: str) -> None:
    op.execute("DROP POLICY tasks_of_the_acting_user ON tasks")
    op.execute(f"CREATE POLICY tasks_of_the_acting_user ON tasks USING ({condition}) WITH CHECK ({condition})")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _policy(_ONCE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _policy(_PER_ROW)
