"""How routers reach the container.

Routes call the container's providers themselves (`container_of(request)
.task_service()`), not through FastAPI's `Depends`: solving a dependency costs
~50 us per request, and dependency-injector's `Provide[...]` marker, a plain
callable, would even run on a worker thread (a thread hop per request).
"""

from typing import cast

from fastapi import Request

from api.container import Container


def container_of(request: Request) -> Container:
    return cast(Container, request.app.state.container)
