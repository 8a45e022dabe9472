"""What every aggregate's service shares: the unit of work it opens, the clock
that stamps what it stores, and the rules that read the same for every
aggregate (`found`, `delete_owned`).

Each use case opens its own unit of work and names the repository it uses by
the unit of work's typed attribute (`uow.authors`), as cosmicpython's services
do, so mypy checks every call against that aggregate's own repository
interface; a shared rule takes the repository as an argument. A service
overrides nothing: a failure that means something else for its aggregate (a
post whose author is missing is bad input; a comment of a missing post is a
404) is said in its own use case.
"""

from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from domain.clock import Clock, utc_now
from domain.errors import Forbidden, NotFound
from domain.ids import is_storable_id
from domain.repository import OwnedRepository
from domain.unit_of_work import UnitOfWork

EntityT = TypeVar("EntityT")


class EntityService:
    entity: ClassVar[str]
    """The aggregate's name, as its "not found" detail says it: "Author"."""

    def __init__(self, uow: UnitOfWork, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._clock = clock

    def _now(self) -> datetime:
        """The clock's time in UTC, as every timestamp is stored and shown (a
        clock of another zone is read in UTC)."""
        return self._clock().astimezone(UTC)

    def _check_storable(self, entity_id: int) -> None:
        """NotFound, without asking the database, for an id no row can have."""
        if not is_storable_id(entity_id):
            raise NotFound(self.entity)


def found(entity: str, value: EntityT | None) -> EntityT:
    """What a repository's `get` returned, or NotFound when it found nothing."""
    if value is None:
        raise NotFound(entity)
    return value


def delete_owned(repository: OwnedRepository[Any, Any], entity: str, entity_id: int) -> None:
    """Only its owner deletes a row: NotFound when there is none, Forbidden
    when it is someone else's. One DELETE when it is the caller's; which
    failure it was is asked only when it fails."""
    if not repository.delete(entity_id):
        owned = repository.is_owned(entity_id)
        if owned is None:
            raise NotFound(entity)
        raise not_yours(entity)


def not_yours(entity: str) -> Forbidden:
    """The caller tried to change a row someone else owns."""
    return Forbidden(f"You do not own this {entity.lower()}")
