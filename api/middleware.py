"""Pure ASGI middleware (no BaseHTTPMiddleware: it would add a task and a copy of
every body to each request)."""

import re
import secrets
from collections.abc import MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")


def request_id_of(scope: MutableMapping[str, Any]) -> str:
    """The id RequestIdMiddleware gave this request ("-" outside of one)."""
    state = scope.get("state") or {}
    return str(state.get("request_id", "-"))


class RequestIdMiddleware:
    """Every response carries X-Request-ID: the caller's own when it is sane
    (1-128 of A-Za-z0-9._-), else a fresh random one. The id is also kept in the
    request state, for error responses and logs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                if _SANE_REQUEST_ID.fullmatch(value):
                    request_id = value
                break
        if request_id is None:
            request_id = secrets.token_hex(16).encode()
        scope.setdefault("state", {})["request_id"] = request_id.decode()
        header = (b"x-request-id", request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", ()) if h[0].lower() != b"x-request-id"]
                message["headers"] = [*headers, header]
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {_size(limit)}")


class BodySizeLimitMiddleware:
    """Refuse request bodies over `max_bytes` with 413, before they are parsed.

    The check sits in `receive`, so it fires only when a route reads its body:
    a request that is wrong in an earlier way (405: no route reads a body)
    gets that answer first. A declared Content-Length over the limit fails on
    the first read; a chunked body fails as soon as the bytes pass it, without
    buffering the rest.
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


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit} bytes"
