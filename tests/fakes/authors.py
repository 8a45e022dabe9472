from collections.abc import Callable
from datetime import datetime

from domain.authors.model import Author, NewAuthor
from domain.errors import ReferenceViolation
from domain.pages import Page, PageRequest
from tests.fakes.base import FakeRepository


class FakeAuthorRepository(FakeRepository[Author]):
    """domain.authors.repository.AuthorRepository in a dict.

    `referrers` play the foreign keys that point here: an author one of them
    still refers to cannot be deleted.
    """

    def __init__(self) -> None:
        super().__init__()
        self.referrers: list[Callable[[int], bool]] = []

    def get(self, author_id: int) -> Author | None:
        return self._rows.by_id.get(author_id)

    def find(self, page: PageRequest) -> Page[Author]:
        return self._page(sorted(self._rows.by_id.values(), key=lambda author: author.id), page)

    def add(self, new: NewAuthor, at: datetime) -> Author:
        author = new.stored_as(self._next_id(), at)
        self._rows.by_id[author.id] = author
        return author

    def delete(self, author_id: int) -> bool:
        if author_id not in self._rows.by_id:
            return False
        if any(refers_to(author_id) for refers_to in self.referrers):
            raise ReferenceViolation("A row refers to one that does not exist, or is still referred to")
        del self._rows.by_id[author_id]
        return True
