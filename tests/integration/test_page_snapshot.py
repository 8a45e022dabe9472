"""A page and its total come from one snapshot: a row committed by someone else
while the page is read shows in both or in neither (X-Total-Count never
disagrees with the page it came with). The hook commits a row from another
connection right after the page's statement, where a separate COUNT would run."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func
from sqlmodel import select

from domain.pages import PageRequest
from domain.tasks.model import NewTask, TaskQuery
from infrastructure.tables.tasks import TaskRow
from infrastructure.unit_of_work import SqlUnitOfWork
from tests.factories.tasks import AT, new_tasks
from tests.support.databases import LiveDatabase


@contextmanager
def committing_after_each_statement(database: LiveDatabase, uow: SqlUnitOfWork) -> Iterator[list[str]]:
    """After each statement the unit sends, another unit commits a new task."""
    sent: list[str] = []
    others = SqlUnitOfWork(uow._sessions)

    def commit_another(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("BEGIN") or not statement.lstrip().upper().startswith("SELECT") or sent:
            return
        sent.append(statement)
        with others:
            others.tasks.add(NewTask(title=f"committed meanwhile {len(sent)}"), AT)
            others.commit()

    event.listen(database.engine, "after_cursor_execute", commit_another)
    try:
        yield sent
    finally:
        event.remove(database.engine, "after_cursor_execute", commit_another)


def test_a_row_committed_after_the_page_is_in_neither_the_page_nor_the_total(
    sql_uow: SqlUnitOfWork, clean_database: LiveDatabase
) -> None:
    with sql_uow:
        sql_uow.tasks.add_many(new_tasks(60), AT)
        sql_uow.commit()
    with committing_after_each_statement(clean_database, sql_uow) as sent, sql_uow.reading():
        page = sql_uow.tasks.find(TaskQuery(page=PageRequest(limit=50)))
    assert len(sent) == 1  # the hook ran, after the one statement of the page
    assert (len(page.items), page.total) == (50, 60)
    assert clean_database.count("tasks") == 61  # committed, and not counted


def test_the_control_a_count_of_its_own_would_see_the_row_on_postgresql(
    sql_uow: SqlUnitOfWork, clean_database: LiveDatabase
) -> None:
    """Why the total rides in the page's statement: the same hook, with the COUNT
    sent apart as it used to be. PostgreSQL reads without a transaction (each
    statement its own snapshot) and counts the row the page never saw; SQLite's
    reading unit is one transaction, one snapshot."""
    with sql_uow:
        sql_uow.tasks.add_many(new_tasks(60), AT)
        sql_uow.commit()
    with committing_after_each_statement(clean_database, sql_uow), sql_uow.reading():
        page = sql_uow.tasks.find(TaskQuery(page=PageRequest(limit=50)))
        apart = sql_uow.tasks._session.exec(select(func.count()).select_from(TaskRow)).one()
    assert page.total == 60
    assert apart == (60 if clean_database.kind == "sqlite" else 61)
