"""Column types shared by the tables. (Timestamps are SQLModel's UTCDateTime:
timezone-aware UTC in and out, on both databases.)"""

from enum import StrEnum

from sqlalchemy import BigInteger, Column, Enum, ForeignKey, Integer, String
from sqlalchemy.types import TypeEngine

# 64-bit ids on PostgreSQL. On SQLite only a column typed exactly INTEGER PRIMARY KEY
# is the rowid (64-bit already); BIGINT would make a separate, slower key.
ID = BigInteger().with_variant(Integer(), "sqlite")


def owner(on_delete: str) -> Column[int]:
    """The user who created a row. Nullable: rows from before users (a 1.1
    database) have none until an operator gives them one (`api.cli adopt`)."""
    return Column("owner_id", ID, ForeignKey("users.id", ondelete=on_delete), nullable=True)


# Room for members added later, without a change of the column's type.
_ENUM_LENGTH = 32


def exact_text(length: int) -> TypeEngine[str]:
    """VARCHAR compared and sorted by code point on both databases.

    PostgreSQL's default collation sorts by language rules (and differs between
    machines); "C" sorts as SQLite and Python do, and compares exactly, which is
    what a unique title means here.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def by_value(kind: type[StrEnum], name: str) -> Enum:
    """A string enum stored as its members' values ("in_progress"), checked by a
    CHECK constraint named `name`: SQLAlchemy's Enum without a database enum type.

    What is stored never depends on where a member sits in its class, so adding
    one anywhere changes no stored row; adding one needs a migration that widens
    the CHECK. Sorting by meaning is a query's business (repositories.base.by_meaning).
    """
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=_ENUM_LENGTH,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
