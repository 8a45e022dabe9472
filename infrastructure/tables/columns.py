"""Column types shared by the tables. (Timestamps are SQLModel's UTCDateTime:
timezone-aware UTC in and out, on both databases.)"""

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.types import TypeEngine

# 64-bit ids on PostgreSQL. On SQLite only a column typed exactly INTEGER PRIMARY KEY
# is the rowid (64-bit already); BIGINT would make a separate, slower key.
ID = BigInteger().with_variant(Integer(), "sqlite")


def exact_text(length: int) -> TypeEngine[str]:
    """VARCHAR compared and sorted by code point on both databases.

    PostgreSQL's default collation sorts by language rules (and differs between
    machines); "C" sorts as SQLite and Python do, and compares exactly, which is
    what a unique title means here.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")
