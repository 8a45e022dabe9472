"""How routes are wired, checked on the app itself: services arrive as
parameters, and where each route runs follows FastAPI's rule (a plain `def` on
the thread pool, an `async def` on the event loop), the same for every route."""

import importlib
import inspect
import pkgutil

from fastapi.routing import APIRoute

import api.routers
from api.security import TOKEN_URL

# Routes that never block: they run on the event loop.
NEVER_BLOCKING = {("GET", "/health")}


def api_routes() -> list[APIRoute]:
    """The routes of every router module (api/routers/*.py)."""
    routes = []
    for module in pkgutil.iter_modules(api.routers.__path__):
        router = importlib.import_module(f"api.routers.{module.name}").router
        routes += [route for route in router.routes if isinstance(route, APIRoute)]
    assert len(routes) > 20
    return routes


def test_only_routes_that_never_block_are_async() -> None:
    for route in api_routes():
        is_async = inspect.iscoroutinefunction(route.endpoint)
        methods = route.methods or set()
        never_blocks = any((method, route.path) in NEVER_BLOCKING for method in methods)
        assert is_async == never_blocks, f"{sorted(methods)} {route.path}: async={is_async}"


def test_routes_take_their_services_as_parameters() -> None:
    """Each route that calls a service declares it; the route's code never asks
    the container (the dependency does, on the event loop)."""
    for route in api_routes():
        if inspect.iscoroutinefunction(route.endpoint) or route.path in ("/metrics",):
            continue
        if route.path == TOKEN_URL:
            # FastAPI's OAuth2PasswordRequestForm is a class dependency, solved on
            # the thread pool: one hop per sign-in, beside a hash of tens of ms.
            continue
        dependencies = route.dependant.dependencies
        assert dependencies, f"{route.path} gets no service"
        assert all(inspect.iscoroutinefunction(d.call) for d in dependencies), route.path
        assert "container" not in inspect.getsource(route.endpoint)
