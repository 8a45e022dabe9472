"""Author use cases."""

from domain.authors.model import Author, NewAuthor
from domain.authors.repository import AuthorRepository
from domain.entity_service import EntityService
from domain.errors import ReferenceViolation
from domain.pages import Page, PageRequest
from domain.unit_of_work import UnitOfWork


class AuthorService(EntityService[Author, NewAuthor]):
    entity = "Author"

    @staticmethod
    def repository(uow: UnitOfWork) -> AuthorRepository:
        return uow.authors

    def find(self, page: PageRequest) -> Page[Author]:
        with self._uow.reading(snapshot=True) as uow:
            return uow.authors.find(page)

    def delete(self, entity_id: int) -> None:
        """Refused while the author has posts: the database's foreign key says so,
        so a post added at the same moment cannot slip through."""
        try:
            super().delete(entity_id)
        except ReferenceViolation as exc:
            raise still_has_posts(entity_id) from exc


def still_has_posts(author_id: int) -> ReferenceViolation:
    """An author cannot be deleted before their posts."""
    return ReferenceViolation(f"Author {author_id} still has posts: delete them first")
