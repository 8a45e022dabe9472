"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from api import problems
from api.container import Container
from api.middleware import BodySizeLimitMiddleware, RequestIdMiddleware
from api.routers import authors, operations, posts, tasks

MAX_BODY_BYTES = 1024 * 1024


def create_app(container: Container | None = None) -> FastAPI:
    """A new app around `container` (a fresh one by default).

    Tests pass a container whose providers they have overridden.
    """
    container = container or Container()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Database work runs on worker threads, one pooled connection each at most;
        # no more threads than pooled connections means none waits for one.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = container.settings().db_threads
        container.init_resources()
        try:
            yield
        finally:
            container.shutdown_resources()

    app = FastAPI(
        title="Tasks",
        version="1.0.0",
        description="Task tracking over HTTP. Errors are application/problem+json (RFC 9457).",
        lifespan=lifespan,
        # A body without Content-Type is read as JSON (the contract is JSON in);
        # one that declares another type is still refused with 422.
        strict_content_type=False,
    )
    app.state.container = container
    problems.install(app)
    # Added last = outermost: the request id exists before anything can fail.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(operations.router)
    app.include_router(tasks.router)
    app.include_router(authors.router)
    app.include_router(posts.router)
    return app
