"""Reading your own writes (API.md): the consistency token, and what one request
knows of it.

A token is a position in PostgreSQL's write-ahead log (an LSN), taken on the
primary after a write: a replica that has replayed the log up to it holds that
write and everything committed before it (the log is replayed in order). It
travels as `v1-<hex>`. `v1-ffffffffffffffff` (PRIMARY) is the token of a write
whose position is not known (no replicas are configured, or the primary did
not answer the question after the commit): it asks for the primary, which is
never behind itself.

The request's state lives in a context variable that the request middleware
sets (api/middleware.py): units of work read it to choose where to read and
note where they wrote. The value is one mutable object, so that what a unit of
work notes on FastAPI's worker thread (AnyIO runs it in a copy of the
request's context) is what the middleware reads back on the event loop.
"""

import re
from contextvars import ContextVar
from dataclasses import dataclass

PRIMARY = 2**64 - 1
"""The greatest position: no replica has replayed it, so only the primary serves."""

_TOKEN = re.compile(r"v1-([0-9a-f]{1,16})")
_LSN = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")


def parse_token(text: str) -> int | None:
    """The position a token names; None for anything else (ignored, never an error)."""
    match = _TOKEN.fullmatch(text)
    return int(match.group(1), 16) if match else None


def format_token(position: int) -> str:
    return f"v1-{position:x}"


def parse_lsn(text: str) -> int:
    """PostgreSQL's text form of an LSN (`16/B374D848`) as one integer."""
    match = _LSN.fullmatch(text)
    if match is None:
        raise ValueError(f"not an LSN: {text!r}")
    return (int(match.group(1), 16) << 32) | int(match.group(2), 16)


@dataclass
class Consistency:
    """One request's view: the position its reads must see (from its token, if
    it sent one), and the primary's position after its writes."""

    required: int | None = None
    written: int | None = None
    replica_failed: bool = False
    """A replica went away under one of this request's reads (a read is answered again)."""

    def wrote(self, position: int) -> None:
        self.written = position if self.written is None else max(self.written, position)
        # A later read in the same request sees its own earlier write too.
        self.required = position if self.required is None else max(self.required, position)

    def token(self) -> str:
        """Where this request left the primary; for a request that wrote nothing
        (a sign-in, a change that changed nothing), what it was sent, else PRIMARY."""
        position = self.written if self.written is not None else self.required
        return format_token(PRIMARY if position is None else position)


_current: ContextVar[Consistency | None] = ContextVar("consistency", default=None)


def begin_request(token: str | None) -> Consistency:
    """Start a request's view (from the token it sent, if any) in this context."""
    consistency = Consistency(required=parse_token(token) if token is not None else None)
    _current.set(consistency)
    return consistency


def current() -> Consistency | None:
    """This request's view; None outside a request (the CLI, tests of units)."""
    return _current.get()
