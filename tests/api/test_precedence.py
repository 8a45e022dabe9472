"""The contract's order of answers (405, then 413, then 422 and the rest) is
decided in one place, api/precedence.py, from the router itself. These tests
derive what they check from the app's routes: a route added tomorrow is held
to the same rules without an edit here."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict
from sqlmodel import SQLModel

from api.app import create_app
from api.container import Container
from api.params import Id
from api.precedence import MAX_BODY_BYTES, resource_of, resources
from infrastructure.database import build_engine
from infrastructure.settings import Settings
from tests.api.helpers import assert_problem

# The order the Allow header lists methods in.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def concrete(path: str) -> str:
    """A path of the template, each parameter filled with a value it takes."""
    return re.sub(r"\{[^}]+\}", "1", path)


def routes_of(app: FastAPI) -> Iterator[tuple[str, set[str]]]:
    for context in iter_route_contexts(app.routes):
        if context.path is not None and context.methods:
            yield context.path, set(context.methods)


@pytest.fixture(scope="module")
def app() -> Iterator[FastAPI]:
    settings = Settings(database_url="sqlite://")
    engine = build_engine(settings)
    SQLModel.metadata.create_all(engine)
    container = Container()
    container.settings.override(settings)
    container.engine.override(engine)
    yield create_app(container)
    engine.dispose()


def test_every_route_is_the_resource_of_its_own_paths(app: FastAPI) -> None:
    """No route is shadowed by one declared before it: the literal /tasks/bulk
    comes before /tasks/{task_id}, as FastAPI's docs ask."""
    known = resources(app.routes)
    for path, _ in routes_of(app):
        found = resource_of(concrete(path), known)
        assert found is not None, path
        assert getattr(found.route, "path", None) == path, f"{path} is shadowed by {getattr(found.route, 'path', '')}"


def test_the_first_route_declared_for_a_path_names_its_resource() -> None:
    """The rule the test above holds the app to, and what breaking it looks like."""
    app = FastAPI()
    app.include_router(things(templated_first=True))
    found = resource_of("/things/special", resources(app.routes))
    assert found is not None
    assert (getattr(found.route, "path", None), found.methods) == ("/things/{thing_id}", ("GET", "DELETE"))


def test_every_other_method_on_every_path_is_405_with_its_allow(app: FastAPI) -> None:
    templates: dict[str, set[str]] = {}
    for path, methods in routes_of(app):
        templates.setdefault(path, set()).update(methods)
    with TestClient(app) as client:
        for path, methods in templates.items():
            allow = ", ".join(method for method in METHODS if method in methods)
            for method in sorted(set(METHODS) - methods):
                response = client.request(method, concrete(path), content=b"{" + b" " * (2 * MAX_BODY_BYTES))
                assert response.status_code == 405, (method, path)  # before the 413 its body would get
                assert response.headers["allow"] == allow, (method, path)
                if method != "HEAD":
                    assert_problem(response, 405)


def test_every_route_refuses_an_oversize_body_before_anything_else(app: FastAPI) -> None:
    with TestClient(app) as client:
        for path, methods in routes_of(app):
            for method in methods - {"HEAD"}:
                assert_problem(client.request(method, concrete(path), content=b"x" * (MAX_BODY_BYTES + 1)), 413)


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


def things(*, templated_first: bool = False) -> APIRouter:
    """A router written with nothing of the precedence in mind."""
    router = APIRouter()

    def special(thing: Thing) -> dict[str, Any]:
        return {"name": thing.name}

    if not templated_first:
        router.post("/things/special", status_code=201)(special)

    @router.get("/things/{thing_id}")
    def get_thing(thing_id: Id) -> dict[str, Any]:
        return {"id": thing_id}

    @router.delete("/things/{thing_id}", status_code=204)
    def delete_thing(thing_id: Id) -> None:
        raise AssertionError("never reached by these requests")

    if templated_first:
        router.post("/things/special", status_code=201)(special)
    return router


def test_a_new_router_gets_the_contracts_order_without_knowing_it() -> None:
    app = create_app(Container())
    app.include_router(things())
    huge = b"x" * (MAX_BODY_BYTES + 1)
    with TestClient(app) as client:
        # A literal path's other methods: 405, even where a templated route would match.
        response = client.get("/things/special")
        assert_problem(response, 405)
        assert response.headers["allow"] == "POST"
        assert client.get("/things/7").json() == {"id": 7}
        # 413 before the 422 of a bad id, and before a body is parsed.
        assert_problem(client.request("DELETE", "/things/not-an-id", content=huge), 413)
        assert_problem(client.post("/things/special", content=huge), 413)
        assert_problem(client.request("DELETE", "/things/not-an-id"), 422)
        assert_problem(client.request("PUT", "/things/7", content=huge), 405)
        assert client.post("/things/special", json={"name": "n"}).status_code == 201
