"""A page and its total come from one snapshot: a row committed by someone else
while the page is read shows in both or in neither (X-Total-Count never
disagrees with the page it came with). The hook commits a row from another
connection right after the page's statement, before its COUNT."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlmodel import col, select

from domain.pages import PageRequest
from domain.tasks.model import NewTask, TaskQuery
from infrastructure.tables.tasks import TaskRow
from infrastructure.unit_of_work import SqlUnitOfWork
from tests.factories.tasks import AT, new_tasks
from tests.fakes.unit_of_work import ME
from tests.support.databases import LiveDatabase


@contextmanager
def committing_after_each_statement(database: LiveDatabase, uow: SqlUnitOfWork) -> Iterator[list[str]]:
    """After each statement the unit sends, another unit commits a new task."""
    sent: list[str] = []
    others = SqlUnitOfWork(uow._sessions)

    def commit_another(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # A unit's BEGIN (on PostgreSQL with the acting user's SET LOCAL) is not the page.
        if statement.startswith("BEGIN") or not statement.lstrip().upper().startswith("SELECT") or sent:
            return
        sent.append(statement)
        with others.acting_as(ME):
            others.tasks.add(NewTask(title=f"committed meanwhile {len(sent)}"), AT)
            others.commit()

    event.listen(database.engine, "after_cursor_execute", commit_another)
    try:
        yield sent
    finally:
        event.remove(database.engine, "after_cursor_execute", commit_another)


def test_a_row_committed_between_the_page_and_its_count_is_in_neither(
    sql_uow: SqlUnitOfWork, clean_database: LiveDatabase
) -> None:
    with sql_uow.acting_as(ME):
        sql_uow.tasks.add_many(new_tasks(60), AT)
        sql_uow.commit()
    with committing_after_each_statement(clean_database, sql_uow) as sent, sql_uow.acting_as(ME).reading(snapshot=True):
        page = sql_uow.tasks.find(TaskQuery(page=PageRequest(limit=50)))
    assert len(sent) == 1  # the hook ran, after the page's statement, before the COUNT
    assert (len(page.items), page.total) == (50, 60)
    assert clean_database.count("tasks") == 61  # committed, and not counted


def test_without_a_snapshot_the_count_would_see_the_row_on_postgresql(
    sql_uow: SqlUnitOfWork, clean_database: LiveDatabase
) -> None:
    """Why the snapshot is asked for: the same hook in a plain reading unit.
    PostgreSQL serves it in autocommit (each statement its own snapshot) and a
    COUNT counts the row the page never saw; SQLite's reading unit is one
    transaction, one snapshot, asked or not."""
    with sql_uow.acting_as(ME):
        sql_uow.tasks.add_many(new_tasks(60), AT)
        sql_uow.commit()
    with committing_after_each_statement(clean_database, sql_uow) as sent, sql_uow.acting_as(ME).reading():
        session = sql_uow.tasks._session
        page = session.exec(select(TaskRow.id).order_by(col(TaskRow.id)).limit(50)).all()
        apart = session.exec(select(func.count()).select_from(TaskRow)).one()
    assert (len(sent), len(page)) == (1, 50)
    assert apart == (60 if clean_database.kind == "sqlite" else 61)


def test_a_page_that_needs_its_count_is_refused_without_a_snapshot_on_postgresql(
    sql_uow: SqlUnitOfWork, clean_database: LiveDatabase
) -> None:
    """The repository will not send a COUNT that could disagree with its page:
    a service that forgets `snapshot=True` fails in every test that pages, here
    and on the fakes (tests/unit/test_fake_database.py)."""
    with sql_uow.acting_as(ME):
        sql_uow.tasks.add_many(new_tasks(60), AT)
        sql_uow.commit()
    with sql_uow.acting_as(ME).reading():
        short = sql_uow.tasks.find(TaskQuery(page=PageRequest(skip=50, limit=50)))  # its length tells the total
        assert (len(short.items), short.total) == (10, 60)
        if clean_database.kind == "sqlite":
            assert sql_uow.tasks.find(TaskQuery(page=PageRequest(limit=50))).total == 60
        else:
            with pytest.raises(RuntimeError, match=r"reading\(snapshot=True\)"):
                sql_uow.tasks.find(TaskQuery(page=PageRequest(limit=50)))
