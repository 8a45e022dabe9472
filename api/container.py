"""The composition root: the one place that decides which implementation serves
which interface. Routers ask it for services; tests override its providers."""

from dependency_injector import containers, providers

from api.metrics import timed_connect, unit_of_work_ended
from domain.authors.repository import AuthorRepository
from domain.authors.service import AuthorService
from domain.posts.repository import PostRepository
from domain.posts.service import PostService
from domain.tasks.repository import TaskRepository
from domain.tasks.service import TaskService
from infrastructure.database import DatabaseProbe, engine_resource
from infrastructure.repositories.authors import SqlAuthorRepository
from infrastructure.repositories.posts import SqlPostRepository
from infrastructure.repositories.tasks import SqlTaskRepository
from infrastructure.settings import Settings
from infrastructure.unit_of_work import SqlUnitOfWork


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)

    # Built once per process (at startup), disposed at shutdown.
    engine = providers.Resource(engine_resource, settings=settings)

    # How a unit of work gets its connection, timed for the pool metrics (tests
    # replace it to watch connections).
    connect = providers.Callable(timed_connect, engine.provided.connect)

    # Domain repository interface -> its SQL implementation (one line per aggregate).
    repositories = providers.Object(
        {
            TaskRepository: SqlTaskRepository,
            AuthorRepository: SqlAuthorRepository,
            PostRepository: SqlPostRepository,
        }
    )

    # A fresh unit of work, and service around it, for every request.
    unit_of_work = providers.Factory(
        SqlUnitOfWork, connect=connect, repositories=repositories, on_end=providers.Object(unit_of_work_ended)
    )

    task_service = providers.Factory(TaskService, uow=unit_of_work)
    author_service = providers.Factory(AuthorService, uow=unit_of_work)
    post_service = providers.Factory(PostService, uow=unit_of_work)

    database_probe = providers.Factory(DatabaseProbe, engine=engine)
