"""Building responses: the route's declared response model serialises the reply.

A route declares what it answers (`response_model=Task`, which FastAPI puts in
the OpenAPI document) and returns `reply(request, task)`: the bytes come from
pydantic's serializer of that same model (`TypeAdapter(Task).dump_json`), looked
up from the route serving the request, so the document and the body cannot
differ. The value is validated against the model first, as FastAPI would (an
instance of the model's own dataclass passes through at no cost).

Why the route returns a Response instead of the value: for a plain `def` route,
FastAPI validates a returned value on its thread pool, a second hand-off
between the event loop and a worker thread per request; here serialising
happens on the worker thread that ran the route (README, "Speed", has the
measurement that keeps this).
"""

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import orjson
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"


def json_bytes(content: Any) -> bytes:
    """Bytes of plain JSON data (problems, operations): no model to follow."""
    # OPT_UTC_Z: UTC timestamps end in "Z"; every stored timestamp is UTC.
    return orjson.dumps(content, option=orjson.OPT_UTC_Z)


def reply(
    request: Request, content: Any, *, headers: Mapping[str, str] | None = None, status_code: int | None = None
) -> Response:
    """`content` as the serving route's response model writes it, with the
    route's status code unless another is given."""
    route: APIRoute = request.scope["route"]
    if route.response_model is None:
        raise TypeError(f"{route.path}: declare response_model to reply with a body")
    body = serializer(route.response_model)(content)
    return Response(body, status_code=status_code or route.status_code or 200, headers=headers, media_type=JSON)


@cache
def serializer(model: Any) -> Callable[[Any], bytes]:
    """The bytes of `content` as `model` writes them, validated against it first."""
    adapter: TypeAdapter[Any] = TypeAdapter(model)

    def serialise(content: Any) -> bytes:
        return adapter.dump_json(adapter.validate_python(content))

    return serialise
