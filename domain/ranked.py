from enum import StrEnum
from functools import cache, cached_property


class RankedEnum(StrEnum):
    """A string enum whose members order by meaning: the order the class lists them.

    "low" < "medium" < "high" is what a user means by sorting on priority. The
    order is for sorting only: what is stored and sent is a member's value
    ("in_progress"), never its position, so a member added anywhere in the class
    changes the meaning of nothing already stored (tests/integration/
    test_enum_storage.py adds one). A member compares with the members of its
    enum and with their values as plain strings, by meaning, as `==` compares
    with them by value: `Status.TODO < "done"`.
    """

    @cached_property
    def rank(self) -> int:
        """The member's place in the order of meaning (0 for the first listed)."""
        return _ranks(type(self))[self]

    def __lt__(self, other: str) -> bool:
        return self.rank < self._rank_of(other)

    def __le__(self, other: str) -> bool:
        return self.rank <= self._rank_of(other)

    def __gt__(self, other: str) -> bool:
        return self.rank > self._rank_of(other)

    def __ge__(self, other: str) -> bool:
        return self.rank >= self._rank_of(other)

    def _rank_of(self, other: str) -> int:
        kind = type(self)
        if isinstance(other, kind):
            return other.rank
        if isinstance(other, RankedEnum) or not isinstance(other, str):
            raise TypeError(f"cannot order {kind.__name__} against {type(other).__name__}")
        return kind(other).rank  # a value of this enum, or ValueError naming it


@cache
def _ranks(kind: type[RankedEnum]) -> dict[RankedEnum, int]:
    return {member: position for position, member in enumerate(kind)}
