from typing import Protocol

from domain.authors.model import Author, NewAuthor
from domain.pages import Page, PageRequest
from domain.repository import OwnedRepository


class AuthorRepository(OwnedRepository[Author, NewAuthor], Protocol):
    """Storage of authors. Deleting an author who still has posts raises
    domain.errors.ReferenceViolation."""

    def find(self, page: PageRequest) -> Page[Author]:
        """Authors in id order."""
        ...
