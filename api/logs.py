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

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in record.__dict__.keys() - _STANDARD:
            if not key.startswith("_"):
                line[key] = record.__dict__[key]
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return orjson.dumps(line, default=str).decode()


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


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure(settings: Settings) -> None:
    """Send every log line (ours, uvicorn's, the libraries') to stderr in the
    configured format. Idempotent: a second app in the process replaces it."""
    # A line per request must be cheap: skip what no line of ours shows (the
    # caller's file and line, found by walking the stack; the process's and
    # thread's names), as the logging documentation's "Optimization" advises.
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.set_name("tasks")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "tasks"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # uvicorn's own lines take the same road (its access log is replaced by ours).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


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
