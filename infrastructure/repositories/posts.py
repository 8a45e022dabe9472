from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, select

from domain.pages import Page
from domain.posts.model import AuthorSummary, NewPost, Post, PostQuery
from infrastructure.repositories.base import AnyRow, SqlRepository
from infrastructure.tables.authors import AuthorRow
from infrastructure.tables.posts import PostRow

_posts = PostRow.__table__  # type: ignore[attr-defined]
_authors = AuthorRow.__table__  # type: ignore[attr-defined]
_p = _posts.c
_a = _authors.c

# Posts and their authors in one statement: the author is joined, never fetched
# per post, so a page costs the same whatever its size.
_ROWS = select(_p.id, _p.title, _p.body, _p.author_id, _a.name, _p.created_at).join_from(
    _posts, _authors, _p.author_id == _a.id
)
_BY_ID = _ROWS.where(_p.id == bindparam("id"))
_INSERT = insert(_posts).returning(_p.id)
_AUTHOR_NAME = select(_a.name).where(_a.id == bindparam("id"))
_DELETE = delete(_posts).where(_p.id == bindparam("id"))


def _post(row: AnyRow) -> Post:
    return Post(
        id=row[0],
        title=row[1],
        body=row[2],
        author_id=row[3],
        author=AuthorSummary(id=row[3], name=row[4]),
        created_at=row[5],
    )


class SqlPostRepository(SqlRepository):
    """domain.posts.repository.PostRepository on SQL."""

    def get(self, post_id: int) -> Post | None:
        row = self._connection.execute(_BY_ID, {"id": post_id}).first()
        return _post(row) if row is not None else None

    def find(self, query: PostQuery) -> Page[Post]:
        conditions: list[ColumnElement[bool]] = []
        if query.author_id is not None:
            conditions.append(_p.author_id == query.author_id)
        rows = _ROWS.where(*conditions).order_by(_p.id)
        count = select(func.count()).select_from(_posts).where(*conditions)
        return self._page(rows, count, query.page, _post)

    def add(self, new: NewPost, at: datetime) -> Post:
        # The INSERT first: the foreign key, not a look-up before it, decides
        # whether the author exists. Then the author's name, for the answer.
        values = {"title": new.title, "body": new.body, "author_id": new.author_id, "created_at": at}
        post_id = self._connection.execute(_INSERT, values).scalar_one()
        name = self._connection.execute(_AUTHOR_NAME, {"id": new.author_id}).scalar_one()
        return new.stored_as(post_id, AuthorSummary(id=new.author_id, name=name), at)

    def delete(self, post_id: int) -> bool:
        return bool(self._connection.execute(_DELETE, {"id": post_id}).rowcount)
