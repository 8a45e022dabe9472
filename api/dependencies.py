"""How routes get their services: as parameters, through FastAPI's dependency
system, from the container of the app that serves the request. Every route's
dependencies are declared here, once, as `Annotated` types:

    @router.get("/tasks/{task_id}")
    def get_task(task_id: Id, tasks: Tasks) -> ...: ...

The dependency asks `request.app.state.container`, the app's own: each app (and
each test's app) has its container, whose providers tests override. Not
dependency-injector's `@inject` + `Provide[...]` wiring: wiring patches modules
for one container at a time, process-wide, while tests build many apps side by
side; and its marker is a plain callable, which FastAPI would run on a worker
thread (a thread hand-off per request, to build an object). The dependency here
is `async`: it builds the service on the event loop, where building costs no
I/O (the unit of work connects only when the service opens it).
"""

from collections.abc import Callable
from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Request

from api.container import Container
from domain.authors.service import AuthorService
from domain.comments.service import CommentService
from domain.posts.service import PostService
from domain.tasks.service import TaskService
from domain.users.service import UserService
from infrastructure.database import DatabaseProbe
from infrastructure.tokens import Tokens

T = TypeVar("T")


def container_of(request: Request) -> Container:
    return cast(Container, request.app.state.container)


def from_container(provide: Callable[[Container], T]) -> Any:
    """A dependency on what `provide` makes from the app's container."""

    async def dependency(request: Request) -> T:
        return provide(container_of(request))

    return Depends(dependency)


Tasks = Annotated[TaskService, from_container(lambda container: container.task_service())]
Authors = Annotated[AuthorService, from_container(lambda container: container.author_service())]
Posts = Annotated[PostService, from_container(lambda container: container.post_service())]
Comments = Annotated[CommentService, from_container(lambda container: container.comment_service())]
Probe = Annotated[DatabaseProbe, from_container(lambda container: container.database_probe())]
Users = Annotated[UserService, from_container(lambda container: container.user_service())]
TokenIssuer = Annotated[Tokens, from_container(lambda container: container.tokens())]
