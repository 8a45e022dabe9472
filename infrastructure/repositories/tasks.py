from collections.abc import Collection, Sequence
from dataclasses import fields
from datetime import datetime
from operator import attrgetter

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from domain.ids import NO_ID_YET
from domain.pages import Page
from domain.tasks.model import SORTABLE_FIELDS, NewTask, Task, TaskQuery
from domain.tasks.repository import TaskRepository
from infrastructure.repositories.base import OWNER, SqlRepository, order_by, sortable
from infrastructure.repositories.bulk import insert_many
from infrastructure.repositories.text import contains_text
from infrastructure.tables import metadata
from infrastructure.tables.tasks import TaskRow

_SORTABLE = sortable(TaskRow, SORTABLE_FIELDS)
_TABLE = metadata.tables[str(TaskRow.__tablename__)]
_COMMAND_FIELDS = tuple(field.name for field in fields(NewTask))
_read_command = attrgetter(*_COMMAND_FIELDS)


class SqlTaskRepository(SqlRepository[TaskRow, Task, NewTask], TaskRepository):
    model = TaskRow
    entity = Task
    private = True

    def to_row(self, new: NewTask, at: datetime) -> TaskRow:
        return self.row_of(new.stored_as(NO_ID_YET, at))

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
        # One statement, no ORM instance per row (infrastructure/repositories/
        # bulk.py). Neither database promises RETURNING rows in input order: the
        # unique title names each row instead.
        if not new:
            return []
        # A new task stores its command's fields as given, beside what storing
        # stamps on every task of the batch alike (times, first version): the
        # first task's row gives the stamps, each command its own fields.
        stamped = {**self.values_of(new[0].stored_as(NO_ID_YET, at)), OWNER: self._owner_id()}
        rows = [{**stamped, **dict(zip(_COMMAND_FIELDS, _read_command(item), strict=True))} for item in new]
        inserted = insert_many(self._session.connection(), _TABLE, rows, returning=(_TABLE.c.id, _TABLE.c.title))
        ids = {row.title: row.id for row in inserted}
        return [item.stored_as(ids[item.title], at) for item in new]

    def existing_titles(self, titles: Collection[str]) -> set[str]:
        if not titles:
            return set()
        query = select(TaskRow.title).where(*self._mine(), col(TaskRow.title).in_(list(titles)))
        return set(self._session.exec(query).all())
