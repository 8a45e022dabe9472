"""Building responses: JSON bytes straight from domain objects.

Domain entities are dataclasses, which orjson serialises natively, so a response
costs one C call instead of a pydantic validation pass plus an encoder walk.
"""

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"


def json_bytes(content: Any) -> bytes:
    # OPT_UTC_Z: UTC timestamps end in "Z"; every stored timestamp is UTC.
    return orjson.dumps(content, option=orjson.OPT_UTC_Z)


def json_response(content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json_bytes(content), status_code=status_code, headers=headers, media_type=JSON)
