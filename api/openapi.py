"""The OpenAPI document: what each route answers, with its headers and links,
and every error as problem+json.

Routes declare their success answers with `answer(...)` (the headers they carry,
the links a client can follow from them) and their errors with
`problems.documented(...)`. FastAPI documents error responses as
application/json, and its own 422 with a schema we never send; the document is
then rewritten so that each error response is application/problem+json with the
Problem schema and an example, every response names X-Request-ID, and every
operation lists the 413 and 500 that any request can meet.
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from api.responses import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The id of this request: the caller's own when sane, otherwise a new one",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"},
    },
    "Location": {"description": "Where the created resource is", "required": True, "schema": {"type": "string"}},
    "ETag": {
        "description": 'The task\'s version, quoted: "3"',
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
    },
    "X-Total-Count": {
        "description": "How many rows match, over all pages",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
    "Link": {
        "description": 'RFC 8288 links to the next and previous pages (rel="next", rel="prev"), where they exist',
        "required": False,
        "schema": {"type": "string"},
    },
    "Retry-After": {"description": "Seconds to wait before retrying", "required": True, "schema": {"type": "integer"}},
}

_DETAILS = {
    404: "Task not found",
    409: "A task titled 'Write the report' already exists",
    412: "The task is at version 3, not the one given in If-Match",
    413: "The request body is larger than 1 MiB",
    422: "The request body is not valid: see errors",
    500: "Internal server error",
    503: "The database cannot be reached",
}


def answer(status: int, *headers: str, links: Mapping[str, Any] | None = None) -> dict[int | str, dict[str, Any]]:
    """A success response's headers (by name, from HEADERS) and links, for a
    route's `responses`."""
    documented: dict[str, Any] = {"headers": {name: HEADERS[name] for name in headers}}
    if links:
        documented["links"] = dict(links)
    return {status: documented}


def link(
    operation_id: str, *, parameters: Mapping[str, str] | None = None, body: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """An OpenAPI link to `operation_id`, its parameters (and request body fields)
    taken from the response: `link("get_task", parameters={"task_id": CREATED_ID})`."""
    target: dict[str, Any] = {"operationId": operation_id}
    if parameters:
        target["parameters"] = dict(parameters)
    if body:
        target["requestBody"] = dict(body)
    return target


def links_to(*operation_ids: str, **parameters: str) -> dict[str, Any]:
    """Links to each of `operation_ids`, all taking the same parameters, named
    after the operation: `links_to("get_post", post_id=CREATED_ID)` is
    {"GetPost": link("get_post", parameters={"post_id": CREATED_ID})}."""
    return {name.title().replace("_", ""): link(name, parameters=parameters) for name in operation_ids}


# Where a created resource's id is in the answer to its POST.
CREATED_ID = "$response.body#/id"


def operation_id(route: APIRoute) -> str:
    """Operation ids are the route functions' names: `create_task`, not FastAPI's
    `create_task_tasks_post`, so a generated client reads as the API does."""
    return route.name


def example(status: int) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": _DETAILS.get(status, HTTPStatus(status).description),
        "request_id": "3f2a9c0e5b7d4e1fa8c6b2d4e6f8a0c1",
    }
    if status == 422:
        problem["errors"] = [{"loc": ["body", "title"], "msg": "Field required", "type": "missing"}]
    return problem


class DocumentedAPI(FastAPI):
    """FastAPI, whose document is then rewritten once (see the module's
    docstring) and cached as FastAPI caches its own."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is not None:
            return self.openapi_schema
        document = super().openapi()  # cached as openapi_schema: rewritten in place
        for path in document.get("paths", {}).values():
            for operation in path.values():
                _rewrite(operation["responses"])
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        return document


def _rewrite(responses: dict[str, Any]) -> None:
    # Any request can meet these two: a body over 1 MiB (even where none is
    # used), and a bug.
    responses.setdefault("413", {"description": HTTPStatus(413).phrase})
    responses.setdefault("500", {"description": HTTPStatus(500).phrase})
    for code, response in responses.items():
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = HEADERS["X-Request-ID"]
        if not code.isdigit() or int(code) < 400:
            continue
        status = int(code)
        response["description"] = response.get("description") or HTTPStatus(status).phrase
        if response["description"] == "Validation Error":
            response["description"] = "The request is not valid: see errors"
        response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": example(status)}}
        if status == 503:
            headers["Retry-After"] = HEADERS["Retry-After"]
