"""The OpenAPI document: every error a route can answer, as problem+json.

FastAPI documents error responses as application/json, and its own 422 with a
schema we never send; this rewrites each error response of every operation to
application/problem+json with the Problem schema and an example, and adds the
500 that any route can answer.
"""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.responses import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

_DETAILS = {
    404: "Task not found",
    409: "A task titled 'Write the report' already exists",
    412: "The task is at version 3, not the one given in If-Match",
    413: "The request body is larger than 1 MiB",
    422: "The request body is not valid: see errors",
    500: "Internal server error",
    503: "The database cannot be reached",
}


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


def with_problem_responses(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for path in document.get("paths", {}).values():
                for operation in path.values():
                    _rewrite(operation["responses"])
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _rewrite(responses: dict[str, Any]) -> None:
    responses.setdefault("500", {"description": HTTPStatus(500).phrase})
    for code, response in responses.items():
        if not code.isdigit() or int(code) < 400:
            continue
        status = int(code)
        response["description"] = response.get("description") or HTTPStatus(status).phrase
        if response["description"] == "Validation Error":
            response["description"] = "The request is not valid: see errors"
        response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": example(status)}}
        headers = {}
        if status == 503:
            headers["Retry-After"] = {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
        headers["X-Request-ID"] = {
            "description": "The id of this request, also in the body",
            "schema": {"type": "string"},
        }
        response["headers"] = headers
