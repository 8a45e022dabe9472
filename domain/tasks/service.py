"""Task use cases. Each public method is one or more units of work, run for
the acting user: a task is its owner's alone, and another user's task is, to
every use case here, a task that does not exist (the repositories put the
owner in every query; see domain.unit_of_work.UnitOfWork.acting_as)."""

from collections.abc import Sequence

from domain.entity_service import EntityService, found
from domain.errors import AlreadyExists, NotFound, PreconditionFailed
from domain.pages import Page
from domain.preconditions import VersionPrecondition
from domain.tasks.model import NewTask, Task, TaskChanges, TaskQuery
from domain.users.model import Actor

ENTITY = "Task"


class TaskService(EntityService):
    entity = ENTITY

    def create(self, actor: Actor, new: NewTask) -> Task:
        """`new`, stored for `actor`, who owns it; its title is not yet among theirs."""
        try:
            with self._uow.acting_as(actor) as uow:
                created = uow.tasks.add(new, self._now())
                uow.commit()
                return created
        except AlreadyExists as exc:
            raise duplicate_title(new.title) from exc

    def create_many(self, actor: Actor, new: Sequence[NewTask]) -> list[Task]:
        """All or nothing: any duplicate, in the batch or already among the
        actor's tasks, stores none."""
        seen: set[str] = set()
        for item in new:
            if item.title in seen:
                raise repeated_in_batch(item.title)
            seen.add(item.title)
        try:
            with self._uow.acting_as(actor) as uow:
                tasks = uow.tasks.add_many(new, self._now())
                uow.commit()
                return tasks
        except AlreadyExists as exc:
            # The insert failed on the database's own constraint; only now look up
            # which title was taken, to name it (a failed transaction cannot be
            # used for that on PostgreSQL, hence a fresh unit of work).
            with self._uow.acting_as(actor).reading() as uow:
                taken = uow.tasks.existing_titles(seen)
            culprit = next((item.title for item in new if item.title in taken), None)
            if culprit is None:
                raise AlreadyExists("A task with one of these titles already exists") from exc
            raise duplicate_title(culprit) from exc

    def get(self, actor: Actor, task_id: int) -> Task:
        self._check_storable(task_id)
        with self._uow.acting_as(actor).reading() as uow:
            return found(self.entity, uow.tasks.get(task_id))

    def find(self, actor: Actor, query: TaskQuery) -> Page[Task]:
        with self._uow.acting_as(actor).reading(snapshot=True) as uow:
            return uow.tasks.find(query)

    def update(
        self,
        actor: Actor,
        task_id: int,
        changes: TaskChanges,
        precondition: VersionPrecondition | None = None,
    ) -> Task:
        """Apply a partial update; unchanged fields keep their value and version.

        The task is read with get_for_update: a concurrent writer of the same
        task waits until this unit ends, then reads what it stored, so both
        changes are kept and the version rises once for each. That lock is the
        one mechanism; with a precondition, the loser of a race sees the
        winner's version and fails it.
        """
        self._check_storable(task_id)
        try:
            with self._uow.acting_as(actor) as uow:
                current = uow.tasks.get_for_update(task_id)
                if current is None:
                    raise NotFound(ENTITY)
                _check(precondition, current)
                updated = current.changed_by(changes, self._now())
                if updated is current:
                    return current
                uow.tasks.update(updated)
                uow.commit()
                return updated
        except AlreadyExists as exc:  # only a new title can collide
            raise duplicate_title(str(changes.title)) from exc

    def delete(self, actor: Actor, task_id: int, precondition: VersionPrecondition | None = None) -> None:
        """One DELETE; with a precondition, the task is read (and locked) first
        to check its version."""
        self._check_storable(task_id)
        with self._uow.acting_as(actor) as uow:
            tasks = uow.tasks
            if precondition is not None:
                current = tasks.get_for_update(task_id)
                if current is None:
                    raise NotFound(ENTITY)
                _check(precondition, current)
            if not tasks.delete(task_id):
                raise NotFound(ENTITY)
            uow.commit()


def _check(precondition: VersionPrecondition | None, task: Task) -> None:
    if precondition is not None and not precondition.matches(task.version):
        raise stale_version(task.version)


def stale_version(version: int) -> PreconditionFailed:
    """The If-Match of an update or delete names another version than `version`."""
    return PreconditionFailed(f"The task is at version {version}, not the one given in If-Match")


def repeated_in_batch(title: str) -> AlreadyExists:
    """Two tasks of one bulk creation have `title`."""
    return AlreadyExists(f"The title '{title}' is repeated in the batch")


def duplicate_title(title: str) -> AlreadyExists:
    """Another task already has `title`."""
    return AlreadyExists(f"A task titled '{title}' already exists")
