"""Logging: one line per request and one per error, JSON or plain text.

Standard `logging` throughout. Lines never carry a request body, a header
value, a setting or a database URL: a request line names the route template
(`/tasks/{task_id}`), not the path; an error line names the error's kind, not
its detail (a detail may quote the input); SQL parameters are hidden by the
engine (infrastructure.database).
"""

import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

import orjson

from infrastructure.settings import Settings

REQUESTS = logging.getLogger("api.requests")
ERRORS = logging.getLogger("api.errors")
SERVER = logging.getLogger("api.server")

# LogRecord attributes that are not "extra" fields.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's
    extra fields, and the stack as `exception` when there is one."""

    # The date and time to the second, as of the last line: a line per request
    # would otherwise build a datetime and format it in full (a tenth of the
    # line's cost). One tuple, so a thread never sees one half of another's.
    _second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key[:1] != "_":
                line[key] = value
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return orjson.dumps(line, default=str).decode()

    def _time(self, created: float) -> str:
        """`created` as ISO 8601 in UTC to the millisecond, as
        `datetime.isoformat(timespec="milliseconds")` writes it."""
        second = int(created)
        # Rounded to the microsecond first, as datetime.fromtimestamp does.
        micro = round((created - second) * 1e6)
        if micro >= 1_000_000:
            second, micro = second + 1, micro - 1_000_000
        cached, text = self._second
        if cached != second:
            text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = (second, text)
        return f"{text}.{micro // 1000:03d}+00:00"


class TextFormatter(logging.Formatter):
    """`2026-01-01 10:00:00,123 INFO api.requests GET /tasks/{task_id} 200 1.2 ms request_id=...`"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None)
        if request_id is not None and "request_id=" not in text.split("\n", 1)[0]:
            first, _, rest = text.partition("\n")
            text = f"{first} request_id={request_id}" + (f"\n{rest}" if rest else "")
        return text


def configure(settings: Settings) -> None:
    """Send every log line (ours, uvicorn's, the libraries') to stderr in the
    configured format. Idempotent: a second app in the process replaces it.

    Lines are written directly, by the thread that logs them, as
    logging.basicConfig would: one write per line. Measured against the
    standard library's other way, a QueueHandler whose QueueListener thread
    writes: GET /health served 5,225 req/s against 4,268 (the listener's
    wake-up per line competes for the GIL with the event loop). The price is
    that a stderr nobody reads (a full pipe) would stall the writer.
    """
    # What no line of ours shows, LogRecord need not gather for every line: the
    # logging HOWTO's "Optimization" switches (thread, process and caller).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.set_name("tasks")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "tasks"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # uvicorn's own lines take the same road.
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Our request line replaces uvicorn's access log. uvicorn writes that log when
    # its logger has any handler, its parents' included: none, and no propagation
    # (otherwise every request would be logged twice).
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False


def request_line(method: str, route: str, status: int, duration_ms: float, request_id: str) -> None:
    if REQUESTS.isEnabledFor(logging.INFO):
        REQUESTS.info(
            "%s %s %d %.1f ms",
            method,
            route,
            status,
            duration_ms,
            extra={
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(duration_ms, 3),
                "request_id": request_id,
            },
        )


def error_line(
    status: int,
    kind: str,
    route: str,
    request_id: str,
    *,
    cause: BaseException | None = None,
    fields: list[str] | None = None,
) -> None:
    """A line for an error answer: its kind, never its detail (which may quote
    the request). A 503 names the database failure behind it, by type only; a
    422, the fields at fault."""
    extra: dict[str, Any] = {"request_id": request_id, "status": status, "error": kind, "route": route}
    if cause is not None:
        extra["cause"] = type(cause).__name__
    if fields:
        extra["fields"] = fields
    ERRORS.log(logging.WARNING if status >= 500 else logging.INFO, "%d %s", status, kind, extra=extra)


def unhandled_error(method: str, route: str, request_id: str, error: BaseException) -> None:
    """A bug: the whole story, stack included, under the request id."""
    ERRORS.error(
        "unhandled error request_id=%s %s %s",
        request_id,
        method,
        route,
        exc_info=error,
        extra={"request_id": request_id, "status": 500, "error": type(error).__name__},
    )
