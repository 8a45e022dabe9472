"""Author use cases."""

from domain.authors.model import Author, NewAuthor
from domain.authors.repository import AuthorRepository
from domain.entity_service import OwnedEntityService
from domain.errors import ReferenceViolation
from domain.pages import Page, PageRequest
from domain.unit_of_work import UnitOfWork
from domain.users.model import Actor


class AuthorService(OwnedEntityService[Author, NewAuthor]):
    entity = "Author"

    @staticmethod
    def repository(uow: UnitOfWork) -> AuthorRepository:
        return uow.authors

    def find(self, page: PageRequest) -> Page[Author]:
        with self._uow.reading(snapshot=True) as uow:
            return uow.authors.find(page)

    def delete(self, actor: Actor, entity_id: int) -> None:
        """Refused while the author has posts: the database's foreign key says so,
        so a post added at the same moment cannot slip through."""
        try:
            super().delete(actor, entity_id)
        except ReferenceViolation as exc:
            raise still_has_posts(entity_id) from exc


def still_has_posts(author_id: int) -> ReferenceViolation:
    """An author cannot be deleted before their posts."""
    return ReferenceViolation(f"Author {author_id} still has posts: delete them first")
