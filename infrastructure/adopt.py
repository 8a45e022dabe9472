"""Giving rows from before users (a 1.1 database: owner_id NULL) an owner:
`python -m api.cli adopt --email ...`. One transaction: every table or none."""

from sqlalchemy import Engine, update

from infrastructure.database import bypass_row_security
from infrastructure.repositories.base import OWNER
from infrastructure.tables import metadata


def adopt_ownerless(engine: Engine, user_id: int) -> dict[str, int]:
    """Make `user_id` the owner of every row that has none; how many per table.
    A task whose title the user already has makes it fail (AlreadyExists, from
    the unique rule per owner) and changes nothing."""
    adopted: dict[str, int] = {}
    with engine.begin() as connection:
        # Rows owned by no one are no one's to see under row-level security:
        # this transaction, and it alone, passes the wall.
        bypass_row_security(connection)
        for table in metadata.sorted_tables:
            if OWNER not in table.c:
                continue
            result = connection.execute(update(table).where(table.c[OWNER].is_(None)).values({OWNER: user_id}))
            adopted[table.name] = int(result.rowcount)
    return adopted
