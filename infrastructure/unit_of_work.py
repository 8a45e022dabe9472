"""The SQL unit of work: one SQLModel Session, one transaction, always closed."""

import time
from collections.abc import Callable
from contextlib import suppress
from types import TracebackType
from typing import Literal, Protocol, Self

from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.errors import Unavailable
from domain.unit_of_work import UnitOfWork
from domain.users.model import Actor
from infrastructure import consistency
from infrastructure.consistency import PRIMARY
from infrastructure.database import act_as, transaction_options
from infrastructure.errors import to_domain_error, translate_database_errors
from infrastructure.replicas import ReadRouting
from infrastructure.repositories.authors import SqlAuthorRepository
from infrastructure.repositories.base import ONE_SNAPSHOT
from infrastructure.repositories.comments import SqlCommentRepository
from infrastructure.repositories.posts import SqlPostRepository
from infrastructure.repositories.tasks import SqlTaskRepository
from infrastructure.repositories.users import SqlLoginFailureRepository, SqlUserRepository

Outcome = Literal["committed", "rolled_back", "read_only"]


class UnitOfWorkObserver(Protocol):
    """Hears what units of work do, for metrics (api/metrics.py implements it)."""

    def connected(self, seconds: float) -> None:
        """A unit got its connection after `seconds` (long ones waited for the pool)."""

    def no_connection(self, error: sa_exc.SQLAlchemyError) -> None:
        """A unit could not get a connection (the pool timed out, the database is down)."""

    def ended(self, outcome: Outcome) -> None: ...


class SqlUnitOfWork(UnitOfWork):
    """Implements domain.unit_of_work.UnitOfWork on a SQLModel Session.

    The `with` block owns one Session, made by `sessions` (a sessionmaker with
    expire_on_commit=False: what a repository returned stays readable after the
    commit). On entry the session checks a connection out of the pool and
    begins its transaction, configured for the block (see
    infrastructure.database.transaction_options), and the repositories are
    made on it (`_bind`); the service says `commit()`; leaving the block closes
    the session whichever way it ends, which rolls back whatever was not
    committed and returns the connection (a reading block, which wrote
    nothing, ends with COMMIT: `_end_reading`). A closed session refuses further use
    (`close_resets_only=False`), so a repository kept past its block fails
    loudly instead of opening a transaction nobody will end. Database errors
    that escape the block leave it as domain errors (infrastructure/errors.py).
    """

    def __init__(
        self,
        sessions: Callable[..., Session],
        observer: UnitOfWorkObserver | None = None,
        routing: ReadRouting | None = None,
    ) -> None:
        self._sessions = sessions
        self._observer = observer
        self._routing = routing
        self._session: Session | None = None
        self._reading = False
        self._snapshot = False
        self._latest = False
        self._committed = False
        self._actor: Actor | None = None

    def _bind(self, session: Session, actor: Actor | None) -> None:
        """Make this block's repositories on its session, for its acting user:
        one line per aggregate. mypy holds each to the interface that
        UnitOfWork declares for it."""
        self.tasks = SqlTaskRepository(session, actor)
        self.authors = SqlAuthorRepository(session, actor)
        self.posts = SqlPostRepository(session, actor)
        self.comments = SqlCommentRepository(session, actor)
        self.users = SqlUserRepository(session)
        self.login_failures = SqlLoginFailureRepository(session)

    def acting_as(self, actor: Actor) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        self._actor = actor
        return self

    def reading(self, snapshot: bool = False, latest: bool = False) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        self._reading = True
        self._snapshot = snapshot
        self._latest = latest
        return self

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        session = self._open_session()
        try:
            try:
                self._begin(session)
            except Unavailable:
                if not self._on_replica(session):
                    raise
                # The replica failed between routing's check and here: the
                # primary serves this block instead.
                self._replica_failed(session)
                with suppress(sa_exc.SQLAlchemyError):
                    session.close()
                session = self._sessions()
                self._begin(session)
        except BaseException:
            self._reading = self._snapshot = self._latest = False
            self._actor = None
            session.close()
            raise
        self._session = session
        self._bind(session, self._actor)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        if self._observer is not None:
            self._observer.ended("read_only" if self._reading else "committed" if self._committed else "rolled_back")
        reading = self._reading
        if exc is not None and self._on_replica(session) and _is_unavailable(exc):
            self._replica_failed(session)
            request = consistency.current()
            if request is not None:
                # Too late to change where this block reads: the request is
                # answered again from the primary (api/middleware.py).
                request.replica_failed = True
        self._reading = self._snapshot = self._latest = self._committed = False
        self._actor = None
        if exc is None:
            self._end(session, reading)
        else:
            # The error already on its way out says more than a failed close.
            with suppress(sa_exc.SQLAlchemyError):
                session.close()
        if isinstance(exc, sa_exc.SQLAlchemyError):
            domain_error = to_domain_error(exc)
            if domain_error is not None:
                raise domain_error from exc

    def _end(self, session: Session, reading: bool) -> None:
        """Close a block that ended without an error (see _end_reading)."""
        try:
            with translate_database_errors():
                try:
                    if reading:
                        _end_reading(session)
                finally:
                    session.close()
        except Unavailable:
            if not reading:
                raise
            # What was read is read: a connection lost while it was being
            # released (a replica going down) costs the request nothing.
            if self._on_replica(session):
                self._replica_failed(session)
        if not reading:
            self._note_written()

    def commit(self) -> None:
        if self._reading:
            raise RuntimeError("a unit of work opened with reading() cannot commit")
        self._active().commit()
        self._committed = True

    def _open_session(self) -> Session:
        """A session on the primary, or, for a reading block with replicas, on
        the database that routing picks for what this request must see."""
        if self._routing is None or not self._reading:
            return self._sessions()
        request = consistency.current()
        required = PRIMARY if self._latest else request.required if request is not None else None
        return self._sessions(bind=self._routing.engine_for_read(required))

    def _on_replica(self, session: Session) -> bool:
        return self._routing is not None and session.get_bind() is not self._routing.primary

    def _replica_failed(self, session: Session) -> None:
        if self._routing is not None:
            self._routing.failed(session.get_bind().engine)

    def _note_written(self) -> None:
        """Where the primary stands after this block (which ran there): the
        request's consistency token, and what its later reads must see. Asked
        only with replicas: without them every read is the primary's, and the
        token needs no position (infrastructure/consistency.py)."""
        request = consistency.current()
        if self._routing is None or request is None:
            return
        position = self._routing.primary_position()
        request.wrote(PRIMARY if position is None else position)

    def _begin(self, session: Session) -> None:
        """Check out the connection and begin the transaction, timed."""
        started = time.perf_counter()
        with translate_database_errors():
            try:
                engine = session.get_bind().engine
                acting = self._actor is not None
                options = transaction_options(engine, reading=self._reading, snapshot=self._snapshot, acting=acting)
                connection = session.connection(execution_options=options)
                # Autocommit, or READ COMMITTED for a user: each statement its own snapshot.
                many = self._reading and not self._snapshot and engine.dialect.name == "postgresql"
                session.info[ONE_SNAPSHOT] = not many
                if self._actor is not None:
                    act_as(connection, self._actor.user_id, reading=self._reading, snapshot=self._snapshot)
            except sa_exc.SQLAlchemyError as error:
                if self._observer is not None:
                    self._observer.no_connection(error)
                raise
        if self._observer is not None:
            self._observer.connected(time.perf_counter() - started)

    def _active(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        return self._session


def _end_reading(session: Session) -> None:
    """End a reading unit's transaction with COMMIT, not the ROLLBACK that
    closing would send: for a transaction that wrote nothing the server does
    the same, but psycopg answers its own rollback() by discarding every
    statement it has prepared on the connection (DEALLOCATE ALL, one more
    round trip), so that reads would never keep one, nor a write that follows
    a read (README, Speed: "Reads end with COMMIT"). A row a reading unit
    changed is refused here rather than written by the commit's flush."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a unit of work opened with reading() changed rows: nothing of it was written")
    session.commit()


def session_factory(engine: Engine) -> Callable[..., Session]:
    """Sessions for units of work: expire_on_commit=False, so that what a unit
    read or wrote stays readable after its commit without another query;
    close_resets_only=False, so that a closed session cannot be used again."""
    return sessionmaker(engine, class_=Session, expire_on_commit=False, close_resets_only=False)


def _is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database went away (as opposed to a bug or a conflict)."""
    if isinstance(error, sa_exc.SQLAlchemyError):
        return isinstance(to_domain_error(error), Unavailable)
    return isinstance(error, Unavailable)
