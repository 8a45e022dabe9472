"""How an exception becomes an answer: application/problem+json (RFC 9457),
with the request id. This module decides it, for every exception, and nothing
else: the app's exception handlers and api/precedence.py both call `respond`.

- a domain error: the status its kind means (`STATUS_OF`), its detail;
- FastAPI's validation error: 422 with where and what (never the input back);
- Starlette's HTTP errors (no route, 405, 413): their status, their headers;
- anything else: a bare 500 that says "Internal server error" to the client and
  everything, stack included, to the log under the request id.
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api import logs, metrics
from api.middleware import request_id_of, route_of
from api.responses import PROBLEM_JSON, json_bytes
from domain.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    ReferenceViolation,
    Throttled,
    Unauthenticated,
    Unavailable,
)

RETRY_AFTER_SECONDS = "2"

STATUS_OF: tuple[tuple[type[DomainError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (Throttled, 429),
    (InvalidInput, 422),
    (NotFound, 404),
    (PreconditionFailed, 412),
    (Conflict, 409),
    (Unavailable, 503),
)
"""The status each kind of domain error answers; the first kind that matches wins."""

# What a 409 was about, for the conflicts metric.
_CONFLICT_KINDS: tuple[tuple[type[DomainError], str], ...] = (
    (AlreadyExists, "duplicate"),
    (ReferenceViolation, "still_referenced"),
)


def status_of(error: DomainError) -> int:
    return next((status for kind, status in STATUS_OF if isinstance(error, kind)), 500)


def problem(status: int, detail: str, request_id: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The body of a problem answer."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "request_id": request_id,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def body_of(error: Exception, request_id: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    """The status, problem body and headers that `error` is answered with: what
    `respond` sends, and what the OpenAPI document shows as an example."""
    if isinstance(error, DomainError):
        status = status_of(error)
        if status == 500:
            return _internal(request_id)
        errors = None
        if isinstance(error, InvalidInput):
            errors = [{"loc": ["body", error.field], "msg": error.detail, "type": error.kind}]
        return status, problem(status, error.detail, request_id, errors), _headers_of(error, status)
    if isinstance(error, RequestValidationError):
        # Only where and what: never the input back (it may be huge, or a secret).
        issues = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
        return 422, problem(422, _validation_detail(issues), request_id, issues), {}
    if isinstance(error, HTTPException):
        status = error.status_code
        if status == 404:
            detail = "There is no resource at this path"
        else:
            detail = error.detail if isinstance(error.detail, str) else HTTPStatus(status).phrase
        return status, problem(status, detail, request_id), dict(error.headers or {})
    return _internal(request_id)


async def respond(request: Request, error: Exception) -> Response:
    """The answer to `error`, logged as its kind says (never its detail, which
    may quote the request)."""
    request_id = request_id_of(request.scope)
    status, body, headers = body_of(error, request_id)
    route = route_of(request.scope)
    if status == 500:
        logs.unhandled_error(request.method, route, request_id, error)
        # ServerErrorMiddleware sends this outside the request id middleware.
        headers = {**headers, "X-Request-ID": request_id}
    else:
        if status == 409:
            kind = next((name for kind, name in _CONFLICT_KINDS if isinstance(error, kind)), "other")
            metrics.conflict(kind)
        fields = [".".join(map(str, e["loc"])) for e in body.get("errors", ())] if status == 422 else None
        cause = error.__cause__ if status == 503 else None
        logs.error_line(status, _kind(error, status), route, request_id, cause=cause, fields=fields)
    return _response(body, status, headers)


def install(app: FastAPI) -> None:
    """Every exception the app lets out of a route goes through `respond`."""
    for kind in (DomainError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(kind, respond)


def _response(body: dict[str, Any], status: int, headers: Mapping[str, str]) -> Response:
    return Response(json_bytes(body), status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _headers_of(error: DomainError, status: int) -> dict[str, str]:
    if isinstance(error, Throttled):
        return {"Retry-After": str(error.retry_after)}
    if status == 503:
        return {"Retry-After": RETRY_AFTER_SECONDS}
    if status == 401:  # RFC 6750: the scheme a client should use
        return {"WWW-Authenticate": "Bearer"}
    return {}


def _internal(request_id: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    return 500, problem(500, "Internal server error", request_id), {}


def _kind(error: Exception, status: int) -> str:
    if isinstance(error, HTTPException):
        return HTTPStatus(status).phrase
    return type(error).__name__


def _validation_detail(errors: list[dict[str, Any]]) -> str:
    if any(e["type"] == "json_invalid" for e in errors):
        return "The request body is not valid JSON"
    places = {str(e["loc"][0]) for e in errors if e["loc"]}
    if places == {"path"}:
        return "The path is not valid: see errors"
    if places == {"query"}:
        return "A query parameter is not valid: see errors"
    if places == {"body"}:
        return "The request body is not valid: see errors"
    return "The request is not valid: see errors"
