from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import Row
from sqlalchemy.orm import QueryableAttribute, joinedload
from sqlmodel import col

from domain.errors import ReferenceViolation
from domain.ids import NO_ID_YET
from domain.pages import Page
from domain.posts.model import AuthorSummary, NewPost, Post, PostQuery
from domain.posts.repository import PostRepository
from infrastructure.repositories.base import Embedded, SqlRepository, stored_id
from infrastructure.tables.authors import AuthorRow
from infrastructure.tables.posts import PostRow

# SQLModel types a relationship as the class it leads to; loader options take
# the class attribute it really is.
_AUTHOR = cast(QueryableAttribute[AuthorRow], PostRow.author)


def _summary(author_id: int | None, name: str) -> AuthorSummary:
    return AuthorSummary(id=stored_id(author_id), name=name)


class SqlPostRepository(SqlRepository[PostRow, Post, NewPost], PostRepository):
    model = PostRow
    entity = Post
    # The author in the same statement as its posts (a many-to-one: a JOIN adds
    # one row's columns), so a page costs the same whatever its size: for reads
    # as two of its columns made into the summary, for a row read to be changed
    # as its table model.
    related: ClassVar[dict[str, Embedded[AuthorSummary]]] = {
        "author": Embedded("author", col(AuthorRow.id), col(AuthorRow.name), make=_summary)
    }
    load = (joinedload(_AUTHOR),)

    def to_entity(self, row: PostRow | Row[Any]) -> Post:
        # A table-model row (reads are views: `related`): the one field that is
        # no column of the table, the author it embeds.
        return self.entity_with(row, author=_summary(row.author.id, row.author.name))

    def to_row(self, new: NewPost, at: datetime) -> PostRow:
        # The author comes with the post (the answer shows its name) and proves it
        # exists; the foreign key still has the last word if it goes meanwhile.
        author = self._session.get(AuthorRow, new.author_id)
        if author is None:
            raise ReferenceViolation(f"Author {new.author_id} does not exist")
        post = new.stored_as(NO_ID_YET, _summary(author.id, author.name), at)
        return PostRow(**self.values_of(post), author=author)

    def find(self, query: PostQuery) -> Page[Post]:
        if query.author_id is None:
            return self._page(query.page)
        return self._page(query.page, col(PostRow.author_id) == query.author_id)
