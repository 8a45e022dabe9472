from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select

from domain.authors.model import Author, NewAuthor
from domain.pages import Page, PageRequest
from infrastructure.repositories.base import AnyRow, SqlRepository
from infrastructure.tables.authors import AuthorRow

_table = AuthorRow.__table__  # type: ignore[attr-defined]
_a = _table.c

_ROWS = select(_a.id, _a.name, _a.created_at)
_BY_ID = _ROWS.where(_a.id == bindparam("id"))
_COUNT = select(func.count()).select_from(_table)
_INSERT = insert(_table).returning(_a.id)
_DELETE = delete(_table).where(_a.id == bindparam("id"))


def _author(row: AnyRow) -> Author:
    return Author(id=row[0], name=row[1], created_at=row[2])


class SqlAuthorRepository(SqlRepository):
    """domain.authors.repository.AuthorRepository on SQL."""

    def get(self, author_id: int) -> Author | None:
        row = self._connection.execute(_BY_ID, {"id": author_id}).first()
        return _author(row) if row is not None else None

    def find(self, page: PageRequest) -> Page[Author]:
        return self._page(_ROWS.order_by(_a.id), _COUNT, page, _author)

    def add(self, new: NewAuthor, at: datetime) -> Author:
        values: dict[str, Any] = {"name": new.name, "created_at": at}
        return new.stored_as(self._connection.execute(_INSERT, values).scalar_one(), at)

    def delete(self, author_id: int) -> bool:
        return bool(self._connection.execute(_DELETE, {"id": author_id}).rowcount)
