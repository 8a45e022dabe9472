"""Every error example in the OpenAPI document is true of its operation: for
each operation and each example, the request that meets it is sent, and the
answer must be the example (all but the request id).

What to send is derived from the document and the routes, as the examples
are: a missing id in every path parameter (404), the input the operation
refuses (422: api.openapi.refused_input), an oversize body (413), an
unreachable database (503), units of work that fail (500). Only the answers
that need stored rows first (a duplicate, a stale If-Match, an author with
posts) have their set-up here, by operation and example; a documented example
without one fails the test until it gets one."""

import re
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any

import pytest
from dependency_injector import providers
from fastapi import params
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import create_app
from api.container import Container
from api.openapi import EXAMPLE_REQUEST_ID, body_example, refused_input
from api.precedence import MAX_BODY_BYTES
from api.schemas.tasks import EXAMPLE_TITLE
from api.schemas.users import EXAMPLE_EMAIL
from domain.users.service import MAX_FAILURES
from infrastructure.settings import Settings
from tests.api.helpers import ME, PASSWORD, anonymous, bearer, sign_up
from tests.support.auth import TEST_SECRET

MISSING_ID = 424242
PROBLEM_JSON = "application/problem+json"

Setup = Callable[[TestClient], dict[str, Any]]
"""Stores what an example needs; returns what the request must change."""


def _two_tasks(client: TestClient) -> dict[str, Any]:
    client.post("/tasks", json={"title": EXAMPLE_TITLE})
    other = client.post("/tasks", json={"title": "another"}).json()
    return {"path": {"task_id": other["id"]}, "body": {"title": EXAMPLE_TITLE}}


def _one_task(client: TestClient) -> dict[str, Any]:
    task = client.post("/tasks", json={"title": "at version one"}).json()
    return {"path": {"task_id": task["id"]}, "headers": {"If-Match": '"999"'}}


def _author_with_a_post(client: TestClient) -> dict[str, Any]:
    author = client.post("/authors", json={"name": "Ada"}).json()
    client.post("/posts", json={"title": "kept", "author_id": author["id"]})
    return {"path": {"author_id": author["id"]}}


def _the_example_stored(client: TestClient) -> dict[str, Any]:
    client.post("/tasks", json={"title": EXAMPLE_TITLE})
    return {}


def _twice_in_the_batch(client: TestClient) -> dict[str, Any]:
    return {"body": [{"title": EXAMPLE_TITLE}, {"title": EXAMPLE_TITLE}]}


def _someone_elses(client: TestClient) -> dict[str, Any]:
    """An author, a post and a comment of another user: the caller may not delete them."""
    other = bearer(sign_up(client, "other@example.com"))
    author = client.post("/authors", json={"name": "Theirs"}, headers=other).json()
    post = client.post("/posts", json={"title": "theirs", "author_id": author["id"]}, headers=other).json()
    comment = client.post(f"/posts/{post['id']}/comments", json={"author_name": "T", "body": "b"}, headers=other)
    ids = {"author_id": author["id"], "post_id": post["id"], "comment_id": comment.json()["id"]}
    return {"path": ids, "body": {"title": "mine", "author_id": author["id"]}}


def _registered(client: TestClient) -> dict[str, Any]:
    client.post("/users", json={"email": EXAMPLE_EMAIL, "password": PASSWORD})
    return {"body": {"email": EXAMPLE_EMAIL, "password": PASSWORD}}


def _wrong_password(client: TestClient) -> dict[str, Any]:
    return {"body": {"username": ME, "password": "not the password"}}


def _throttled(client: TestClient) -> dict[str, Any]:
    for _ in range(MAX_FAILURES):
        assert client.post("/auth/token", data=_wrong_password(client)["body"]).status_code == 401
    return {"body": {"username": ME, "password": PASSWORD}}


def _signing_in(client: TestClient) -> dict[str, Any]:
    return {"body": {"username": ME, "password": PASSWORD}}


SETUPS: dict[tuple[str, str], Setup] = {
    ("create_task", "already_exists"): _the_example_stored,
    ("bulk_create_tasks", "already_exists"): _the_example_stored,
    ("bulk_create_tasks", "already_exists_2"): _twice_in_the_batch,
    ("patch_task", "already_exists"): _two_tasks,
    ("put_task", "already_exists"): _two_tasks,
    ("patch_task", "precondition_failed"): _one_task,
    ("put_task", "precondition_failed"): _one_task,
    ("delete_task", "precondition_failed"): _one_task,
    ("delete_author", "reference_violation"): _author_with_a_post,
    ("delete_author", "forbidden"): _someone_elses,
    ("create_post", "forbidden"): _someone_elses,
    ("delete_post", "forbidden"): _someone_elses,
    ("delete_comment", "forbidden"): _someone_elses,
    ("register", "already_exists"): _registered,
    ("sign_in", "unauthenticated"): _wrong_password,
    ("sign_in", "throttled"): _throttled,
}
# What a request needs besides its example body, whatever the answer awaited.
BODIES: dict[str, Setup] = {"sign_in": _signing_in}


def _examples() -> Iterator[Any]:
    app = create_app(Container())
    document = app.openapi()
    routes = {
        (context.path, method.lower()): context.original_route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                for name, example in response.get("content", {}).get(PROBLEM_JSON, {}).get("examples", {}).items():
                    case = (routes[(path, method)], method.upper(), int(code), name, example["value"])
                    yield pytest.param(*case, id=f"{operation['operationId']}-{code}-{name}")


def _request(client: TestClient, route: APIRoute, method: str, *, path_ids: int = MISSING_ID, **change: Any) -> Any:
    path_values = {param.alias: _path_value(param, path_ids) for param in route.dependant.path_params}
    path_values |= change.get("path", {})
    url = re.sub(r"\{([^}]+)\}", lambda match: str(path_values[match[1]]), route.path)
    body = change.get("body", body_example(route) if route.body_field is not None else None)
    if "content" not in change and route.body_field and isinstance(route.body_field.field_info, params.Form):
        # An OAuth2 password grant is a form.
        return client.request(method, url, data=body, params=change.get("query"), headers=change.get("headers"))
    return client.request(
        method, url, json=body, params=change.get("query"), content=change.get("content"), headers=change.get("headers")
    )


def _path_value(param: Any, an_id: int) -> Any:
    """An id, or the first member of an enum the path takes (a status)."""
    kind = param.field_info.annotation
    if isinstance(kind, type) and issubclass(kind, Enum):
        return next(iter(kind)).value
    return an_id


def _answer(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"] == PROBLEM_JSON, response.text
    body: dict[str, Any] = response.json()
    return {**body, "request_id": EXAMPLE_REQUEST_ID}


@pytest.mark.parametrize(("route", "method", "status", "name", "example"), list(_examples()))
def test_each_error_example_is_the_answer_its_operation_gives(
    route: APIRoute,
    method: str,
    status: int,
    name: str,
    example: dict[str, Any],
    client: TestClient,
    client_for: Callable[..., TestClient],
) -> None:
    operation = route.name
    if status == 500:
        app = create_app(Container())
        app.add_middleware(PlantedBug)
        with TestClient(app, raise_server_exceptions=False) as buggy:
            response = _request(buggy, route, method, path_ids=1)
    elif status == 503:
        client = client_for(_unreachable(), raise_server_exceptions=False)
        response = _request(client, route, method, path_ids=1, **BODIES.get(operation, _nothing)(client))
    elif status == 401 and name == "unauthorized":
        with anonymous(client):
            response = _request(client, route, method, path_ids=1)
    elif status == 413:
        response = _request(client, route, method, content=b"x" * (MAX_BODY_BYTES + 1), body=None)
    elif name == "refused_input":
        refused = refused_input(route)
        assert refused is not None
        where, value = refused
        if where == "body":
            response = _request(client, route, method, path_ids=1, body=value)
        else:
            kind, parameter = where.split(":")
            change = {"path": {parameter: value}} if kind == "path" else {"query": {parameter: value}}
            response = _request(client, route, method, path_ids=1, **change)
    elif name in ("not_found", "invalid_input"):  # ids, or the example body's author_id, name no row
        response = _request(client, route, method)
    else:
        setup = SETUPS.get((operation, name))
        assert setup is not None, f"say in SETUPS how to meet the {status} example {name!r} of {operation}"
        response = _request(client, route, method, **setup(client))
    assert response.status_code == status, response.text
    assert _answer(response) == example
    if status == 503:
        assert response.headers["retry-after"] == "2"


def _nothing(_: TestClient) -> dict[str, Any]:
    return {}


class PlantedBug:
    """Middleware that fails every request, as a bug anywhere would."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raise RuntimeError("a planted bug")
        await self.app(scope, receive, send)


def _unreachable() -> Container:
    container = Container()
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    container.settings.override(
        providers.Object(Settings(database_url=unreachable, db_connect_timeout=1, auth_secret=TEST_SECRET))
    )
    return container


def test_every_operation_that_can_answer_an_error_has_its_examples() -> None:
    """Each documented error status carries at least one example."""
    document = create_app(Container()).openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    assert response["content"][PROBLEM_JSON].get("examples"), (method, path, code)
