from datetime import datetime

from domain.errors import ReferenceViolation
from domain.pages import Page
from domain.posts.model import AuthorSummary, NewPost, Post, PostQuery
from domain.posts.repository import PostRepository
from infrastructure.tables.posts import PostRow
from tests.fakes.base import FakeRepository


class FakePostRepository(FakeRepository[Post, NewPost], PostRepository):
    model = PostRow

    def to_entity(self, new: NewPost, entity_id: int, at: datetime) -> Post:
        author = self._database.table("authors").rows.get((new.author_id,))
        if author is None:
            raise ReferenceViolation(f"Author {new.author_id} does not exist")
        return new.stored_as(entity_id, AuthorSummary(id=author.id, name=author.name), at)

    def find(self, query: PostQuery) -> Page[Post]:
        if query.author_id is None:
            return self._page(query.page)
        return self._page(query.page, lambda post: post.author_id == query.author_id)
