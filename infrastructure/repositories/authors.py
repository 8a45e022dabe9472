from datetime import datetime

from domain.authors.model import Author, NewAuthor
from domain.authors.repository import AuthorRepository
from domain.pages import Page, PageRequest
from infrastructure.repositories.base import SqlRepository, stored_id
from infrastructure.tables.authors import AuthorRow


class SqlAuthorRepository(SqlRepository[AuthorRow, Author, NewAuthor], AuthorRepository):
    model = AuthorRow

    def to_entity(self, row: AuthorRow) -> Author:
        return Author(id=stored_id(row.id), name=row.name, created_at=row.created_at)

    def to_row(self, new: NewAuthor, at: datetime) -> AuthorRow:
        return AuthorRow(name=new.name, created_at=at)

    def find(self, page: PageRequest) -> Page[Author]:
        return self._page(page)
