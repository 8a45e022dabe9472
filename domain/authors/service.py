"""Author use cases."""

from domain.authors.model import Author, NewAuthor
from domain.entity_service import EntityService, delete_owned, found
from domain.errors import ReferenceViolation
from domain.pages import Page, PageRequest
from domain.users.model import Actor


class AuthorService(EntityService):
    entity = "Author"

    def create(self, actor: Actor, new: NewAuthor) -> Author:
        """`new`, stored for `actor`, who owns it."""
        with self._uow.acting_as(actor) as uow:
            created = uow.authors.add(new, self._now())
            uow.commit()
            return created

    def get(self, author_id: int) -> Author:
        """Public: anyone reads it."""
        self._check_storable(author_id)
        with self._uow.reading() as uow:
            return found(self.entity, uow.authors.get(author_id))

    def find(self, page: PageRequest) -> Page[Author]:
        with self._uow.reading(snapshot=True) as uow:
            return uow.authors.find(page)

    def delete(self, actor: Actor, author_id: int) -> None:
        """Its owner's alone; refused while the author has posts: the database's
        foreign key says so, so a post added at the same moment cannot slip
        through."""
        self._check_storable(author_id)
        try:
            with self._uow.acting_as(actor) as uow:
                delete_owned(uow.authors, self.entity, author_id)
                uow.commit()
        except ReferenceViolation as exc:
            raise still_has_posts(author_id) from exc


def still_has_posts(author_id: int) -> ReferenceViolation:
    """An author cannot be deleted before their posts."""
    return ReferenceViolation(f"Author {author_id} still has posts: delete them first")
