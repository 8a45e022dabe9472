"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from api import logs, metrics, problems
from api.container import Container
from api.middleware import RequestContextMiddleware
from api.openapi import DocumentedAPI, operation_id
from api.precedence import MAX_BODY_BYTES, Precedence
from api.routers import authors, comments, operations, posts, tasks, users
from domain.users.model import Actor


def create_app(container: Container | None = None) -> FastAPI:
    """A new app around `container` (a fresh one by default).

    Tests pass a container whose providers they have overridden.
    """
    container = container or Container()
    settings = container.settings()

    # Now, not at startup: the server's own lines that follow take the same form.
    logs.configure(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Routes that reach the database run on FastAPI's thread pool (AnyIO's
        # default limiter), each holding one pooled connection at most. As many
        # threads as pooled connections: a burst queues for a thread instead of
        # timing out in the pool (tests/api/test_pinned_behaviour.py shows both).
        # Starlette's documented way to size that pool; process-wide, set here only.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
        container.init_resources()
        metrics.watch_pool(container.engine())
        try:
            yield
        finally:
            # uvicorn calls this after the requests in flight have been answered.
            container.shutdown_resources()
            metrics.worker_exiting()
            logs.SERVER.info("stopped: requests answered, database pool closed")

    app = DocumentedAPI(
        title="Tasks",
        version="1.0.0",
        description="Task tracking over HTTP. Errors are application/problem+json (RFC 9457).",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # FastAPI's native OpenTelemetry asks the global providers on every
        # request whether it is configured; the service's own request log and
        # Prometheus metrics (api/logs.py, api/metrics.py) are what it reports.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.container = container
    problems.install(app)
    # Added last = outermost: the request id exists before anything can fail, and
    # the request line times everything within.
    authenticator = container.authenticator

    async def authenticate(authorization: bytes | None) -> Actor:
        return await authenticator()(authorization)

    app.add_middleware(Precedence, router=app.router, max_bytes=MAX_BODY_BYTES, authenticate=authenticate)
    # A read whose replica failed under it is answered again: only with replicas.
    routing = container.routing
    app.add_middleware(RequestContextMiddleware, retry_reads=lambda: routing() is not None)
    app.include_router(operations.router)
    app.include_router(tasks.router)
    app.include_router(authors.router)
    app.include_router(posts.router)
    app.include_router(comments.router)
    app.include_router(users.router)
    return app
