"""The use cases every aggregate has: create, get one, delete one.

A service of an aggregate extends `EntityService`, says which repository of the
unit of work stores it (`repository`), adds its own use cases, and overrides
one of these only to say what a failure means for it (a post whose author is
missing is bad input; a comment of a missing post is a 404).
"""

from abc import ABC, abstractmethod
from datetime import UTC, datetime
from typing import ClassVar, Generic, TypeVar

from domain.clock import Clock, utc_now
from domain.errors import NotFound
from domain.ids import is_storable_id
from domain.repository import Repository
from domain.unit_of_work import UnitOfWork

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

    def create(self, new: NewT) -> EntityT:
        with self._uow as uow:
            created = self.repository(uow).add(new, self._now())
            uow.commit()
            return created

    def _now(self) -> datetime:
        """The clock's time in UTC, as every timestamp is stored and shown (a
        clock of another zone is read in UTC)."""
        return self._clock().astimezone(UTC)

    def get(self, entity_id: int) -> EntityT:
        if is_storable_id(entity_id):
            with self._uow.reading() as uow:
                found = self.repository(uow).get(entity_id)
            if found is not None:
                return found
        raise NotFound(self.entity)

    def delete(self, entity_id: int) -> None:
        if not is_storable_id(entity_id):
            raise NotFound(self.entity)
        with self._uow as uow:
            if not self.repository(uow).delete(entity_id):
                raise NotFound(self.entity)
            uow.commit()
