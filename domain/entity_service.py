"""The use cases every aggregate has: create (for the acting user); and those
of an aggregate that anyone reads and its owner deletes: get one, delete one.

A service of an aggregate extends `EntityService` (or `OwnedEntityService`), says which repository of the
unit of work stores it (`repository`), adds its own use cases, and overrides
one of these only to say what a failure means for it (a post whose author is
missing is bad input; a comment of a missing post is a 404).
"""

from abc import ABC, abstractmethod
from datetime import UTC, datetime
from typing import ClassVar, Generic, TypeVar

from domain.clock import Clock, utc_now
from domain.errors import Forbidden, NotFound
from domain.ids import is_storable_id
from domain.repository import OwnedRepository, Repository
from domain.unit_of_work import UnitOfWork
from domain.users.model import Actor

EntityT = TypeVar("EntityT")
NewT = TypeVar("NewT")


class EntityService(ABC, Generic[EntityT, NewT]):
    entity: ClassVar[str]
    """The aggregate's name, as its "not found" detail says it: "Author"."""

    def __init__(self, uow: UnitOfWork, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._clock = clock

    @staticmethod
    @abstractmethod
    def repository(uow: UnitOfWork) -> Repository[EntityT, NewT]:
        """The unit of work's repository of this aggregate: `return uow.authors`."""

    def create(self, actor: Actor, new: NewT) -> EntityT:
        """`new`, stored for `actor`, who owns it."""
        with self._uow.acting_as(actor) as uow:
            created = self.repository(uow).add(new, self._now())
            uow.commit()
            return created

    def _now(self) -> datetime:
        """The clock's time in UTC, as every timestamp is stored and shown (a
        clock of another zone is read in UTC)."""
        return self._clock().astimezone(UTC)


class OwnedEntityService(EntityService[EntityT, NewT]):
    """The use cases of an aggregate that anyone reads and only its owner
    deletes (authors, posts, comments)."""

    @staticmethod
    @abstractmethod
    def repository(uow: UnitOfWork) -> OwnedRepository[EntityT, NewT]: ...

    def get(self, entity_id: int) -> EntityT:
        """Public: anyone reads it."""
        if is_storable_id(entity_id):
            with self._uow.reading() as uow:
                found = self.repository(uow).get(entity_id)
            if found is not None:
                return found
        raise NotFound(self.entity)

    def delete(self, actor: Actor, entity_id: int) -> None:
        """Only its owner deletes a row: NotFound when there is none, Forbidden
        when it is someone else's. One DELETE when it is the caller's; the
        question of which failure it was is asked only when it fails."""
        if not is_storable_id(entity_id):
            raise NotFound(self.entity)
        with self._uow.acting_as(actor) as uow:
            repository = self.repository(uow)
            if not repository.delete(entity_id):
                owned = repository.is_owned(entity_id)
                if owned is None:
                    raise NotFound(self.entity)
                raise not_yours(self.entity)
            uow.commit()


def not_yours(entity: str) -> Forbidden:
    """The caller tried to change a row someone else owns."""
    return Forbidden(f"You do not own this {entity.lower()}")
