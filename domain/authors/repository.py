from datetime import datetime
from typing import Protocol

from domain.authors.model import Author, NewAuthor
from domain.pages import Page, PageRequest


class AuthorRepository(Protocol):
    """Storage of authors, inside the caller's unit of work (ids are storable)."""

    def get(self, author_id: int) -> Author | None: ...

    def find(self, page: PageRequest) -> Page[Author]:
        """Authors in id order."""
        ...

    def add(self, new: NewAuthor, at: datetime) -> Author: ...

    def delete(self, author_id: int) -> bool:
        """False when there was no such author. While posts refer to the author,
        raises domain.errors.ReferenceViolation (at the latest on commit)."""
        ...
