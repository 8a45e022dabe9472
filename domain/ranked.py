from enum import StrEnum
from functools import cache, cached_property
from typing import Self, cast


class RankedEnum(StrEnum):
    """A string enum whose members compare by declaration order, not alphabetically.

    "low" < "medium" < "high" is what a user means by sorting on priority. The SQL
    tables store `rank`, so the database sorts the same way as this class does.
    """

    @cached_property
    def rank(self) -> int:
        # Computed once per member (a bulk insert asks 2,000 times per request).
        return list(type(self)).index(self)

    @classmethod
    def from_rank(cls, rank: int) -> Self:
        return cast(Self, _in_order(cls)[rank])

    def __lt__(self, other: str) -> bool:
        return self.rank < self._same_kind(other).rank

    def __le__(self, other: str) -> bool:
        return self.rank <= self._same_kind(other).rank

    def __gt__(self, other: str) -> bool:
        return self.rank > self._same_kind(other).rank

    def __ge__(self, other: str) -> bool:
        return self.rank >= self._same_kind(other).rank

    def _same_kind(self, other: str) -> Self:
        if type(other) is not type(self):
            raise TypeError(f"cannot order {type(self).__name__} against {type(other).__name__}")
        return other


@cache
def _in_order(kind: type[RankedEnum]) -> tuple[RankedEnum, ...]:
    # Once per enum: a page of rows asks for every row.
    return tuple(kind)
