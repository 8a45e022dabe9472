"""The composition root: the one place that decides which implementation serves
which interface. Routers ask it for services; tests override its providers."""

from dependency_injector import containers, providers

from api.metrics import READS, UNITS_OF_WORK
from api.security import Authenticator
from domain.authors.service import AuthorService
from domain.comments.service import CommentService
from domain.posts.service import PostService
from domain.tasks.service import TaskService
from domain.users.service import UserService
from infrastructure.database import DatabaseProbe, engine_resource, routing_resource
from infrastructure.passwords import Argon2Hasher
from infrastructure.settings import Settings
from infrastructure.tokens import tokens_from
from infrastructure.unit_of_work import SqlUnitOfWork, session_factory


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)

    # Built once per process (at startup), disposed at shutdown.
    engine = providers.Resource(engine_resource, settings=settings)

    # Replicas for reads (DATABASE_REPLICA_URLS), their monitor running; None without.
    routing = providers.Resource(routing_resource, settings=settings, primary=engine, observer=providers.Object(READS))

    # The SQLModel Sessions that units of work own (one each).
    sessions = providers.Singleton(session_factory, engine)

    # A fresh unit of work, and service around it, for every request.
    unit_of_work = providers.Factory(
        SqlUnitOfWork, sessions=sessions, observer=providers.Object(UNITS_OF_WORK), routing=routing
    )

    task_service = providers.Factory(TaskService, uow=unit_of_work)
    author_service = providers.Factory(AuthorService, uow=unit_of_work)
    post_service = providers.Factory(PostService, uow=unit_of_work)
    comment_service = providers.Factory(CommentService, uow=unit_of_work)

    database_probe = providers.Factory(DatabaseProbe, engine=engine, routing=routing)

    # Signing secrets are read (or made) once per process; tests put a cheaper
    # hasher in place of Argon2id's recommended parameters.
    tokens = providers.Singleton(tokens_from, settings)
    password_hasher = providers.Singleton(Argon2Hasher)
    user_service = providers.Factory(UserService, uow=unit_of_work, hasher=password_hasher)
    authenticator = providers.Singleton(
        Authenticator,
        tokens=tokens,
        users=user_service.provider,
        trust_seconds=settings.provided.auth_user_check_seconds,
    )
