"""Relationships load on purpose or not at all: the table models make a lazy load
an error, so an N+1 or a DetachedInstanceError cannot creep in unnoticed."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from infrastructure.tables.authors import AuthorRow
from infrastructure.tables.posts import PostRow
from tests.support.databases import LiveDatabase

AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def post_id(clean_database: LiveDatabase) -> int:
    with Session(clean_database.engine) as session:
        author = AuthorRow(name="Ada", created_at=AT)
        session.add(author)
        session.flush()
        assert author.id is not None
        post = PostRow(title="Notes", body="", author_id=author.id, created_at=AT)
        session.add(post)
        session.commit()
        assert post.id is not None
        return post.id


def test_touching_an_unloaded_relationship_raises_inside_the_session(
    clean_database: LiveDatabase, post_id: int
) -> None:
    with Session(clean_database.engine) as session:
        post = session.get(PostRow, post_id)
        assert post is not None
        with pytest.raises(sa_exc.InvalidRequestError, match="lazy='raise'"):
            _ = post.author


def test_touching_it_after_the_session_closed_raises_too(clean_database: LiveDatabase, post_id: int) -> None:
    with Session(clean_database.engine, expire_on_commit=False) as session:
        post = session.get(PostRow, post_id)
    assert post is not None
    with pytest.raises(sa_exc.InvalidRequestError, match="lazy='raise'"):
        _ = post.author


def test_loading_it_on_purpose_works(clean_database: LiveDatabase, post_id: int) -> None:
    with Session(clean_database.engine) as session:
        post = session.scalars(select(PostRow).options(selectinload(PostRow.author))).one()  # type: ignore[arg-type]
        author = post.author
        assert author.name == "Ada"
        with pytest.raises(sa_exc.InvalidRequestError, match="lazy='raise'"):
            _ = author.posts
