"""Author use cases."""

from domain.authors.model import Author, NewAuthor
from domain.authors.repository import AuthorRepository
from domain.clock import Clock, utc_now
from domain.errors import NotFound, ReferenceViolation
from domain.ids import is_storable_id
from domain.pages import Page, PageRequest
from domain.unit_of_work import UnitOfWork

ENTITY = "Author"


class AuthorService:
    def __init__(self, uow: UnitOfWork, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._clock = clock

    def create(self, new: NewAuthor) -> Author:
        with self._uow as uow:
            author = uow.repository(AuthorRepository).add(new, self._clock())
            uow.commit()
            return author

    def get(self, author_id: int) -> Author:
        if not is_storable_id(author_id):
            raise NotFound(ENTITY, author_id)
        with self._uow.reading() as uow:
            author = uow.repository(AuthorRepository).get(author_id)
        if author is None:
            raise NotFound(ENTITY, author_id)
        return author

    def find(self, page: PageRequest) -> Page[Author]:
        with self._uow.reading() as uow:
            return uow.repository(AuthorRepository).find(page)

    def delete(self, author_id: int) -> None:
        """Refused while the author has posts: the database's foreign key says so,
        so a post added at the same moment cannot slip through."""
        if not is_storable_id(author_id):
            raise NotFound(ENTITY, author_id)
        try:
            with self._uow as uow:
                if not uow.repository(AuthorRepository).delete(author_id):
                    raise NotFound(ENTITY, author_id)
                uow.commit()
        except ReferenceViolation as exc:
            raise ReferenceViolation(f"Author {author_id} still has posts: delete them first") from exc
