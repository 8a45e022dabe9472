"""Watching the sessions an app or a unit of work opens, through SQLAlchemy's
session events (no monkeypatching)."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlmodel import Session

from infrastructure.unit_of_work import session_factory

OnCommit = Callable[[Session], None]


class SessionLog:
    """Every connection the sessions of `sessions()` begin a transaction on, to
    check afterwards that each was closed."""

    def __init__(self) -> None:
        self.opened: list[Connection] = []

    def sessions(self, engine: Engine, before_commit: OnCommit | None = None) -> Callable[[], Session]:
        """The production session factory on `engine`, recording. `before_commit`
        runs as each session commits, and may make the commit fail by raising."""
        factory = session_factory(engine)

        def began(_session: Session, _transaction: Any, connection: Connection) -> None:
            self.opened.append(connection)

        event.listen(factory, "after_begin", began)
        if before_commit is not None:
            event.listen(factory, "before_commit", before_commit)
        return factory

    def left_open(self) -> list[Connection]:
        return [connection for connection in self.opened if not connection.closed]


def failing_commit(error: BaseException) -> OnCommit:
    """A `before_commit` that makes every commit fail with `error`."""

    def fail(_: Session) -> None:
        raise error

    return fail
