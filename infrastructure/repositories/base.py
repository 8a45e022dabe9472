"""What every SQL repository shares: the unit of work's session, and get, add,
delete, a locked read and its update, and a page with its total, built on the
aggregate's table model.

An aggregate's repository says which table model it stores (`model`), which
domain dataclass it returns (`entity`), which related rows the entity needs
(`load`, SQLAlchemy loader options), how a new entity becomes a row (`to_row`),
and then only its own queries. Fields are not listed again here: an entity's
field and the table's column of the same name are one thing, mapped by name,
and a class whose entity has a field the table lacks (a post's embedded author)
must say how to read it (`to_entity`) or fails when it is made, not when it
first runs. Rows never leave a repository: services get the domain's entities,
so nothing can lazy-load or expire once the unit of work has ended.

Owners: a table with an `owner_id` column records the unit's acting user on
every row `add` makes, and only that user's rows are deleted. A `private`
repository (tasks) puts the owner in the WHERE clause of every statement it
runs, so another user's row is, to every method, a row that does not exist;
without an acting user it refuses to run at all (fail closed).

Reads are views: `get` and the pages select the entity's columns, by name,
and build the entity from each row, with no table-model instance in between
(no identity map entry, no instance state, no loader), as cosmicpython's read
side does; an entity field that is a related table's (a post's author) comes
from an `Embedded` bundle of that table's columns, joined on its foreign key,
in the same statement (`related`), which makes the field's value as the row
is read, so a view's row is the entity's fields, in order, as they come.
Measured in the README (Speed): the instance per row was most of a list page's
time, and reading a view's row by name a tenth of what was left. What a unit of work is about to change is read
as table-model rows instead (`get_for_update`, `load`), so that `update` can
flush only what changed; so is every read of an entity that holds a to-many
collection (its `to_entity` reads a relationship and it declares no `related`):
a view has one row per entity, a joined collection one per member, which
`unique()` folds. A locked read locks only the aggregate's own rows (`FOR
UPDATE OF` its table, never a joined one).
"""

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Row,
    SQLColumnExpression,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    inspect,
    sql,
)
from sqlalchemy.orm import Bundle
from sqlalchemy.orm.interfaces import ORMOption
from sqlmodel import Session, SQLModel, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from domain.ids import MAX_ID
from domain.pages import Page, PageRequest, SortKey, total_from_page
from domain.ranked import RankedEnum
from domain.users.model import Actor

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from sqlalchemy.sql._typing import _ColumnExpressionArgument

RowT = TypeVar("RowT", bound=SQLModel)
EntityT = TypeVar("EntityT", bound="DataclassInstance")
NewT = TypeVar("NewT")

OWNER = "owner_id"
"""The column that records who created a row."""

NEEDS_ACTOR = "this repository's rows are private to their owner: open the unit of work acting_as(actor)"

ONE_SNAPSHOT = "one_snapshot"
"""Set in `Session.info` by the unit of work: False when its statements may each
see another snapshot (a PostgreSQL unit that reads without `snapshot=True`)."""

NEEDS_SNAPSHOT = (
    "a page whose total needs a COUNT reads twice, and both reads must see one snapshot: "
    "open the unit of work with reading(snapshot=True)"
)


ValueT = TypeVar("ValueT")


class Embedded(Bundle[ValueT]):
    """A related table's columns, read as one entity field's value: `make`
    gets them in the order given and returns the value (a post's author
    summary). What a bundle returns per row is SQLAlchemy's to shape, in
    `create_row_processor`; a Bundle's default is a `Row`, which a
    `to_entity` would then read again by name."""

    def __init__(self, name: str, *columns: "_ColumnExpressionArgument[Any]", make: Callable[..., ValueT]) -> None:
        super().__init__(name, *columns)
        self.make = make

    def create_row_processor(
        self,
        query: sql.Select[*tuple[Any, ...]],
        procs: Sequence[Callable[[Row[*tuple[Any, ...]]], Any]],
        labels: Sequence[str],
    ) -> Callable[[Row[*tuple[Any, ...]]], ValueT]:
        make = self.make
        return lambda row: make(*[proc(row) for proc in procs])


class SqlRepository(ABC, Generic[RowT, EntityT, NewT]):
    model: type[RowT]
    """The SQLModel table this repository stores."""

    entity: type[EntityT]
    """The domain dataclass it returns; its fields are named as the table's columns."""

    private: ClassVar[bool] = False
    """Only the owner reads, counts, changes or deletes a row (the owner is in
    every statement's WHERE clause)."""

    load: Sequence[ORMOption] = ()
    """Loader options for the relationships that `to_entity` reads from a
    table-model row (a locked read, an added row); the relationships are
    lazy="raise", so one left out fails loudly instead of querying per row."""

    related: ClassVar[Mapping[str, "Embedded[Any]"]] = {}
    """The entity's fields that are no column of the table, for reads: each an
    `Embedded` bundle of a related table's columns that makes the field's
    value. The table is joined on its foreign key (to-one relations only: a
    view has one row per entity). `to_entity` then reads only table-model rows
    (a row read to be changed), through the relationship of the same name."""

    # Made once per class (__init_subclass__): SQLAlchemy caches a statement's
    # compiled form by its cache key, which a statement built anew for every
    # call must compute again.
    _by_id: ClassVar[SelectOfScalar[Any]]
    _by_id_locked: ClassVar[SelectOfScalar[Any]]
    _key: ClassVar[str]
    """The primary key's name."""
    _owner: ClassVar[ColumnElement[int] | None]
    """The owner column, if the table has one."""
    _fields: ClassVar[tuple[str, ...]]
    """The entity's fields that are the table's columns, in the entity's order."""
    _read: ClassVar[Any]
    _view: ClassVar[Select[*tuple[Any, ...]]]
    """The entity's columns (and `related` bundles), in the entity's field order."""
    _view_by_id: ClassVar[Select[*tuple[Any, ...]]]
    _view_is_entity: ClassVar[bool]
    """Whether a view row holds exactly the entity's fields, in order: the
    entity is then made from the row's values as they come."""
    _reads_rows: ClassVar[bool]
    """Whether reads build table-model rows (with `load`) instead of views."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not all(hasattr(cls, name) for name in ("model", "entity")):
            return  # an abstract layer of its own
        if not {"model", "entity", "load", "to_entity", "private"} & cls.__dict__.keys():
            return  # reads as the class it extends: its statements serve
        key = cls._primary_key()
        cls._key = inspect(cls.model).primary_key[0].name
        cls._owner = inspect(cls.model).columns.get(OWNER)
        if cls.private and cls._owner is None:
            raise TypeError(f"{cls.__name__}: a private repository's table needs an {OWNER} column")
        mine = (cls._owner == bindparam("owner"),) if cls.private and cls._owner is not None else ()
        cls._by_id = select(cls.model).where(key == bindparam("id"), *mine).options(*cls.load)
        # OF the aggregate's own table: PostgreSQL refuses FOR UPDATE on the
        # nullable side of an outer join, and a joined row is not ours to lock.
        cls._by_id_locked = cls._by_id.with_for_update(of=cls.model)
        columns = set(inspect(cls.model).columns.keys()) - {OWNER}
        fields = [field.name for field in dataclasses.fields(cls.entity)]
        cls._fields = tuple(name for name in fields if name in columns)
        cls._view = cls._view_of(fields)
        cls._view_by_id = cls._view.where(key == bindparam("id"), *mine)
        # Every field a column or an embedded value: a view's row is the entity.
        # A to_entity of its own with no `related`: the entity reads what only a
        # table-model row has (a to-many collection, through `load`).
        covered = all(name in columns or name in cls.related for name in fields)
        cls._view_is_entity = covered and (bool(cls.related) or cls.to_entity is SqlRepository.to_entity)
        cls._reads_rows = not cls.related and not cls._view_is_entity
        if cls._view_is_entity:
            # Such a row becomes the entity by position (by name per row costs
            # four times as much), so its columns are matched to the entity's
            # fields by name here, once: a column out of place fails now.
            selected = [description["name"] for description in cls._view.column_descriptions]
            if selected != fields:
                raise TypeError(
                    f"{cls.__name__}: the view selects {selected}, not {cls.entity.__name__}'s fields in order {fields}"
                )
        if cls.to_entity is SqlRepository.to_entity:
            missing = [name for name in fields if name not in columns]
            if missing:
                raise TypeError(
                    f"{cls.__name__}: {cls.entity.__name__} has fields that {cls.model.__name__} lacks "
                    f"({', '.join(missing)}): override to_entity to say how to read them"
                )
            cls._read = attrgetter(*fields) if len(fields) > 1 else (lambda row: (getattr(row, fields[0]),))

    @classmethod
    def _view_of(cls, fields: Sequence[str]) -> Select[*tuple[Any, ...]]:
        table = inspect(cls.model).columns
        selected = [
            cls.related[name] if name in cls.related else table[name]
            for name in fields
            if name in table or name in cls.related
        ]
        view: Select[*tuple[Any, ...]] = Select(*selected).select_from(cls.model)
        for bundle in cls.related.values():
            for joined in {column.table for column in bundle.columns if isinstance(column, ColumnClause)}:
                if joined is not None:
                    view = view.join(joined)
        return view

    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self._session = session
        self._actor = actor
        self._locked: dict[int, RowT] = {}
        self._held: list[RowT] = []

    def _owner_id(self) -> int:
        """The acting user's id: whom this unit's rows belong to."""
        if self._actor is None:
            raise PermissionError(NEEDS_ACTOR)
        return self._actor.user_id

    def _params(self, entity_id: int) -> dict[str, int]:
        """The parameters of a statement by id: the id, and for a private
        repository the owner."""
        return {"id": entity_id, "owner": self._owner_id()} if self.private else {"id": entity_id}

    def _mine(self) -> tuple[ColumnElement[bool], ...]:
        """The condition a private repository adds to every statement."""
        return (self._owner == self._owner_id(),) if self.private and self._owner is not None else ()

    def to_entity(self, row: RowT | Row[Any]) -> EntityT:
        """The entity of a table-model row or of a view's row: each field from
        the column (or `related` bundle) of the same name."""
        return self.entity(*self._read(row))

    def _from_view(self, row: tuple[Any, ...]) -> EntityT:
        if self._view_is_entity:
            values: Any = row  # the entity's fields, in its order (checked by name in __init_subclass__)
            return self.entity(*values)
        # SQLModel types a selected row as a tuple; it is SQLAlchemy's Row,
        # whose values are attributes named as their columns and bundles.
        return self.to_entity(cast(Row[Any], row))

    def entity_with(self, row: RowT | Row[Any], **others: Any) -> EntityT:
        """The row's entity, for a `to_entity` written by hand: the fields that
        are columns from the row, and `others`, the ones that are not."""
        return self.entity(**{name: getattr(row, name) for name in self._fields}, **others)

    @abstractmethod
    def to_row(self, new: NewT, at: datetime) -> RowT:
        """A new row for `new`, created `at`: usually `self.row_of(new.stored_as(NO_ID_YET, at))`."""

    def row_of(self, entity: EntityT) -> RowT:
        """A new row holding the entity's fields, but its id: the database gives that."""
        return self.model(**self.values_of(entity))

    def values_of(self, entity: EntityT) -> dict[str, Any]:
        """The entity's columns and their values, its id left out (an INSERT's values)."""
        return {name: getattr(entity, name) for name in self._fields if name != self._key}

    def get(self, entity_id: int) -> EntityT | None:
        if self._reads_rows:
            found = self._session.exec(self._by_id, params=self._params(entity_id)).unique().one_or_none()
            return None if found is None else self.to_entity(found)
        row = self._session.exec(self._view_by_id, params=self._params(entity_id)).one_or_none()
        return None if row is None else self._from_view(row)

    def get_for_update(self, entity_id: int) -> EntityT | None:
        """Read an entity this unit of work is about to change, and lock its row
        until the unit ends (PostgreSQL: FOR UPDATE OF its table; SQLite: the
        unit already holds the write lock, BEGIN IMMEDIATE). The row is kept for
        `update`: the session holds rows only as long as someone does."""
        row = self._session.exec(self._by_id_locked, params=self._params(entity_id)).unique().one_or_none()
        if row is None:
            return None
        self._locked[entity_id] = row
        return self.to_entity(row)

    def update(self, entity: EntityT) -> None:
        """Store `entity`, read with get_for_update in this unit of work: the
        columns that changed, in one UPDATE of its row."""
        entity_id = getattr(entity, self._key)
        row = self._locked.get(entity_id)
        if row is None:
            raise LookupError(
                f"{self.entity.__name__.lower()} {entity_id} was not read for update in this unit of work"
            )
        for name, value in self.values_of(entity).items():
            setattr(row, name, value)
        self._session.flush()

    def add(self, new: NewT, at: datetime) -> EntityT:
        row = self.to_row(new, at)
        if self._owner is not None:
            setattr(row, OWNER, self._owner_id())
        self._session.add(row)
        # INSERT ... RETURNING now, inside the request: the row gets its id, and
        # a broken rule (unique, foreign key) fails here, not at commit.
        self._session.flush()
        return self.to_entity(row)

    def delete(self, entity_id: int) -> bool:
        # One DELETE; the database applies what the foreign keys declare (refuse,
        # or cascade) to the rows that refer to this one.
        # Only the owner's row: someone else's is left, and the service asks
        # (is_owned) which failure it was only when this one fails.
        mine = (self._owner == self._owner_id(),) if self._owner is not None else ()
        result = self._session.exec(delete(self.model).where(self._primary_key() == entity_id, *mine))
        return result.rowcount > 0

    def is_owned(self, entity_id: int) -> bool | None:
        """Whether the acting user owns the row; None when there is no such row."""
        if self._owner is None:
            raise TypeError(f"{type(self).__name__}: {self.model.__name__} has no {OWNER} column")
        # The row through the session's identity map, and held for the unit
        # (the map keeps rows only while someone does): a use case that reads it
        # next (a post's author, to embed it) gets it with no second statement.
        row = self._session.get(self.model, entity_id)
        if row is None:
            return None
        self._held.append(row)
        return bool(getattr(row, OWNER) == self._owner_id())

    def _insert_links(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert rows of a link table (the pairs of a many-to-many relation) in
        one statement, and say how many went in. A foreign key that names no row
        fails as ReferenceViolation, a pair already there as AlreadyExists (the
        unit of work translates both). psycopg reports no count for a many-row
        INSERT unless asked to keep it."""
        if not rows:
            return 0
        result = self._session.connection().execute(
            insert(table).execution_options(preserve_rowcount=True), [dict(row) for row in rows]
        )
        return int(result.rowcount)

    def _delete_links(self, table: Table, **where: Any) -> int:
        """Delete the link rows whose columns hold these values; how many went."""
        conditions = [table.c[name] == value for name, value in where.items()]
        return int(self._session.connection().execute(delete(table).where(*conditions)).rowcount)

    def _page(
        self,
        request: PageRequest,
        *where: ColumnElement[bool],
        order_by: Sequence[ColumnElement[Any]] = (),
    ) -> Page[EntityT]:
        """One page of the rows that match `where`, in `order_by` order (the
        primary key by default), and how many match in all.

        The page comes first: when it is short it tells the total, and the COUNT
        (a scan of every matching row) is skipped. Otherwise the COUNT is a
        statement of its own, which agrees with the page only if both see one
        snapshot: the unit must be a transaction (`reading(snapshot=True)`, or
        one that writes), and a page asked in autocommit is refused. The COUNT
        as a subquery of the page's statement would need no transaction, but
        costs PostgreSQL more than the two statements (README, Speed).
        """
        offset = min(request.skip, MAX_ID)  # past any table; drivers reject more
        ordered = order_by or (self._primary_key(),)
        chosen = (*self._mine(), *where)
        deferred = offset > 0
        if deferred:
            # A deferred join: the rows skipped are walked as keys only, in an
            # index that holds the owner, the order and the key (no table row
            # read for them), and only the page's rows are read whole: a deep
            # page costs a third as much (README, Speed).
            keys = select(self._primary_key()).where(*chosen).order_by(*ordered).offset(offset).limit(request.limit)
            chosen = (*self._mine(), self._primary_key().in_(keys))
        # Deferred, the keys' subquery took the slice (None: no OFFSET, no LIMIT).
        skip, limit = (None, None) if deferred else (offset, request.limit)
        if self._reads_rows:
            # A joined collection repeats its aggregate's row: unique() folds them.
            statement = select(self.model).where(*chosen).order_by(*ordered).offset(skip).limit(limit)
            rows = self._session.exec(statement.options(*self.load)).unique().all()
            items = [self.to_entity(row) for row in rows]
        else:
            view = self._view.where(*chosen).order_by(*ordered).offset(skip).limit(limit)
            items = [self._from_view(row) for row in self._session.exec(view).all()]
        total = total_from_page(request, len(items))
        if total is None:
            if not self._session.info.get(ONE_SNAPSHOT, True):
                raise RuntimeError(NEEDS_SNAPSHOT)
            total = self._session.exec(select(func.count()).select_from(self.model).where(*self._mine(), *where)).one()
        return Page(items, total)

    @classmethod
    def _primary_key(cls) -> ColumnElement[int]:
        key: ColumnElement[int] = inspect(cls.model).primary_key[0]
        return key


def by_meaning(column: SQLColumnExpression[Any], kind: type[RankedEnum]) -> ColumnElement[int]:
    """`column`'s members as their rank in `kind`, for ORDER BY: a CASE made from
    the enum's own order, so SQL sorts as the domain does, whatever is stored."""
    return case({member.value: member.rank for member in kind}, value=column)


def sortable(model: type[SQLModel], fields: Sequence[str]) -> dict[str, SQLColumnExpression[Any]]:
    """The ORDER BY expression of each of `fields`, columns of `model`: the column,
    or, for an enum with an order of meaning, `by_meaning` of it."""
    columns = inspect(model).columns
    expressions: dict[str, SQLColumnExpression[Any]] = {}
    for name in fields:
        column = columns[name]
        kind = getattr(column.type, "enum_class", None)
        if isinstance(kind, type) and issubclass(kind, RankedEnum):
            expressions[name] = by_meaning(column, kind)
        else:
            expressions[name] = column
    return expressions


def order_by(keys: Sequence[SortKey], columns: Mapping[str, SQLColumnExpression[Any]]) -> list[ColumnElement[Any]]:
    """ORDER BY clauses for `keys`; unknown fields are a programming error."""
    return [columns[key.field].desc() if key.descending else columns[key.field].asc() for key in keys]


def stored_id(row_id: int | None) -> int:
    """The id of a row that has been flushed or loaded (a table model's id is
    None only before its INSERT), for a `to_entity` written by hand."""
    if row_id is None:
        raise ValueError("the row has no id yet: flush it first")
    return row_id
