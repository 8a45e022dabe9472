"""Pure ASGI middleware (no BaseHTTPMiddleware: it would add a task and a copy of
every body to each request)."""

import re
import secrets
import time
from collections.abc import MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import logs, metrics

_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")


def request_id_of(scope: MutableMapping[str, Any]) -> str:
    """The id RequestIdMiddleware gave this request ("-" outside of one)."""
    state = scope.get("state") or {}
    return str(state.get("request_id", "-"))


class RequestContextMiddleware:
    """What every request gets on its way in and out.

    - X-Request-ID on the response: the caller's own when it is sane (1-128 of
      A-Za-z0-9._-), else a fresh random one; kept in the request state too, for
      error responses and log lines.
    - One log line and the request metrics, by route template, once the
      response is sent (or failed: a request that raised is counted as 500).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                if _SANE_REQUEST_ID.fullmatch(value):
                    request_id = value
                break
        if request_id is None:
            request_id = secrets.token_hex(16).encode()
        request_id_text = request_id.decode()
        scope.setdefault("state", {})["request_id"] = request_id_text
        header = (b"x-request-id", request_id)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", ()) if h[0].lower() != b"x-request-id"]
                message["headers"] = [*headers, header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            metrics.observe_request(scope["method"], route, status, seconds)
            logs.request_line(scope["method"], route, status, seconds * 1000, request_id_text)


def route_of(scope: MutableMapping[str, Any]) -> str:
    """The template of the route that served the request (`/tasks/{task_id}`):
    what logs and metrics name, never the path itself, which holds ids and would
    give every task a time series of its own."""
    route = scope.get("route")
    return str(getattr(route, "path", "<no route>"))


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {_size(limit)}")


class BodySizeLimitMiddleware:
    """Refuse request bodies over `max_bytes` with 413, before they are parsed.

    The check sits in `receive`, so it fires when the body is read: a request
    that is wrong in an earlier way (405) gets that answer first. Every route
    reads what was sent, its body or not (api.routing), and so does the answer
    to an unknown path (api.problems). A declared Content-Length over the limit
    fails on the first read; a chunked body fails as soon as the bytes pass
    it, without buffering the rest.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = _content_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


async def read_unused_body(request: Request) -> None:
    """Read a body that the answer has no use for through the size limit (so
    BodyTooLarge when it is over), and drop it. The contract answers 413 before
    a bad path or query (422) and a missing row or route (404), body used or not."""
    if _sends_body(request.scope):
        await request.body()


def _sends_body(scope: Scope) -> bool:
    """A non-zero Content-Length, or a Transfer-Encoding (chunked) body."""
    for name, value in scope["headers"]:
        if (name == b"content-length" and value.strip(b"0 ")) or name == b"transfer-encoding":
            return True
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit} bytes"
