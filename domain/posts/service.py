"""Post use cases."""

from domain.authors.repository import AuthorRepository
from domain.clock import Clock, utc_now
from domain.errors import InvalidInput, NotFound, ReferenceViolation
from domain.ids import is_storable_id
from domain.pages import Page, PageRequest
from domain.posts.model import NewPost, Post, PostQuery
from domain.posts.repository import PostRepository
from domain.unit_of_work import UnitOfWork

ENTITY = "Post"


class PostService:
    def __init__(self, uow: UnitOfWork, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._clock = clock

    def create(self, new: NewPost) -> Post:
        """The author must exist: the database's foreign key decides, in the same
        statement that stores the post, so a concurrent delete cannot orphan it."""
        if not is_storable_id(new.author_id):
            raise _unknown_author(new.author_id)
        try:
            with self._uow as uow:
                post = uow.repository(PostRepository).add(new, self._clock())
                uow.commit()
                return post
        except ReferenceViolation as exc:
            raise _unknown_author(new.author_id) from exc

    def get(self, post_id: int) -> Post:
        if not is_storable_id(post_id):
            raise NotFound(ENTITY, post_id)
        with self._uow.reading() as uow:
            post = uow.repository(PostRepository).get(post_id)
        if post is None:
            raise NotFound(ENTITY, post_id)
        return post

    def find(self, query: PostQuery) -> Page[Post]:
        """An author filter naming no author gives an empty page, not an error."""
        if query.author_id is not None and not is_storable_id(query.author_id):
            return Page([], 0)
        with self._uow.reading() as uow:
            return uow.repository(PostRepository).find(query)

    def of_author(self, author_id: int, page: PageRequest) -> Page[Post]:
        """An author's posts; NotFound when there is no such author."""
        if not is_storable_id(author_id):
            raise NotFound("Author", author_id)
        with self._uow.reading() as uow:
            posts = uow.repository(PostRepository).find(PostQuery(author_id=author_id, page=page))
            # A post proves its author exists (foreign key); only no posts at all
            # leaves the question open.
            if posts.total == 0 and uow.repository(AuthorRepository).get(author_id) is None:
                raise NotFound("Author", author_id)
            return posts

    def delete(self, post_id: int) -> None:
        if not is_storable_id(post_id):
            raise NotFound(ENTITY, post_id)
        with self._uow as uow:
            if not uow.repository(PostRepository).delete(post_id):
                raise NotFound(ENTITY, post_id)
            uow.commit()


def _unknown_author(author_id: int) -> InvalidInput:
    return InvalidInput(f"Author {author_id} does not exist", field="author_id", kind="not_found")
