from datetime import datetime

from domain.authors.model import Author, NewAuthor
from domain.authors.repository import AuthorRepository
from domain.pages import Page, PageRequest
from infrastructure.tables.authors import AuthorRow
from tests.fakes.base import FakeRepository


class FakeAuthorRepository(FakeRepository[Author, NewAuthor], AuthorRepository):
    model = AuthorRow

    def to_entity(self, new: NewAuthor, entity_id: int, at: datetime) -> Author:
        return new.stored_as(entity_id, at)

    def find(self, page: PageRequest) -> Page[Author]:
        return self._page(page)
