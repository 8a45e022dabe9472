"""Routers whose requests parse JSON with orjson.

orjson is several times faster than the json module, and it refuses what a
careful API should refuse as malformed JSON (422): nesting deeper than 1,024
levels (json.loads would hit Python's recursion limit and FastAPI would answer
400), numbers that overflow a double, lone surrogates, invalid UTF-8. This is
FastAPI's documented extension point for it: a Request subclass, handed to the
route's handler by a custom APIRoute. Every router of this app is made with
`api_router`.
"""

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response


class OrjsonRequest(Request):
    async def json(self) -> Any:
        # FastAPI reads the body once; orjson.JSONDecodeError is a
        # json.JSONDecodeError, which FastAPI answers with 422.
        return orjson.loads(await self.body())


class OrjsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            return await handler(OrjsonRequest(request.scope, request.receive))

        return handle


def api_router(**kwargs: Any) -> APIRouter:
    # A body without Content-Type is read as JSON (the contract is JSON in); one
    # that declares another type is still refused with 422.
    return APIRouter(route_class=OrjsonRoute, strict_content_type=False, **kwargs)
