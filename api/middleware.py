"""Pure ASGI middleware (no BaseHTTPMiddleware: it would add a task and a copy of
every body to each request)."""

import re
import secrets
import time
from collections.abc import Callable, MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import logs, metrics
from infrastructure import consistency

_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")
_WRITES = frozenset(("POST", "PUT", "PATCH", "DELETE"))
_SAFE = frozenset(("GET", "HEAD"))
_MAX_TOKEN = 64  # a longer one is not ours: ignored unread


def request_id_of(scope: MutableMapping[str, Any]) -> str:
    """The id RequestIdMiddleware gave this request ("-" outside of one)."""
    state = scope.get("state") or {}
    return str(state.get("request_id", "-"))


class RequestContextMiddleware:
    """What every request gets on its way in and out.

    - X-Request-ID on the response: the caller's own when it is sane (1-128 of
      A-Za-z0-9._-), else a fresh random one; kept in the request state too, for
      error responses and log lines.
    - Reading your own writes: the X-Consistency-Token the caller sent says
      what the request's reads must see; a 2xx answer to a write carries the
      token of where it left the primary (infrastructure/consistency.py).
    - One log line and the request metrics, by route template, once the
      response is sent (or failed: a request that raised is counted as 500).
    """

    def __init__(self, app: ASGIApp, *, retry_reads: Callable[[], bool] = lambda: True) -> None:
        self.app = app
        self.retry_reads = retry_reads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id: bytes | None = None
        sent_token: str | None = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                if request_id is None and _SANE_REQUEST_ID.fullmatch(value):
                    request_id = value
            elif name == b"x-consistency-token" and len(value) <= _MAX_TOKEN:
                sent_token = value.decode("latin-1")
        # What this request must read and where it wrote (infrastructure/consistency.py).
        request_consistency = consistency.begin_request(sent_token)
        writes = scope["method"] in _WRITES
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
                if writes and 200 <= status < 300:
                    token = request_consistency.token().encode()
                    headers.append((b"x-consistency-token", token))
                message["headers"] = [*headers, header]
            await send(message)

        try:
            if scope["method"] in _SAFE and self.retry_reads():
                await self._read(scope, receive, send_with_id, request_consistency)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            metrics.observe_request(scope["method"], route, status, seconds)
            logs.request_line(scope["method"], route, status, seconds * 1000, request_id_text)

    async def _read(self, scope: Scope, receive: Receive, send: Send, request: consistency.Consistency) -> None:
        """A read whose replica went away under it (a 503, nothing sent yet;
        infrastructure/unit_of_work.py marks it) is answered again, once: the
        replica is marked down by then, so the primary serves it. Any other
        answer goes out as it comes."""
        received: list[Message] = []
        held: list[Message] = []

        async def recording_receive() -> Message:
            message = await receive()
            received.append(message)
            return message

        async def holding_send(message: Message) -> None:
            if held or (message["type"] == "http.response.start" and message["status"] == 503):
                held.append(message)
            else:
                await send(message)

        await self.app(scope, recording_receive, holding_send)
        if held and request.replica_failed:
            request.replica_failed = False
            replay = iter(received)

            async def replaying_receive() -> Message:
                return next(replay, None) or await receive()

            await self.app(scope, replaying_receive, send)
            return
        for message in held:
            await send(message)


def route_of(scope: MutableMapping[str, Any]) -> str:
    """The template of the route that served the request (`/tasks/{task_id}`):
    what logs and metrics name, never the path itself, which holds ids and would
    give every task a time series of its own."""
    route = scope.get("route")
    return str(getattr(route, "path", "<no route>"))
