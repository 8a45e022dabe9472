from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio.to_thread

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


async def run_blocking(function: Callable[[*Ts], T], *args: *Ts) -> T:
    """Run a service call (blocking database work) on a worker thread.

    The worker threads are capped at the pool's size (api/app.py), so a thread
    that got to run always finds a connection: a burst waits for a thread instead
    of timing out in the pool.
    """
    return await anyio.to_thread.run_sync(function, *args)
