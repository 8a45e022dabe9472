from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, select, text, update

from domain.pages import Page
from domain.tasks.model import FIRST_VERSION, NewTask, Priority, Status, Task, TaskQuery
from infrastructure.repositories.base import AnyRow, SqlRepository, order_by
from infrastructure.repositories.text import contains_text
from infrastructure.tables.tasks import TaskRow

# Core statements on the Table (not the ORM class): no identity map, no unit-of-work
# bookkeeping, only SQL in and tuples out.
_table = TaskRow.__table__  # type: ignore[attr-defined]
_t = _table.c
_COLUMNS = (_t.id, _t.title, _t.description, _t.status, _t.priority, _t.created_at, _t.updated_at, _t.version)
_SORTABLE: dict[str, ColumnElement[Any]] = {
    "id": _t.id,
    "title": _t.title,
    "status": _t.status,
    "priority": _t.priority,
    "created_at": _t.created_at,
    "updated_at": _t.updated_at,
}
_STATUSES = tuple(Status)
_PRIORITIES = tuple(Priority)

# Statements built once: SQLAlchemy caches their compiled form by structure anyway,
# but building the construct itself on every call is work too.
_BY_ID = select(*_COLUMNS).where(_t.id == bindparam("id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
_INSERT = insert(_table).returning(_t.id)
_INSERT_MANY = insert(_table).returning(_t.id, _t.title)
# PostgreSQL: the rows as one array per column, unnested by the server. Half the
# time of the multi-row VALUES above for 1,000 rows (measured: 29 vs 68 ms) and a
# fraction of the memory: 7 parameters instead of 7,000.
_INSERT_MANY_POSTGRESQL = text(
    "INSERT INTO tasks (title, description, status, priority, created_at, updated_at, version)"
    " SELECT title, description, status, priority, :at, :at, :version"
    " FROM unnest(CAST(:titles AS varchar[]), CAST(:descriptions AS text[]),"
    " CAST(:statuses AS smallint[]), CAST(:priorities AS smallint[]))"
    " AS new (title, description, status, priority)"
    " RETURNING id, title"
)
_UPDATE = (
    update(_table)
    .where(_t.id == bindparam("task_id"), _t.version == bindparam("expected_version"))
    .values(
        title=bindparam("title"),
        description=bindparam("description"),
        status=bindparam("status"),
        priority=bindparam("priority"),
        updated_at=bindparam("updated_at"),
        version=bindparam("version"),
    )
)
_DELETE = delete(_table).where(_t.id == bindparam("id"))


def _task(row: AnyRow) -> Task:
    return Task(
        id=row[0],
        title=row[1],
        description=row[2],
        status=_STATUSES[row[3]],
        priority=_PRIORITIES[row[4]],
        created_at=row[5],
        updated_at=row[6],
        version=row[7],
    )


def _values(new: NewTask, at: datetime) -> dict[str, Any]:
    return {
        "title": new.title,
        "description": new.description,
        "status": new.status.rank,
        "priority": new.priority.rank,
        "created_at": at,
        "updated_at": at,
        "version": FIRST_VERSION,
    }


class SqlTaskRepository(SqlRepository):
    """domain.tasks.repository.TaskRepository on SQL."""

    def get(self, task_id: int) -> Task | None:
        row = self._connection.execute(_BY_ID, {"id": task_id}).first()
        return _task(row) if row is not None else None

    def get_for_update(self, task_id: int) -> Task | None:
        self._lock_for_write()
        row = self._connection.execute(_BY_ID_FOR_UPDATE, {"id": task_id}).first()
        return _task(row) if row is not None else None

    def find(self, query: TaskQuery) -> Page[Task]:
        conditions: list[ColumnElement[bool]] = []
        if query.statuses:
            conditions.append(_t.status.in_(sorted(s.rank for s in query.statuses)))
        if query.priorities:
            conditions.append(_t.priority.in_(sorted(p.rank for p in query.priorities)))
        if query.text:
            conditions.append(contains_text(_t.title, query.text))
        rows = select(*_COLUMNS).where(*conditions).order_by(*order_by(query.order(), _SORTABLE))
        count = select(func.count()).select_from(_table).where(*conditions)
        return self._page(rows, count, query.page, _task)

    def add(self, new: NewTask, at: datetime) -> Task:
        task_id = self._connection.execute(_INSERT, _values(new, at)).scalar_one()
        return new.stored_as(task_id, at)

    def add_many(self, new: Sequence[NewTask], at: datetime) -> list[Task]:
        # One statement per 1,000 rows: an executemany that SQLAlchemy sends as
        # multi-row INSERT ... RETURNING on SQLite, an INSERT from unnested arrays
        # on PostgreSQL. Neither database promises RETURNING rows in input order
        # (and asking SQLAlchemy to sort them makes it send one INSERT per row on
        # SQLite): the unique title names each row instead.
        if not new:
            return []
        if self._connection.dialect.name == "postgresql":
            rows = self._connection.execute(
                _INSERT_MANY_POSTGRESQL,
                {
                    "at": at,
                    "version": FIRST_VERSION,
                    "titles": [item.title for item in new],
                    "descriptions": [item.description for item in new],
                    "statuses": [item.status.rank for item in new],
                    "priorities": [item.priority.rank for item in new],
                },
            )
        else:
            rows = self._connection.execute(_INSERT_MANY, [_values(item, at) for item in new])
        ids = {title: task_id for task_id, title in rows}
        return [item.stored_as(ids[item.title], at) for item in new]

    def update(self, task: Task, expected_version: int) -> bool:
        result = self._connection.execute(
            _UPDATE,
            {
                "task_id": task.id,
                "expected_version": expected_version,
                "title": task.title,
                "description": task.description,
                "status": task.status.rank,
                "priority": task.priority.rank,
                "updated_at": task.updated_at,
                "version": task.version,
            },
        )
        return bool(result.rowcount)

    def delete(self, task_id: int) -> bool:
        return bool(self._connection.execute(_DELETE, {"id": task_id}).rowcount)

    def existing_titles(self, titles: Collection[str]) -> set[str]:
        if not titles:
            return set()
        return set(self._connection.execute(select(_t.title).where(_t.title.in_(list(titles)))).scalars())
