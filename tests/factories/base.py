from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from factory.alchemy import SQLAlchemyModelFactory
from factory.base import Factory
from sqlmodel import Session, SQLModel

RowT = TypeVar("RowT", bound=SQLModel)

_current: list[Session] = []


def current_session() -> Session:
    if not _current:
        raise RuntimeError("row factories persist through a test's session: ask for the `session` fixture")
    return _current[-1]


@contextmanager
def persisting_through(session: Session) -> Iterator[Session]:
    """Row factories add their rows to `session` (and flush) while the block runs."""
    _current.append(session)
    try:
        yield session
    finally:
        _current.pop()


class RowFactory(SQLAlchemyModelFactory, Factory[RowT]):
    """A table row, added to the test's session and flushed: it has its id, and
    the test's own queries see it."""

    class Meta:
        abstract = True
        sqlalchemy_session_factory = current_session
        sqlalchemy_session_persistence = "flush"
