from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from domain.pages import Page, PageRequest, total_from_page

T = TypeVar("T")


@dataclass
class _Rows(Generic[T]):
    by_id: dict[int, T] = field(default_factory=dict)
    last_id: int = 0


class FakeRepository(Generic[T]):
    """Rows in a dict, ids from a counter that never goes back (as the tables'
    autoincrement), and snapshot/restore for FakeUnitOfWork."""

    def __init__(self) -> None:
        self._rows: _Rows[T] = _Rows()

    def _next_id(self) -> int:
        self._rows.last_id += 1
        return self._rows.last_id

    def _page(self, ordered: Sequence[T], page: PageRequest) -> Page[T]:
        items = list(ordered[page.skip : page.skip + page.limit])
        implied = total_from_page(page, len(items))
        assert implied is None or implied == len(ordered), "the page and the total disagree"
        return Page(items, len(ordered))

    def snapshot(self) -> Any:
        return self._rows

    def restore(self, snapshot: Any) -> None:
        self._rows = snapshot
