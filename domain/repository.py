"""What every repository does, whatever it stores.

An aggregate's repository interface extends `Repository[Entity, New]` with the
queries of its own, and states nothing of how rows are kept: the SQL
implementations (infrastructure/repositories) and the in-memory fakes
(tests/fakes) both declare the interface they implement, so mypy holds each of
them to it.
"""

from datetime import datetime
from typing import Protocol, TypeVar

EntityT_co = TypeVar("EntityT_co", covariant=True)
NewT_contra = TypeVar("NewT_contra", contravariant=True)


class Repository(Protocol[EntityT_co, NewT_contra]):
    """Storage of one aggregate, inside the caller's unit of work.

    Ids passed in are storable (domain.ids.is_storable_id); services check that.
    """

    def get(self, entity_id: int) -> EntityT_co | None: ...

    def add(self, new: NewT_contra, at: datetime) -> EntityT_co:
        """Store `new`, created `at`, and return it with the id it was given.

        Raises domain.errors.ReferenceViolation when it refers to a row that
        does not exist, and AlreadyExists when it breaks a unique rule (at the
        latest when the unit of work commits).
        """
        ...

    def delete(self, entity_id: int) -> bool:
        """False when there was no such row, or, for an aggregate with owners,
        when the unit's acting user does not own it. Rows that refer to it go
        with it, or the delete raises domain.errors.ReferenceViolation, as the
        relation between them declares."""
        ...


class OwnedRepository(Repository[EntityT_co, NewT_contra], Protocol):
    """Storage of an aggregate that anyone reads and its owner alone deletes
    (authors, posts, comments): `add` records the unit's acting user as the owner."""

    def is_owned(self, entity_id: int) -> bool | None:
        """Whether the acting user owns the row; None when there is no such row."""
        ...
