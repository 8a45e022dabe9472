"""The OpenAPI document: what each route answers, with its headers and links,
and every error as problem+json with an example that is the route's own answer.

Routes declare their success answers with `answer(...)` (the headers they carry,
the links a client can follow from them) and their errors with `errors(...)`,
given as the exceptions they answer with (`errors(NotFound("Task"), 422, 503)`):
each example is made by api/problems.py from that exception, as a real answer
is. The 422 example of an operation is the answer to an input it refuses, made
by validating that input with the operation's own fields when the document is
built: an unknown field added to its body's example, else a path id that is no
integer, else a query value under its minimum. FastAPI documents errors as
application/json, and its own 422 with a schema we never send; the document is
rewritten so that each error is application/problem+json with the Problem
schema, every response names X-Request-ID, and every operation lists the 413
and 500 that any request can meet.
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, get_args, get_origin

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field

from api import problems
from api.precedence import MAX_BODY_BYTES, BodyTooLarge
from api.responses import PROBLEM_JSON
from api.security import needs_user, unauthenticated
from domain.errors import Unavailable

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
EXAMPLE_REQUEST_ID = "3f2a9c0e5b7d4e1fa8c6b2d4e6f8a0c1"

# What a bare status in errors(...) stands for. (422: made per operation.)
_STANDARD: dict[int, Exception] = {
    401: unauthenticated(token_sent=False),
    413: BodyTooLarge(MAX_BODY_BYTES),
    500: RuntimeError("a bug"),
    503: Unavailable("The database cannot be reached"),
}
_EXAMPLES = "x-problem-examples"  # carried from errors() to the rewrite, then dropped


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """The body of every error response."""

    type: str = Field(examples=["about:blank"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["Task not found"])
    request_id: str = Field(examples=[EXAMPLE_REQUEST_ID])
    errors: list[ValidationIssue] | None = Field(default=None, description="On 422 only: what is wrong, where")


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
    "WWW-Authenticate": {
        "description": 'The scheme to use: Bearer (with error="invalid_token" when the token sent is not valid)',
        "required": True,
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "no-store: a token is never cached",
        "required": True,
        "schema": {"type": "string"},
    },
}


def errors(*answers: int | Exception) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route answers, each with its example."""
    documented: dict[int | str, dict[str, Any]] = {}
    for answer in answers:
        error = _STANDARD.get(answer) if isinstance(answer, int) else answer
        status = 422 if error is None else problems.body_of(error, EXAMPLE_REQUEST_ID)[0]
        entry = documented.setdefault(
            status, {"model": Problem, "description": HTTPStatus(status).description, _EXAMPLES: {}}
        )
        if error is not None:
            name = _name(error)
            if name in entry[_EXAMPLES]:  # two of one kind: number the second
                name = f"{name}_{len(entry[_EXAMPLES]) + 1}"
            entry[_EXAMPLES][name] = problems.body_of(error, EXAMPLE_REQUEST_ID)[1]
    return documented


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


def refused_input(route: APIRoute) -> tuple[str, Any] | None:
    """An input the route refuses with 422, and where it goes ("body", "path"
    or "query" with the parameter's name): the one its 422 example answers."""
    if route.body_field is not None:
        return "body", _with_unknown_field(body_example(route))
    if route.dependant.path_params:
        return f"path:{route.dependant.path_params[0].alias}", "x"
    for parameter in route.dependant.query_params:
        minimum = _minimum(parameter.field_info)
        if minimum is not None:
            return f"query:{parameter.alias}", str(minimum - 1)
    return None


def body_example(route: APIRoute) -> Any:
    """The route's body as its schema's example gives it (a list of one item
    for a list body)."""
    assert route.body_field is not None
    annotation = route.body_field.field_info.annotation
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        return [_model_example(item)]
    return _model_example(annotation)


class DocumentedAPI(FastAPI):
    """FastAPI, whose document is then rewritten once (see the module's
    docstring) and cached as FastAPI caches its own."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is not None:
            return self.openapi_schema
        document = super().openapi()  # cached as openapi_schema: rewritten in place
        refused: dict[tuple[str, str], dict[str, Any] | None] = {}
        guarded: set[tuple[str, str]] = set()
        for context in iter_route_contexts(self.routes):
            route = context.original_route
            if not (isinstance(route, APIRoute) and route.include_in_schema) or context.path is None:
                continue
            for method in context.methods or ():
                refused[context.path, method.lower()] = _refused_example(route)
                if needs_user(route):
                    guarded.add((context.path, method.lower()))
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                _rewrite(operation["responses"], refused.get((path, method)), (path, method) in guarded)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        return document


def _rewrite(responses: dict[str, Any], refused: dict[str, Any] | None, guarded: bool) -> None:
    # Any request can meet these two: a body over 1 MiB (even where none is
    # used), and a bug; and one to a route that needs a token, a 401.
    for status in (401, 413, 500) if guarded else (413, 500):
        standard = errors(status)[status]
        responses.setdefault(str(status), {"description": standard["description"]})
        responses[str(status)].setdefault(_EXAMPLES, standard[_EXAMPLES])
    for code, response in responses.items():
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = HEADERS["X-Request-ID"]
        if not code.isdigit() or int(code) < 400:
            continue
        status = int(code)
        examples = response.pop(_EXAMPLES, {})
        if status == 422 and refused is not None:
            examples = {"refused_input": refused, **examples}
        response["description"] = response.get("description") or HTTPStatus(status).phrase
        if response["description"] == "Validation Error":
            response["description"] = "The request is not valid: see errors"
        content: dict[str, Any] = {"schema": PROBLEM_REF}
        if examples:
            content["examples"] = {name: {"value": value} for name, value in examples.items()}
        response["content"] = {PROBLEM_JSON: content}
        if status in (429, 503):
            headers["Retry-After"] = HEADERS["Retry-After"]
        if status == 401:
            headers["WWW-Authenticate"] = HEADERS["WWW-Authenticate"]


def _refused_example(route: APIRoute) -> dict[str, Any] | None:
    refused = refused_input(route)
    if refused is None:
        return None
    where, value = refused
    loc: tuple[str, ...]
    if where == "body":
        assert route.body_field is not None
        field, loc = route.body_field, ("body",)
    else:
        kind, name = where.split(":")
        params = route.dependant.path_params if kind == "path" else route.dependant.query_params
        field = next(param for param in params if param.alias == name)
        loc = (kind, name)
    _, issues = field.validate(value, {}, loc=loc)
    assert issues, f"{route.path}: {value!r} was meant to be refused"
    return problems.body_of(RequestValidationError(issues), EXAMPLE_REQUEST_ID)[1]


def _with_unknown_field(example: Any) -> Any:
    if isinstance(example, list):
        return [_with_unknown_field(item) for item in example]
    return {**example, "unknown": 1}


def _model_example(model: Any) -> dict[str, Any]:
    schema = model.model_json_schema() if isinstance(model, type) and issubclass(model, BaseModel) else {}
    examples = schema.get("examples") or [{}]
    example: dict[str, Any] = examples[0]
    return example


def _minimum(field_info: Any) -> int | None:
    for constraint in getattr(field_info, "metadata", ()):
        minimum = getattr(constraint, "ge", None)
        if isinstance(minimum, int):
            return minimum
    return None


def _name(error: Exception) -> str:
    """An example's name: its kind, in snake case (NotFound: not_found)."""
    name = type(error).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
