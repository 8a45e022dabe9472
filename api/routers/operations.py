from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from api.concurrency import run_blocking
from api.dependencies import container_of
from api.problems import Problem
from api.responses import JSON
from api.routing import api_router
from infrastructure.database import DatabaseProbe

router = api_router(tags=["operations"])

_OK = b'{"status":"ok"}'
_READY = b'{"status":"ok","database":"ok"}'


async def database_probe(request: Request) -> DatabaseProbe:
    return container_of(request).database_probe()


@router.get("/health", summary="Liveness: the process serves requests (never touches the database)")
async def health() -> Response:
    return Response(_OK, media_type=JSON)


@router.get(
    "/ready",
    summary="Readiness: the database answers",
    responses={503: {"model": Problem, "description": "The database cannot be reached"}},
)
async def ready(probe: Annotated[DatabaseProbe, Depends(database_probe)]) -> Response:
    await run_blocking(probe.check)
    return Response(_READY, media_type=JSON)
