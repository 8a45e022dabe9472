"""Prometheus metrics, served at GET /metrics.

With several worker processes each one writes its samples to files in
PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode; `make serve`
sets it) and /metrics, whichever worker answers, adds them all up. Without
that variable the metrics live in the one process.
"""

import os
import weakref
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import QueuePool

CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "http_requests_total", "Requests answered, by method, route template and status", ["method", "route", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by method, route template and status",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL_IN_USE = Gauge(
    "db_pool_connections_in_use", "Connections checked out of the pool now", multiprocess_mode="livesum"
)
POOL_OVERFLOW = Gauge(
    "db_pool_overflow_connections", "Connections open beyond the pool size now", multiprocess_mode="livesum"
)
POOL_CHECKOUT = Histogram(
    "db_pool_checkout_seconds",
    "Time to get a connection: long ones waited for a free one (or for a new one to open)",
    buckets=(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0),
)
POOL_TIMEOUTS = Counter("db_pool_timeouts_total", "Requests that found no free connection in time (503)")
UNITS = Counter(
    "db_units_of_work_total", "Units of work ended, by outcome: committed, rolled_back, read_only", ["outcome"]
)
READS_SERVED = Counter(
    "db_reads_total", "Reading units of work, by the database that served them: primary, replica1, ...", ["database"]
)
REACHABLE = Gauge(
    "db_reachable", "1 when this worker last reached the database, else 0", ["database"], multiprocess_mode="livemin"
)
REPLICA_LAG = Gauge(
    "db_replica_lag_seconds",
    "At most how far a replica was behind the primary when last asked (-1: unknown)",
    ["database"],
    multiprocess_mode="livemax",
)
CONFLICTS = Counter("conflicts_total", "409 answers, by kind of conflict", ["kind"])

# Label children, looked up once per (method, route, status) instead of per request.
_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, str(status))
    children = _children.get(key)
    if children is None:
        children = _children[key] = (REQUESTS.labels(*key), LATENCY.labels(*key))
    children[0].inc()
    children[1].observe(seconds)


def conflict(kind: str) -> None:
    CONFLICTS.labels(kind).inc()


_watched: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def watch_pool(engine: Engine) -> None:
    """Keep the pool gauges current from the pool's own events (once per engine)."""
    if engine in _watched:
        return
    _watched.add(engine)
    pool = engine.pool
    # Only a QueuePool has overflow; an in-memory SQLite database's StaticPool
    # (tests) is one connection.
    overflow = pool.overflow if isinstance(pool, QueuePool) else lambda: 0

    def checked_out(*_: Any) -> None:
        POOL_IN_USE.inc()
        POOL_OVERFLOW.set(max(0, overflow()))

    def checked_in(*_: Any) -> None:
        # The event comes before the pool's own count drops: count, not ask.
        POOL_IN_USE.dec()
        POOL_OVERFLOW.set(max(0, overflow()))

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)


class UnitOfWorkMetrics:
    """infrastructure.unit_of_work.UnitOfWorkObserver: the pool and units of work."""

    def connected(self, seconds: float) -> None:
        POOL_CHECKOUT.observe(seconds)

    def no_connection(self, error: sa_exc.SQLAlchemyError) -> None:
        if isinstance(error, sa_exc.TimeoutError):
            POOL_TIMEOUTS.inc()

    def ended(self, outcome: str) -> None:
        UNITS.labels(outcome).inc()


UNITS_OF_WORK = UnitOfWorkMetrics()


class ReadMetrics:
    """infrastructure.replicas.ReadRoutingObserver: where reads went, how the databases are."""

    def served(self, database: str) -> None:
        READS_SERVED.labels(database).inc()

    def database_state(self, database: str, reachable: bool, lag_seconds: float | None) -> None:
        REACHABLE.labels(database).set(1 if reachable else 0)
        if database != "primary":
            REPLICA_LAG.labels(database).set(-1 if lag_seconds is None else lag_seconds)


READS = ReadMetrics()


def exposition() -> bytes:
    """The metrics text: of this process, or of all workers in multiprocess mode."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def worker_exiting() -> None:
    """Drop this process's live gauges from the shared files."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.mark_process_dead(os.getpid())
