import anyio.to_thread
from fastapi import Request
from starlette.responses import Response

from api import metrics
from api.concurrency import database_calls
from api.dependencies import container_of
from api.problems import documented
from api.responses import JSON
from api.routing import api_router

router = api_router(tags=["operations"])

_OK = b'{"status":"ok"}'
_READY = b'{"status":"ok","database":"ok"}'


@router.get("/health", summary="Liveness: the process serves requests (never touches the database)")
async def health() -> Response:
    return Response(_OK, media_type=JSON)


@router.get("/ready", summary="Readiness: the database answers", responses=documented(503))
async def ready(request: Request) -> Response:
    probe = container_of(request).database_probe()
    await database_calls(request).run(probe.check)
    return Response(_READY, media_type=JSON)


@router.get(
    "/metrics",
    summary="Prometheus metrics: requests, latency, the database pool, units of work, conflicts",
    response_class=Response,
    responses={200: {"content": {metrics.CONTENT_TYPE: {"schema": {"type": "string"}}}, "description": "Metrics"}},
)
async def prometheus_metrics() -> Response:
    # Reading every worker's files is disk work: off the event loop.
    body = await anyio.to_thread.run_sync(metrics.exposition)
    return Response(body, media_type=metrics.CONTENT_TYPE)
