"""Where service calls run: on the event loop, or on a worker thread."""

from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio
import anyio.to_thread
from fastapi import Request

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

# Threads for long SQLite reads: as many as there are cores to run them. More
# only queue on the GIL when their rows come back (measured on 2 cores,
# GET /tasks?status=todo: 173 req/s on 9 threads, 269 on 2).
SQLITE_LONG_READ_THREADS = 2


class DatabaseCalls:
    """Runs service calls, which block on the database, where they cost least.

    A call on a worker thread leaves the event loop free, for the price of two
    thread hand-offs and a fight for the GIL when it returns (measured here:
    ~100 us per hand-off, more than a SQLite point query takes). So:

    - PostgreSQL: every call runs on a worker thread; each one waits for network
      round trips, which must not stall the loop.
    - SQLite: `run` calls (a row, a write, a short list) run on the event loop:
      SQLite answers them in microseconds and never waits on a network. `run_long`
      calls (lists that count or skip over many rows: milliseconds of database
      work, during which sqlite3 releases the GIL) run on a few threads, so
      that they use the other cores while the loop serves other requests.

    Threads never outnumber pooled connections, so each finds one at once and a
    burst queues for a thread instead of timing out in the pool; with SQLite,
    one connection stays free for the calls on the event loop.
    """

    def __init__(self, *, sqlite: bool, pool_size: int) -> None:
        self.sqlite = sqlite
        self.thread_limit = max(1, pool_size - 1) if sqlite else pool_size
        self._long_reads: anyio.CapacityLimiter | None = None

    async def run(self, function: Callable[[*Ts], T], *args: *Ts) -> T:
        if self.sqlite:
            return function(*args)
        return await anyio.to_thread.run_sync(function, *args)

    async def run_long(self, function: Callable[[*Ts], T], *args: *Ts) -> T:
        if not self.sqlite:
            return await anyio.to_thread.run_sync(function, *args)
        if self._long_reads is None:  # created in the event loop it serves
            self._long_reads = anyio.CapacityLimiter(min(SQLITE_LONG_READ_THREADS, self.thread_limit))
        return await anyio.to_thread.run_sync(function, *args, limiter=self._long_reads)


def database_calls(request: Request) -> DatabaseCalls:
    calls: DatabaseCalls = request.app.state.database_calls
    return calls
