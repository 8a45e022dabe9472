"""What every fake repository shares: rows in a dict, and the table's rules.

A fake stores entities by id, hands out ids from a counter that never goes back
(as the tables' autoincrement), and obeys the foreign keys that its SQLModel
table declares, against the other fakes: a reference must name an existing
row; deleting a referenced row is refused, or cascades when the key says
ON DELETE CASCADE. The declaration on the table is the only one: the SQL schema
and the fakes both follow it, so a child aggregate's fake needs nothing from
its parent's.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ForeignKey, Table
from sqlmodel import SQLModel

from domain.errors import ReferenceViolation
from domain.pages import Page, PageRequest, total_from_page
from infrastructure.tables import metadata


class Identified(Protocol):
    @property
    def id(self) -> int: ...


EntityT = TypeVar("EntityT", bound=Identified)
NewT = TypeVar("NewT")

FakeTables = MutableMapping[str, "FakeRepository[Any, Any]"]
"""Every fake of one fake database, by the name of the table it plays."""


@dataclass
class _Rows(Generic[EntityT]):
    by_id: dict[int, EntityT] = field(default_factory=dict)
    last_id: int = 0


class FakeRepository(ABC, Generic[EntityT, NewT]):
    model: type[SQLModel]
    """The table whose rules this fake plays (its foreign keys)."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows: _Rows[EntityT] = _Rows()
        self._tables = tables
        tables[self.table().name] = self

    @classmethod
    def table(cls) -> Table:
        return metadata.tables[str(cls.model.__tablename__)]

    @abstractmethod
    def to_entity(self, new: NewT, entity_id: int, at: datetime) -> EntityT:
        """`new` as stored: with its id and timestamps."""

    def get(self, entity_id: int) -> EntityT | None:
        return self._rows.by_id.get(entity_id)

    def add(self, new: NewT, at: datetime) -> EntityT:
        entity = self.to_entity(new, self._rows.last_id + 1, at)
        for key in self.table().foreign_keys:
            parent = self._tables[key.column.table.name]
            if parent.get(getattr(entity, key.parent.name)) is None:
                raise ReferenceViolation("A row refers to one that does not exist")
        self._rows.last_id = entity.id
        self._rows.by_id[entity.id] = entity
        return entity

    def delete(self, entity_id: int) -> bool:
        if entity_id not in self._rows.by_id:
            return False
        for child, key in self._referrers():
            referring = [row.id for row in child.rows() if getattr(row, key.parent.name) == entity_id]
            if referring and key.ondelete != "CASCADE":
                raise ReferenceViolation("The row is still referred to")
            for child_id in referring:
                child.delete(child_id)
        del self._rows.by_id[entity_id]
        return True

    def rows(self) -> list[EntityT]:
        """Every row, in id order."""
        return sorted(self._rows.by_id.values(), key=lambda row: row.id)

    def _page(self, request: PageRequest, where: Callable[[EntityT], bool] | None = None) -> Page[EntityT]:
        """A page of the rows that satisfy `where`, in id order."""
        return page_of([row for row in self.rows() if where is None or where(row)], request)

    def _referrers(self) -> list[tuple["FakeRepository[Any, Any]", ForeignKey]]:
        mine = self.table()
        return [
            (fake, key)
            for fake in self._tables.values()
            for key in fake.table().foreign_keys
            if key.column.table is mine
        ]

    def snapshot(self) -> Any:
        return self._rows

    def restore(self, snapshot: Any) -> None:
        self._rows = snapshot


def page_of(ordered: Sequence[EntityT], request: PageRequest) -> Page[EntityT]:
    items = list(ordered[request.skip : request.skip + request.limit])
    implied = total_from_page(request, len(items))
    assert implied is None or implied == len(ordered), "the page and the total disagree"
    return Page(items, len(ordered))
