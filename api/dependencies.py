"""How routers reach the container.

Routers declare their services as `async def` dependencies that call the
container's providers. Async on purpose: FastAPI runs a plain `def` dependency
(and dependency-injector's `Provide[...]` marker is one) on a worker thread, a
thread hop per request for what is a few microseconds of work.
"""

from typing import cast

from fastapi import Request

from api.container import Container


def container_of(request: Request) -> Container:
    return cast(Container, request.app.state.container)
