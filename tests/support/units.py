"""Units of work with one SQL repository put in place of its production class,
as a test plants a slow, failing or racing repository."""

from dependency_injector import providers
from sqlmodel import Session

from api.container import Container
from api.metrics import UNITS_OF_WORK
from domain.users.model import Actor
from infrastructure.repositories.tasks import SqlTaskRepository
from infrastructure.unit_of_work import SqlUnitOfWork


def units_with_tasks(repository: type[SqlTaskRepository]) -> type[SqlUnitOfWork]:
    """SqlUnitOfWork whose `tasks` is `repository`, a subclass of the SQL one."""

    class WithTasks(SqlUnitOfWork):
        def _bind(self, session: Session, actor: Actor | None) -> None:
            super()._bind(session, actor)
            self.tasks = repository(session, actor)

    return WithTasks


def use_tasks(container: Container, repository: type[SqlTaskRepository]) -> Container:
    """`container`, whose units of work use `repository` for tasks."""
    container.unit_of_work.override(
        providers.Factory(
            units_with_tasks(repository), sessions=container.sessions, observer=providers.Object(UNITS_OF_WORK)
        )
    )
    return container
