from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, insert, text
from sqlmodel import Session, col, select

from domain.pages import Page
from domain.tasks.model import FIRST_VERSION, NewTask, Priority, Status, Task, TaskQuery
from domain.tasks.repository import TaskRepository
from infrastructure.repositories.base import SqlRepository, by_meaning, order_by, stored_id
from infrastructure.repositories.text import contains_text
from infrastructure.tables import metadata
from infrastructure.tables.tasks import TaskRow

_SORTABLE: dict[str, SQLColumnExpression[Any]] = {
    "id": col(TaskRow.id),
    "title": col(TaskRow.title),
    "status": by_meaning(col(TaskRow.status), Status),
    "priority": by_meaning(col(TaskRow.priority), Priority),
    "created_at": col(TaskRow.created_at),
    "updated_at": col(TaskRow.updated_at),
}

# Bulk inserts are Core statements on the table, run on the session's connection:
# no ORM instance per row. SQLite: one multi-row INSERT ... RETURNING per 1,000.
_INSERT_MANY = insert(metadata.tables[TaskRow.__tablename__]).returning(col(TaskRow.id), col(TaskRow.title))
# PostgreSQL: the rows as one array per column, unnested by the server. Half the
# time of the multi-row VALUES above for 1,000 rows (measured: 29 vs 68 ms) and a
# fraction of the memory: 7 parameters instead of 7,000.
_INSERT_MANY_POSTGRESQL = text(
    "INSERT INTO tasks (title, description, status, priority, created_at, updated_at, version)"
    " SELECT title, description, status, priority, :at, :at, :version"
    " FROM unnest(CAST(:titles AS varchar[]), CAST(:descriptions AS text[]),"
    " CAST(:statuses AS varchar[]), CAST(:priorities AS varchar[]))"
    " AS new (title, description, status, priority)"
    " RETURNING id, title"
)


class SqlTaskRepository(SqlRepository[TaskRow, Task, NewTask], TaskRepository):
    model = TaskRow

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._locked: dict[int, TaskRow | None] = {}

    def to_entity(self, row: TaskRow) -> Task:
        return Task(
            id=stored_id(row.id),
            title=row.title,
            description=row.description,
            status=row.status,
            priority=row.priority,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
        )

    def to_row(self, new: NewTask, at: datetime) -> TaskRow:
        return TaskRow(
            title=new.title,
            description=new.description,
            status=new.status,
            priority=new.priority,
            created_at=at,
            updated_at=at,
            version=FIRST_VERSION,
        )

    def get_for_update(self, task_id: int) -> Task | None:
        # FOR UPDATE on PostgreSQL; on SQLite the unit of work already holds the
        # write lock (BEGIN IMMEDIATE). The row is kept for `update`: the
        # session's identity map holds rows only as long as someone does.
        row = self._locked[task_id] = self._session.get(TaskRow, task_id, with_for_update=True)
        return None if row is None else self.to_entity(row)

    def find(self, query: TaskQuery) -> Page[Task]:
        conditions: list[ColumnElement[bool]] = []
        if query.statuses:
            conditions.append(col(TaskRow.status).in_(sorted(query.statuses)))
        if query.priorities:
            conditions.append(col(TaskRow.priority).in_(sorted(query.priorities)))
        if query.text:
            conditions.append(contains_text(col(TaskRow.title), query.text))
        return self._page(query.page, *conditions, order_by=order_by(query.order(), _SORTABLE))

    def add_many(self, new: Sequence[NewTask], at: datetime) -> list[Task]:
        # One statement per 1,000 rows. Neither database promises RETURNING rows
        # in input order (and asking SQLAlchemy to sort them makes it send one
        # INSERT per row on SQLite): the unique title names each row instead.
        if not new:
            return []
        connection = self._session.connection()
        if connection.dialect.name == "postgresql":
            rows = connection.execute(
                _INSERT_MANY_POSTGRESQL,
                {
                    "at": at,
                    "version": FIRST_VERSION,
                    "titles": [item.title for item in new],
                    "descriptions": [item.description for item in new],
                    "statuses": [item.status.value for item in new],
                    "priorities": [item.priority.value for item in new],
                },
            )
        else:
            rows = connection.execute(_INSERT_MANY, [_values(item, at) for item in new])
        ids = {title: task_id for task_id, title in rows}
        return [item.stored_as(ids[item.title], at) for item in new]

    def update(self, task: Task) -> None:
        # The row get_for_update locked: no read, and the flush writes only the
        # columns that changed.
        row = self._locked.get(task.id)
        if row is None:
            raise LookupError(f"task {task.id} was not read in this unit of work")
        row.title = task.title
        row.description = task.description
        row.status = task.status
        row.priority = task.priority
        row.updated_at = task.updated_at
        row.version = task.version
        self._session.flush()

    def existing_titles(self, titles: Collection[str]) -> set[str]:
        if not titles:
            return set()
        return set(self._session.exec(select(TaskRow.title).where(col(TaskRow.title).in_(list(titles)))).all())


def _values(new: NewTask, at: datetime) -> dict[str, Any]:
    return {
        "title": new.title,
        "description": new.description,
        "status": new.status,
        "priority": new.priority,
        "created_at": at,
        "updated_at": at,
        "version": FIRST_VERSION,
    }
