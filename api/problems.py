"""Every error as application/problem+json (RFC 9457), with the request id.

Handlers for the domain's errors, FastAPI's validation errors, Starlette's HTTP
errors (unknown path, wrong method, body too large) and, last, any other
exception, which says nothing but "Internal server error" to the client and
everything to the log.
"""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import compile_path

from api import logs, metrics
from api.middleware import BodyTooLarge, read_unused_body, request_id_of, route_of
from api.responses import PROBLEM_JSON, json_bytes
from domain.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    ReferenceViolation,
    Unavailable,
)

# What a 409 was about, for the conflicts metric.
_CONFLICT_KINDS: tuple[tuple[type[DomainError], str], ...] = (
    (AlreadyExists, "duplicate"),
    (ReferenceViolation, "still_referenced"),
)

RETRY_AFTER_SECONDS = "2"

_STATUS_OF: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidInput, 422),
    (NotFound, 404),
    (PreconditionFailed, 412),
    (Conflict, 409),
    (Unavailable, 503),
)


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """The body of every error response (documents the shape in OpenAPI)."""

    type: str = Field(examples=["about:blank"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["Task not found"])
    request_id: str = Field(examples=["3f2a9c0e5b7d4e1fa8c6b2d4e6f8a0c1"])
    errors: list[ValidationIssue] | None = Field(default=None, description="On 422 only: what is wrong, where")


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "request_id": request_id_of(request.scope),
    }
    if errors is not None:
        body["errors"] = errors
    return Response(json_bytes(body), status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status = next((code for kind, code in _STATUS_OF if isinstance(exc, kind)), 500)
    if status == 500:
        return await unexpected_error(request, exc)
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if status == 503 else None
    if status == 409:
        metrics.conflict(next((kind for cls, kind in _CONFLICT_KINDS if isinstance(exc, cls)), "other"))
    _log_error(request, status, type(exc).__name__, cause=exc.__cause__ if status == 503 else None)
    errors = None
    if isinstance(exc, InvalidInput):
        errors = [{"loc": ["body", exc.field], "msg": exc.detail, "type": exc.kind}]
    return problem_response(request, status, exc.detail, errors=errors, headers=headers)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # Only where and what: never the input back (it may be huge, or a secret).
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    _log_error(request, 422, "RequestValidationError", fields=[".".join(map(str, e["loc"])) for e in errors])
    return problem_response(request, 422, _validation_detail(errors), errors=errors)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:  # no route
        try:
            await read_unused_body(request)
        except BodyTooLarge as too_large:
            exc = too_large
    _log_error(request, exc.status_code, HTTPStatus(exc.status_code).phrase)
    if exc.status_code == 404:
        return problem_response(request, 404, "There is no resource at this path")
    if exc.status_code == 405:
        allow = documented_methods(request) or (exc.headers or {}).get("Allow", "")
        return problem_response(request, 405, f"{request.method} is not allowed here", headers={"Allow": allow})
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem_response(request, exc.status_code, detail, headers=exc.headers)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    request_id = request_id_of(request.scope)
    logs.ERRORS.error(
        "unhandled error request_id=%s %s %s",
        request_id,
        request.method,
        route_of(request.scope),
        exc_info=exc,
        extra={"request_id": request_id, "status": 500, "error": type(exc).__name__},
    )
    # ServerErrorMiddleware sends this outside the request id middleware.
    return problem_response(request, 500, "Internal server error", headers={"X-Request-ID": request_id})


def _log_error(
    request: Request, status: int, kind: str, *, cause: BaseException | None = None, fields: list[str] | None = None
) -> None:
    """A line for an error answer: its kind, never its detail (which may quote
    the request). A 503 names the database failure behind it, by type only."""
    extra: dict[str, Any] = {
        "request_id": request_id_of(request.scope),
        "status": status,
        "error": kind,
        "route": route_of(request.scope),
    }
    if cause is not None:
        extra["cause"] = type(cause).__name__
    if fields:
        extra["fields"] = fields
    level = logging.WARNING if status >= 500 else logging.INFO
    logs.ERRORS.log(level, "%d %s", status, kind, extra=extra)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)


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


def documented_methods(request: Request) -> str:
    """The methods that the OpenAPI document lists for the request's path, as an
    Allow header ("" for a path it does not describe). Where several templates
    match (/tasks/bulk is also /tasks/{task_id}), the one with the fewest
    parameters is the path's, as routing tries the literal one first."""
    path = request.url.path
    matches: list[tuple[int, list[str]]] = []
    for template, operations in request.app.openapi()["paths"].items():
        regex, _, convertors = compile_path(template)
        if regex.match(path):
            matches.append((len(convertors), [method.upper() for method in operations]))
    if not matches:
        return ""
    fewest = min(count for count, _ in matches)
    methods = {method for count, found in matches if count == fewest for method in found}
    return ", ".join(method for method in _METHODS if method in methods)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses a route can return."""
    return {
        status: {"model": Problem, "description": HTTPStatus(status).description, "content": {PROBLEM_JSON: {}}}
        for status in statuses
    }
