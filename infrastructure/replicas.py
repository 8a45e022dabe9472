"""Reads from PostgreSQL streaming replicas that never go back in time.

`ReadRouting` picks the engine a reading unit of work binds its session to
(infrastructure/unit_of_work.py); units that write, and the reads inside them,
stay on the primary. The rules, for one read:

- it must see a position of the primary's write-ahead log: the one its
  consistency token names, or, without a token, the primary's position at most
  `max_lag` seconds ago (sampled by a monitor thread, below);
- a replica serves it only if, asked just before, it has replayed the log up to
  that position (`pg_last_wal_replay_lsn()`: one round trip, in autocommit, on
  the replica). Replay only moves forward, so the read that follows sees at
  least that much, on any connection to that replica;
- otherwise the primary serves it: a token from the future (forged, another
  cluster) is only a position no replica has reached, so it costs a round trip
  and sends the read to the primary, never a wait or an error;
- a replica that fails the question is marked down and skipped until the
  monitor reaches it again; its reads go to the primary meanwhile.

The monitor samples the primary's position every `poll_seconds` and asks each
replica how far it has replayed: for the lag bound of reads without a token,
and for /ready and /metrics. When the primary cannot be reached no sample is
fresh; reads without a token then take the newest sample there is, so that a
replica keeps serving what the primary had committed before it went away.
"""

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine, TextClause, text
from sqlalchemy import exc as sa_exc

from infrastructure.consistency import parse_lsn

LOG = logging.getLogger("tasks.replicas")

_PRIMARY_POSITION = text("SELECT pg_current_wal_lsn()::text")
_REPLAYED = text("SELECT pg_last_wal_replay_lsn()::text")


class ReadRoutingObserver(Protocol):
    """Hears where reads went and how the databases are, for metrics."""

    def served(self, database: str) -> None: ...

    def database_state(self, database: str, reachable: bool, lag_seconds: float | None) -> None: ...


@dataclass
class Replica:
    name: str
    engine: Engine
    reachable: bool = True
    replayed: int = 0
    lag_seconds: float | None = None


@dataclass(frozen=True)
class DatabaseState:
    name: str
    reachable: bool
    lag_seconds: float | None


def _autocommit_scalar(engine: Engine, statement: TextClause) -> str | None:
    # Autocommit: psycopg sends the one statement, no BEGIN and no ROLLBACK.
    with engine.connect() as connection:
        value = connection.execution_options(isolation_level="AUTOCOMMIT").scalar(statement)
    return None if value is None else str(value)


class ReadRouting:
    def __init__(
        self,
        primary: Engine,
        replicas: Sequence[Engine],
        *,
        max_lag: float,
        poll_seconds: float,
        observer: ReadRoutingObserver | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.replicas = [Replica(f"replica{n}", engine) for n, engine in enumerate(replicas, start=1)]
        self._max_lag = max_lag
        self._poll_seconds = poll_seconds
        self._observer = observer
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()
        self._primary_reachable = True
        self._turn = itertools.count()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- reads ------------------------------------------------------------

    def engine_for_read(self, required: int | None) -> Engine:
        """The engine that serves a read which must see `required` (None: no
        token, so the lag bound applies)."""
        position = required if required is not None else self._bounded_position()
        if position is not None:
            count = len(self.replicas)
            start = next(self._turn)
            for offset in range(count):
                replica = self.replicas[(start + offset) % count]
                if replica.reachable and self._has_replayed(replica, position):
                    return self._serve(replica.name, replica.engine)
        return self._serve("primary", self.primary)

    def _serve(self, name: str, engine: Engine) -> Engine:
        if self._observer is not None:
            self._observer.served(name)
        return engine

    def failed(self, engine: Engine) -> None:
        """A read on `engine` lost its replica: skip it until the monitor reaches it again."""
        for replica in self.replicas:
            if replica.engine is engine:
                self._mark_down(replica, "a read on it failed")

    def _has_replayed(self, replica: Replica, position: int) -> bool:
        replayed = self._ask(replica)
        return replayed is not None and replayed >= position

    def _ask(self, replica: Replica) -> int | None:
        """How far `replica` has replayed the log (one round trip); None, and
        the replica marked down, when it cannot vouch for any position."""
        try:
            replayed = _autocommit_scalar(replica.engine, _REPLAYED)
        except sa_exc.SQLAlchemyError as error:
            self._mark_down(replica, type(error).__name__)
            return None
        if replayed is None:
            # pg_last_wal_replay_lsn() is NULL on a server that is not in recovery:
            # not a replica of anything, so it cannot vouch for a position.
            self._mark_down(replica, "it is not in recovery (not a replica)")
            return None
        replica.replayed = max(replica.replayed, parse_lsn(replayed))
        return replica.replayed

    def _bounded_position(self) -> int | None:
        """The primary's position at most max_lag seconds ago: the oldest sample
        that young. None before the first sample (the primary serves)."""
        samples = list(self._samples)
        if not samples:
            return None
        oldest_allowed = self._clock() - self._max_lag
        for taken, position in samples:
            if taken >= oldest_allowed:
                return position
        # No sample is fresh: the primary has not answered for a while. The
        # newest position seen is the best promise left (README, Scaling out).
        return samples[-1][1]

    # -- writes -----------------------------------------------------------

    def primary_position(self) -> int | None:
        """The primary's position now: a token for a write that just ended.
        None when the primary does not answer (the token then asks for the primary)."""
        try:
            position = _autocommit_scalar(self.primary, _PRIMARY_POSITION)
        except sa_exc.SQLAlchemyError:
            return None
        return None if position is None else parse_lsn(position)

    # -- the monitor --------------------------------------------------------

    def poll(self) -> None:
        """One round of the monitor: sample the primary, then ask each replica."""
        now = self._clock()
        position = self.primary_position()
        self._primary_reachable = position is not None
        if position is not None:
            self._samples.append((now, position))
            # Keep what the lag bound can still ask for, and one sample more.
            while len(self._samples) > 2 and self._samples[1][0] < now - self._max_lag - self._poll_seconds:
                self._samples.popleft()
        if self._observer is not None:
            self._observer.database_state("primary", self._primary_reachable, None)
        for replica in self.replicas:
            replayed = self._ask(replica)
            if replayed is None:
                continue
            if not replica.reachable:
                LOG.info("%s is reachable again: it serves reads", replica.name)
            replica.reachable = True
            replica.lag_seconds = self._lag(replayed)
            if self._observer is not None:
                self._observer.database_state(replica.name, True, replica.lag_seconds)

    def _lag(self, replayed: int) -> float | None:
        """At most how far behind a replica that has replayed `replayed` is: the
        age of the newest primary sample it holds (0 if it holds the newest)."""
        if not self._samples:
            return None
        if replayed >= self._samples[-1][1]:
            return 0.0
        held = [taken for taken, position in self._samples if position <= replayed]
        oldest = self._samples[0][0]
        return self._clock() - (held[-1] if held else oldest)

    def _mark_down(self, replica: Replica, reason: str) -> None:
        if replica.reachable:
            LOG.warning("%s does not answer (%s): its reads go to the primary", replica.name, reason)
        replica.reachable = False
        replica.lag_seconds = None
        if self._observer is not None:
            self._observer.database_state(replica.name, False, None)

    def start(self) -> None:
        self.poll()
        self._thread = threading.Thread(target=self._run, name="replica-monitor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            try:
                self.poll()
            except Exception:  # the monitor must outlive any one bad round
                LOG.exception("replica monitor round failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def states(self) -> list[DatabaseState]:
        """Each database as this process last saw it: reachable, and a replica's lag."""
        return [
            DatabaseState("primary", self._primary_reachable, None),
            *(DatabaseState(replica.name, replica.reachable, replica.lag_seconds) for replica in self.replicas),
        ]
