"""What a row stores for a status or a priority does not depend on where the
member sits in its class: a member added between two others (here, in the
test: "blocked" before "done") leaves every stored row meaning what it meant,
and sorting by meaning puts the new member where the class lists it."""

from datetime import UTC, datetime

from sqlalchemy import literal, select, type_coerce

from domain.ranked import RankedEnum
from domain.tasks.model import NewTask, Status
from infrastructure.repositories.base import by_meaning
from infrastructure.tables import metadata
from infrastructure.tables.columns import by_value
from infrastructure.unit_of_work import SqlUnitOfWork
from tests.fakes.unit_of_work import ME
from tests.support.databases import LiveDatabase

AT = datetime(2026, 1, 1, tzinfo=UTC)


class Widened(RankedEnum):
    """Status as it would read with one more member, inserted before DONE."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"


def test_a_member_added_in_the_middle_changes_no_stored_row(
    sql_uow: SqlUnitOfWork, clean_database: LiveDatabase
) -> None:
    with sql_uow.acting_as(ME):
        stored = sql_uow.tasks.add_many(
            [
                NewTask(title=f"{status.value} task", status=status)
                for status in (Status.DONE, Status.TODO, Status.IN_PROGRESS)
            ],
            AT,
        )
        sql_uow.commit()
    tasks = metadata.tables["tasks"]
    status = type_coerce(tasks.c.status, by_value(Widened, "status"))
    with clean_database.engine.connect() as connection:
        read: dict[int, str] = dict(connection.execute(select(tasks.c.id, status)).all())
        in_order = [
            member for (member,) in connection.execute(select(status).order_by(by_meaning(tasks.c.status, Widened)))
        ]
    # Each row reads as the member of the same name, in the widened class too.
    assert all(isinstance(member, Widened) for member in [*read.values(), *in_order])
    assert {task_id: Widened(member).name for task_id, member in read.items()} == {
        task.id: task.status.name for task in stored
    }
    assert in_order == ["todo", "in_progress", "done"]
    # What storing the position would have done: the old "done" (2) is now "blocked".
    assert list(Widened)[Status.DONE.rank] is Widened.BLOCKED


def test_sorting_by_meaning_places_a_new_member_where_the_class_lists_it(clean_database: LiveDatabase) -> None:
    with clean_database.engine.connect() as connection:
        ranks = [connection.execute(select(by_meaning(literal(m.value), Widened))).scalar_one() for m in Widened]
    assert ranks == [0, 1, 2, 3]
