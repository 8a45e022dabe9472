"""Liveness, readiness and metrics."""

import json

from starlette.responses import Response

from api import metrics
from api.dependencies import Probe
from api.openapi import errors
from api.responses import JSON
from api.routing import api_router

router = api_router(tags=["operations"])


_OK = b'{"status":"ok"}'
_READY = b'{"status":"ok","database":"ok"}'


@router.get("/health", summary="Liveness: the process serves requests (never touches the database)")
async def health() -> Response:
    # async, the one route that is: it never blocks, so it answers from the event
    # loop even while every worker thread waits on the database.
    return Response(_OK, media_type=JSON)


@router.get("/ready", summary="Readiness: the database answers", responses=errors(503))
def ready(probe: Probe) -> Response:
    probe.check()
    replicas = probe.replicas()
    if not replicas:
        return Response(_READY, media_type=JSON)
    # With DATABASE_REPLICA_URLS: each replica as this worker's monitor last
    # saw it. A replica that is down does not make the service unready: its
    # reads go to the primary.
    body = {
        "status": "ok",
        "database": "ok",
        "replicas": [
            {"name": state.name, "reachable": state.reachable, "lag_seconds": state.lag_seconds} for state in replicas
        ],
    }
    return Response(json.dumps(body, separators=(",", ":")), media_type=JSON)


@router.get(
    "/metrics",
    summary="Prometheus metrics: requests, latency, the database pool, units of work, conflicts",
    response_class=Response,
    responses={200: {"content": {metrics.CONTENT_TYPE: {"schema": {"type": "string"}}}, "description": "Metrics"}},
)
def get_metrics() -> Response:
    # Reads every worker's files (multiprocess mode): disk work, on a thread.
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)
