"""What every SQL repository shares: the unit of work's session and paging."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, Select

from domain.ids import MAX_ID
from domain.pages import Page, PageRequest, SortKey, total_from_page
from infrastructure.database import SQLITE_BEGIN_OPTION

T = TypeVar("T")

AnyRow = Row[*tuple[Any, ...]]
AnySelect = Select[*tuple[Any, ...]]


class SqlRepository:
    """Base of the SQL repositories.

    Repositories run Core statements on the unit of work's connection and build
    domain entities from the rows: no ORM instance ever leaves a repository, so
    nothing can lazy-load or expire once the unit of work ends, and a row costs
    a tuple instead of an identity-mapped object.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _lock_for_write(self) -> None:
        """Declare, before the first statement, that this transaction will write.

        On SQLite this opens it with BEGIN IMMEDIATE: a transaction that reads and
        then writes would otherwise fail ("database is locked") when another
        writer got in between; this way it waits its turn. PostgreSQL needs no
        such thing (its row locks are taken by SELECT ... FOR UPDATE).
        """
        if self._connection.dialect.name != "sqlite":
            return
        if self._connection.in_transaction():
            raise RuntimeError("declare the write before the unit of work's first statement")
        self._connection.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})

    def _page(
        self,
        rows: AnySelect,
        count: Select[int],
        request: PageRequest,
        entity: Callable[[AnyRow], T],
    ) -> Page[T]:
        """One page of `rows` and the total of `count`, in as few statements as possible.

        The page comes first: when it is short it already tells the total, and the
        COUNT (a scan of every matching row) is skipped.
        """
        offset = min(request.skip, MAX_ID)  # past any table; drivers reject more
        items = [entity(row) for row in self._connection.execute(rows.offset(offset).limit(request.limit)).all()]
        total = total_from_page(request, len(items))
        if total is None:
            total = self._connection.execute(count).scalar_one()
        return Page(items, total)


def order_by(keys: Sequence[SortKey], columns: Mapping[str, ColumnElement[Any]]) -> list[ColumnElement[Any]]:
    """ORDER BY clauses for `keys`; unknown fields are a programming error."""
    return [columns[key.field].desc() if key.descending else columns[key.field].asc() for key in keys]
