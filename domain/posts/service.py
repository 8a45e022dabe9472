"""Post use cases."""

from domain.entity_service import EntityService, delete_owned, found, not_yours
from domain.errors import InvalidInput, NotFound, ReferenceViolation
from domain.ids import is_storable_id
from domain.pages import Page, PageRequest
from domain.posts.model import NewPost, Post, PostQuery
from domain.users.model import Actor


class PostService(EntityService):
    entity = "Post"

    def create(self, actor: Actor, new: NewPost) -> Post:
        """The author must exist, and be the actor's own; the database's foreign
        key has the last word, so a concurrent delete cannot orphan the post."""
        if not is_storable_id(new.author_id):
            raise unknown_author(new.author_id)
        try:
            with self._uow.acting_as(actor) as uow:
                owned = uow.authors.is_owned(new.author_id)
                if owned is None:
                    raise unknown_author(new.author_id)
                if not owned:
                    raise not_yours("Author")
                created = uow.posts.add(new, self._now())
                uow.commit()
                return created
        except ReferenceViolation as exc:
            raise unknown_author(new.author_id) from exc

    def get(self, post_id: int) -> Post:
        """Public: anyone reads it."""
        self._check_storable(post_id)
        with self._uow.reading() as uow:
            return found(self.entity, uow.posts.get(post_id))

    def delete(self, actor: Actor, post_id: int) -> None:
        """Its owner's alone; its comments go with it."""
        self._check_storable(post_id)
        with self._uow.acting_as(actor) as uow:
            delete_owned(uow.posts, self.entity, post_id)
            uow.commit()

    def find(self, query: PostQuery) -> Page[Post]:
        """An author filter naming no author gives an empty page, not an error."""
        if query.author_id is not None and not is_storable_id(query.author_id):
            return Page([], 0)
        with self._uow.reading(snapshot=True) as uow:
            return uow.posts.find(query)

    def of_author(self, author_id: int, page: PageRequest) -> Page[Post]:
        """An author's posts; NotFound when there is no such author."""
        if not is_storable_id(author_id):
            raise NotFound("Author")
        with self._uow.reading(snapshot=True) as uow:
            posts = uow.posts.find(PostQuery(author_id=author_id, page=page))
            # A post proves its author exists (foreign key); only no posts at all
            # leaves the question open.
            if posts.total == 0 and uow.authors.get(author_id) is None:
                raise NotFound("Author")
            return posts


def unknown_author(author_id: int) -> InvalidInput:
    """A new post names an author who does not exist: bad input, at its field."""
    return InvalidInput(f"Author {author_id} does not exist", field="author_id", kind="not_found")
