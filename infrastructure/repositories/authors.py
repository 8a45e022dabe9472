from datetime import datetime

from domain.authors.model import Author, NewAuthor
from domain.authors.repository import AuthorRepository
from domain.ids import NO_ID_YET
from domain.pages import Page, PageRequest
from infrastructure.repositories.base import SqlRepository
from infrastructure.tables.authors import AuthorRow


class SqlAuthorRepository(SqlRepository[AuthorRow, Author, NewAuthor], AuthorRepository):
    model = AuthorRow
    entity = Author

    def to_row(self, new: NewAuthor, at: datetime) -> AuthorRow:
        return self.row_of(new.stored_as(NO_ID_YET, at))

    def find(self, page: PageRequest) -> Page[Author]:
        return self._page(page)
