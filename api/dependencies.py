"""How routes get their services: as parameters, through FastAPI's dependency
system, from the container of the app that serves the request.

    Tasks = Annotated[TaskService, from_container(lambda container: container.task_service())]

    @router.get("/tasks/{task_id}")
    def get_task(task_id: Id, tasks: Tasks) -> Response: ...

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
from typing import Any, TypeVar, cast

from fastapi import Depends, Request

from api.container import Container

T = TypeVar("T")


def container_of(request: Request) -> Container:
    return cast(Container, request.app.state.container)


def from_container(provide: Callable[[Container], T]) -> Any:
    """A dependency on what `provide` makes from the app's container."""

    async def dependency(request: Request) -> T:
        return provide(container_of(request))

    return Depends(dependency)
