import copy
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar, cast

R = TypeVar("R")


class Snapshotting(Protocol):
    def snapshot(self) -> Any: ...

    def restore(self, snapshot: Any) -> None: ...


class FakeUnitOfWork:
    """domain.unit_of_work.UnitOfWork in memory, with the same contract: changes
    survive only a commit; leaving the block otherwise restores what was there."""

    def __init__(self, repositories: Mapping[type, Snapshotting]) -> None:
        self._repositories = repositories
        self._before: dict[type, Any] | None = None
        self.commits = 0
        self.rollbacks = 0
        self.entered = 0
        self._reading = False

    def reading(self) -> Self:
        if self._before is not None:
            raise RuntimeError("this unit of work is already open")
        self._reading = True
        return self

    def __enter__(self) -> Self:
        if self._before is not None:
            raise RuntimeError("this unit of work is already open")
        self._before = {kind: copy.deepcopy(repo.snapshot()) for kind, repo in self._repositories.items()}
        self.entered += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        before, self._before = self._before, None
        reading, self._reading = self._reading, False
        if before is None:
            return
        # Whatever was not committed goes: restore the state of the last commit.
        changed = False
        for kind, repo in self._repositories.items():
            if repo.snapshot() != before[kind]:
                repo.restore(before[kind])
                self.rollbacks += 1
                changed = True
        if reading and changed and exc is None:
            raise AssertionError("a unit of work opened with reading() wrote")

    def commit(self) -> None:
        if self._before is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        if self._reading:
            raise RuntimeError("a unit of work opened with reading() cannot commit")
        self._before = {kind: copy.deepcopy(repo.snapshot()) for kind, repo in self._repositories.items()}
        self.commits += 1

    def repository(self, interface: type[R]) -> R:
        if self._before is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        return cast(R, self._repositories[interface])
