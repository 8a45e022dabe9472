"""A fake database in memory, and what every fake repository shares.

The fake database keeps rows per table and obeys the rules that the SQLModel
tables declare in their metadata, the same declarations the migrations create
in SQL: primary keys and unique constraints (AlreadyExists), foreign keys,
single-column or composite (a reference must name an existing row; deleting a
referenced row is refused, or cascades where the key says ON DELETE CASCADE).
No rule is written twice: a new table's fake needs nothing from its parent's,
and a link table of a many-to-many relation is a `FakeTable` like any other,
its rows plain mappings of column to value.

A row is an entity (its attributes named as the columns), an entity with its
owner (`OwnedRow`, for a table with an owner_id column), or a mapping. Ids are
handed out from a counter that never goes back, as PostgreSQL's identity does.

Owners follow infrastructure/repositories/base.py: a fake records its unit's
acting user on what it adds, deletes only that user's rows, and a `private`
fake (tasks) shows no one else's row to any method, and refuses to run
without an acting user.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import ForeignKeyConstraint, MetaData, PrimaryKeyConstraint, Table, UniqueConstraint
from sqlmodel import SQLModel

from domain.errors import AlreadyExists, ReferenceViolation
from domain.pages import Page, PageRequest, total_from_page
from domain.users.model import Actor
from infrastructure.repositories.base import NEEDS_ACTOR, NEEDS_SNAPSHOT, OWNER
from infrastructure.tables import metadata


class Identified(Protocol):
    @property
    def id(self) -> int: ...


EntityT = TypeVar("EntityT", bound=Identified)
NewT = TypeVar("NewT")
Key = tuple[Any, ...]


@dataclass(frozen=True)
class OwnedRow:
    """A row of a table with owners: the entity, and who owns it (None: no one,
    as rows from before users)."""

    entity: Any
    owner_id: int | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.entity, name)


def value_of(row: Any, column: str) -> Any:
    return row[column] if isinstance(row, Mapping) else getattr(row, column)


class FakeTable:
    """One table's rows by primary key, checked against its declared constraints."""

    def __init__(self, database: "FakeDatabase", table: Table) -> None:
        self.database = database
        self.table = table
        self.rows: dict[Key, Any] = {}
        self.last_id = 0
        self._key = [column.name for column in table.primary_key.columns]
        self._unique = [
            [column.name for column in constraint.columns]
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
        ]

    def key_of(self, row: Any) -> Key:
        return tuple(value_of(row, column) for column in self._key)

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def insert(self, row: Any) -> None:
        self._check(row, replacing=None)
        self.rows[self.key_of(row)] = row

    def replace(self, row: Any) -> None:
        """Store `row` in place of the row with its key (an UPDATE)."""
        key = self.key_of(row)
        self._check(row, replacing=key)
        self.rows[key] = row

    def delete(self, key: Key) -> bool:
        """Delete a row, applying each referring key's rule: refuse, or cascade."""
        row = self.rows.get(key)
        if row is None:
            return False
        for child, constraint in self.database.referring_to(self.table):
            parent_columns = [element.column.name for element in constraint.elements]
            values = tuple(value_of(row, column) for column in parent_columns)
            referring = [
                child_key
                for child_key, child_row in child.rows.items()
                if tuple(value_of(child_row, column.name) for column in constraint.columns) == values
            ]
            if referring and constraint.ondelete != "CASCADE":
                raise ReferenceViolation("The row is still referred to")
            for child_key in referring:
                child.delete(child_key)
        del self.rows[key]
        return True

    def where(self, **values: Any) -> list[Any]:
        """The rows whose columns hold these values, in key order."""
        return [row for key, row in sorted(self.rows.items()) if all(value_of(row, c) == v for c, v in values.items())]

    def _check(self, row: Any, replacing: Key | None) -> None:
        for constraint in self.table.foreign_key_constraints:
            values = tuple(value_of(row, column.name) for column in constraint.columns)
            if None in values:
                continue
            parent = self.database.table(constraint.referred_table.name)
            parent_columns = [element.column.name for element in constraint.elements]
            if not any(tuple(value_of(p, c) for c in parent_columns) == values for p in parent.rows.values()):
                raise ReferenceViolation("A row refers to one that does not exist")
        for columns in self._unique:
            values = tuple(value_of(row, column) for column in columns)
            if None in values:
                continue
            for key, other in self.rows.items():
                if key != replacing and tuple(value_of(other, column) for column in columns) == values:
                    raise AlreadyExists("A row with the same unique value already exists")


class FakeDatabase:
    """Every table of one fake database, made from the tables' metadata on first
    use (the app's tables by default; a test may give its own)."""

    def __init__(self, tables: MetaData = metadata) -> None:
        self._metadata = tables
        self._tables: dict[str, FakeTable] = {}
        self.one_snapshot = True
        """False inside a unit opened with plain `reading()`: the SQL storage may
        then give each statement its own snapshot, and a read that needs two
        statements to agree (a page and its COUNT) is refused, here as there."""

    def table(self, name: str) -> FakeTable:
        table = self._tables.get(name)
        if table is None:
            table = self._tables[name] = FakeTable(self, self._metadata.tables[name])
        return table

    def referring_to(self, parent: Table) -> Iterable[tuple[FakeTable, ForeignKeyConstraint]]:
        for table in self._metadata.sorted_tables:
            for constraint in table.foreign_key_constraints:
                if constraint.referred_table is parent:
                    yield self.table(table.name), constraint

    def snapshot(self) -> dict[str, dict[Key, Any]]:
        # Rows are frozen entities or mappings nobody changes in place: a copy
        # of each table's dict is a copy of the database.
        return {name: dict(table.rows) for name, table in self._tables.items()}

    def restore(self, snapshot: Mapping[str, dict[Key, Any]]) -> None:
        for name, table in self._tables.items():
            table.rows = dict(snapshot.get(name, {}))


class FakeRepository(ABC, Generic[EntityT, NewT]):
    """An aggregate's rows in its table of a fake database: get, add, delete
    and pages, by the table's rules. A fake adds `model`, `to_entity` and the
    aggregate's own queries."""

    model: type[SQLModel]
    """The table whose rows, and rules, this fake plays."""

    private: ClassVar[bool] = False
    """As infrastructure.repositories.base.SqlRepository.private."""

    actor: Actor | None = None
    """The acting user of the unit of work this fake works in (FakeUnitOfWork sets it)."""

    def __init__(self, database: FakeDatabase) -> None:
        self._database = database
        self._table = database.table(str(self.model.__tablename__))
        self._owned = OWNER in self._table.table.c

    def _owner_id(self) -> int:
        if self.actor is None:
            raise PermissionError(NEEDS_ACTOR)
        return self.actor.user_id

    def _visible(self, row: Any) -> bool:
        return not self.private or row.owner_id == self._owner_id()

    @staticmethod
    def _entity(row: Any) -> Any:
        return row.entity if isinstance(row, OwnedRow) else row

    @abstractmethod
    def to_entity(self, new: NewT, entity_id: int, at: datetime) -> EntityT:
        """`new` as stored: with its id and timestamps."""

    def get(self, entity_id: int) -> EntityT | None:
        row = self._table.rows.get((entity_id,))
        if row is None or not self._visible(row):
            return None
        entity: EntityT = self._entity(row)
        return entity

    def get_for_update(self, entity_id: int) -> EntityT | None:
        return self.get(entity_id)  # one unit at a time: nothing to lock

    def update(self, entity: EntityT) -> None:
        row = self._table.rows.get((entity.id,))
        if row is None or not self._visible(row):
            raise LookupError(f"row {entity.id} was not read for update in this unit of work")
        self._table.replace(OwnedRow(entity, row.owner_id) if self._owned else entity)

    def add(self, new: NewT, at: datetime) -> EntityT:
        entity = self.to_entity(new, self._table.next_id(), at)
        self._table.insert(OwnedRow(entity, self._owner_id()) if self._owned else entity)
        return entity

    def delete(self, entity_id: int) -> bool:
        row = self._table.rows.get((entity_id,))
        if row is None or (self._owned and row.owner_id != self._owner_id()):
            return False
        return self._table.delete((entity_id,))

    def is_owned(self, entity_id: int) -> bool | None:
        row = self._table.rows.get((entity_id,))
        return None if row is None else row.owner_id == self._owner_id()

    def rows(self) -> list[EntityT]:
        """Every row this unit may see, in id order."""
        return [self._entity(row) for row in self._table.where() if self._visible(row)]

    def _page(self, request: PageRequest, where: Callable[[EntityT], bool] | None = None) -> Page[EntityT]:
        """A page of the rows that satisfy `where`, in id order."""
        return self._page_of([row for row in self.rows() if where is None or where(row)], request)

    def _page_of(self, ordered: Sequence[EntityT], request: PageRequest) -> Page[EntityT]:
        """The page `request` asks of `ordered`, and its total."""
        items = list(ordered[request.skip : request.skip + request.limit])
        implied = total_from_page(request, len(items))
        if implied is None and not self._database.one_snapshot:
            raise RuntimeError(NEEDS_SNAPSHOT)
        assert implied is None or implied == len(ordered), "the page and the total disagree"
        return Page(items, len(ordered))
