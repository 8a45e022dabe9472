"""The Author aggregate."""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

NAME_MAX_LENGTH: Final = 100


@dataclass(frozen=True)
class Author:
    """A stored author. Field order is the order of the JSON the API returns."""

    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewAuthor:
    """What a client supplies to create an author (already validated and trimmed)."""

    name: str

    def stored_as(self, author_id: int, at: datetime) -> Author:
        return Author(id=author_id, name=self.name, created_at=at)
