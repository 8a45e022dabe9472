"""Pure ASGI middleware (no BaseHTTPMiddleware: it would add a task and a copy of
every body to each request)."""

import re
import secrets
import time
from collections.abc import MutableMapping
from typing import Any

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
