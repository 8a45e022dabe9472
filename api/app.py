"""The application factory."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from api import logs, metrics, problems
from api.concurrency import DatabaseCalls
from api.container import Container
from api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from api.openapi import with_problem_responses
from api.routers import authors, comments, operations, posts, tasks
from api.routing import include_routes

MAX_BODY_BYTES = 1024 * 1024


def create_app(container: Container | None = None) -> FastAPI:
    """A new app around `container` (a fresh one by default).

    Tests pass a container whose providers they have overridden.
    """
    container = container or Container()
    settings = container.settings()
    calls = DatabaseCalls(sqlite=settings.is_sqlite, pool_size=settings.db_pool_size)

    # Now, not at startup: the server's own lines that follow take the same form.
    logs.configure(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Each worker thread holds one pooled connection at most: no more threads
        # than connections means none waits for one (see DatabaseCalls).
        anyio.to_thread.current_default_thread_limiter().total_tokens = calls.thread_limit
        container.init_resources()
        metrics.watch_pool(container.engine())
        # What exists now (modules, routes, compiled schemas) lives as long as the
        # process: keep it out of the garbage collector's full passes, which would
        # otherwise walk it again and again under load.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            # uvicorn calls this after the requests in flight have been answered.
            container.shutdown_resources()
            metrics.worker_exiting()
            logs.SERVER.info("stopped: requests answered, database pool closed")
            # uvicorn then re-raises the stop signal, and the process ends without
            # running exit handlers: write the waiting log lines now.
            logs.flush()

    app = FastAPI(
        title="Tasks",
        version="1.0.0",
        description="Task tracking over HTTP. Errors are application/problem+json (RFC 9457).",
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.database_calls = calls
    problems.install(app)
    # Added last = outermost: the request id exists before anything can fail, and
    # the request line times everything within.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(RequestContextMiddleware)
    include_routes(app, operations.router)
    include_routes(app, tasks.router)
    include_routes(app, authors.router)
    include_routes(app, posts.router)
    include_routes(app, comments.router)
    with_problem_responses(app)
    return app
