from datetime import datetime

from domain.errors import ReferenceViolation
from domain.pages import Page
from domain.posts.model import AuthorSummary, NewPost, Post, PostQuery
from tests.fakes.authors import FakeAuthorRepository
from tests.fakes.base import FakeRepository


class FakePostRepository(FakeRepository[Post]):
    """domain.posts.repository.PostRepository in a dict, with the foreign key to
    `authors` enforced both ways, as the database does."""

    def __init__(self, authors: FakeAuthorRepository) -> None:
        super().__init__()
        self._authors = authors
        authors.referrers.append(self._refers_to)

    def get(self, post_id: int) -> Post | None:
        return self._rows.by_id.get(post_id)

    def find(self, query: PostQuery) -> Page[Post]:
        posts = sorted(self._rows.by_id.values(), key=lambda post: post.id)
        if query.author_id is not None:
            posts = [post for post in posts if post.author_id == query.author_id]
        return self._page(posts, query.page)

    def add(self, new: NewPost, at: datetime) -> Post:
        author = self._authors.get(new.author_id)
        if author is None:
            raise ReferenceViolation("A row refers to one that does not exist, or is still referred to")
        post = new.stored_as(self._next_id(), AuthorSummary(id=author.id, name=author.name), at)
        self._rows.by_id[post.id] = post
        return post

    def delete(self, post_id: int) -> bool:
        return self._rows.by_id.pop(post_id, None) is not None

    def _refers_to(self, author_id: int) -> bool:
        return any(post.author_id == author_id for post in self._rows.by_id.values())
