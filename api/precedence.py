"""Which answer a request gets when it is wrong in several ways, decided here,
once, before any body is read (API.md: "405, then 413, then ..., then 422").

- 405: the path names a resource, and the method is not one of its routes'.
  The resource is the first route, in the order the app declares them, whose
  path matches (FastAPI's own rule: declare `/tasks/bulk` before
  `/tasks/{task_id}`); its methods are those of every route with the same path
  template, and make the `Allow` header. A route's match for the path with
  another method is what makes a 405, so `GET /tasks/bulk` is 405, not a 422
  for the id "bulk".
- 413: a declared Content-Length over the limit is refused before anything is
  read; a body is then read, wherever it is sent (a route that takes none, or
  no route at all: 413 comes before 422 and 404), up to the limit and no
  further, and handed to the app as it came.
- 401: the route depends on the current user (api/security.py): its bearer
  token is checked now, before FastAPI parses the body (401 before 422), and
  the caller left in the request's state for the route's `CurrentUser`.

Nothing else needs to know: a new route is matched from the router itself, and
every answer is made by api/problems.py from the exception raised here.
"""

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems
from api.security import needs_user
from domain.errors import DomainError
from domain.users.model import Actor

MAX_BODY_BYTES = 1024 * 1024
"""The largest request body read (API.md: over 1 MiB is 413)."""

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {_size(limit)}")


class MethodNotAllowed(HTTPException):
    def __init__(self, method: str, allowed: Sequence[str]) -> None:
        super().__init__(405, f"{method} is not allowed here", headers={"Allow": ", ".join(allowed)})


@dataclass(frozen=True)
class Resource:
    """The routes of one path template, and the methods they answer."""

    pattern: re.Pattern[str]
    route: BaseRoute
    methods: tuple[str, ...]
    guarded: frozenset[str] = frozenset()
    """The methods whose route needs a token."""


def resources(routes: Sequence[BaseRoute]) -> list[Resource]:
    """Every path template of `routes` (included routers' too, as FastAPI walks
    them), in the order its first route is declared."""
    templates: dict[str, tuple[re.Pattern[str], BaseRoute, set[str], set[str]]] = {}
    for context in iter_route_contexts(routes):
        path, pattern = context.path, getattr(context, "path_regex", None)
        if path is None or pattern is None:
            continue
        _, _, methods, guarded = templates.setdefault(path, (pattern, context.original_route, set(), set()))
        methods.update(context.methods or ())
        if needs_user(context.original_route):
            guarded.update(context.methods or ())
    return [
        Resource(pattern, route, tuple(method for method in _METHODS if method in methods), frozenset(guarded))
        for pattern, route, methods, guarded in templates.values()
    ]


def resource_of(path: str, known: Sequence[Resource]) -> Resource | None:
    """The resource a path names: the first whose template matches it."""
    return next((resource for resource in known if resource.pattern.match(path)), None)


class Precedence:
    """Pure ASGI middleware around the app's router (see the module's docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        router: Router,
        max_bytes: int,
        authenticate: Callable[[bytes | None], Awaitable[Actor]],
    ) -> None:
        self.app = app
        self.router = router
        self.max_bytes = max_bytes
        self.authenticate = authenticate
        self._resources: list[Resource] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            resource = resource_of(scope["path"], self._known())
            if resource is not None and scope["method"] not in resource.methods:
                scope["route"] = resource.route  # logs and metrics name the template
                raise MethodNotAllowed(scope["method"], resource.methods)
            receive = await self._read_body(scope, receive)
            if resource is not None and scope["method"] in resource.guarded:
                actor = await self.authenticate(_header(scope, b"authorization"))
                scope.setdefault("state", {})["actor"] = actor
        except (HTTPException, DomainError) as exc:
            response = await problems.respond(Request(scope), exc)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _known(self) -> list[Resource]:
        # Read at the first request: routes are included after the middleware
        # is made, and none is added once the app serves.
        if self._resources is None:
            self._resources = resources(self.router.routes)
        return self._resources

    async def _read_body(self, scope: Scope, receive: Receive) -> Receive:
        """Read the body through the limit (BodyTooLarge past it), and give it
        to the app as it came. No body: nothing to read."""
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            raise BodyTooLarge(self.max_bytes)
        if not declared and not _chunked(scope):
            return receive
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return _replaying([message], receive)  # gone: the app hears it
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return _replaying([{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """A receive that gives `messages` first, then what `receive` gives."""

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replay


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    return next((value for name, value in scope["headers"] if name == wanted), None)


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    return int(value) if value is not None and value.isdigit() else None


def _chunked(scope: Scope) -> bool:
    return any(name == b"transfer-encoding" for name, _ in scope["headers"])


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit} bytes"
