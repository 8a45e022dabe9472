"""Relationships load on purpose or not at all: the table models make a lazy load
an error, so an N+1 or a DetachedInstanceError cannot creep in unnoticed, and
the repositories load what their entities show with SQLAlchemy's loader options."""

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect
from sqlmodel import Session

from domain.pages import PageRequest
from domain.posts.model import PostQuery
from infrastructure.repositories.posts import SqlPostRepository
from infrastructure.tables import metadata
from infrastructure.tables.posts import PostRow
from infrastructure.unit_of_work import session_factory
from tests.factories.authors import AuthorRowFactory
from tests.factories.posts import PostRowFactory
from tests.support.databases import LiveDatabase, counting_statements


def test_touching_an_unloaded_relationship_raises_inside_the_session(session: Session) -> None:
    post_id = PostRowFactory.create().id
    session.expunge_all()  # forget the author the factory put there
    post = session.get(PostRow, post_id)
    assert post is not None
    with pytest.raises(sa_exc.InvalidRequestError, match="lazy='raise'"):
        _ = post.author


def test_touching_it_after_the_session_closed_raises_too(session: Session, clean_database: LiveDatabase) -> None:
    post_id = PostRowFactory.create().id
    session.commit()
    with session_factory(clean_database.engine)() as other:
        post = other.get(PostRow, post_id)
    assert post is not None
    with pytest.raises(sa_exc.InvalidRequestError, match="lazy='raise'"):
        _ = post.author


def test_the_repository_loads_posts_with_their_authors_in_one_statement(
    session: Session, clean_database: LiveDatabase
) -> None:
    ada, bob = AuthorRowFactory.create(name="Ada"), AuthorRowFactory.create(name="Bob")
    PostRowFactory.create_batch(3, author=ada)
    PostRowFactory.create_batch(2, author=bob)
    session.commit()
    with session_factory(clean_database.engine)() as reading, counting_statements(clean_database.engine) as statements:
        page = SqlPostRepository(reading).find(PostQuery(page=PageRequest(limit=4)))
    with session_factory(clean_database.engine)() as reading, counting_statements(clean_database.engine) as one_post:
        one = SqlPostRepository(reading).get(page.items[0].id)
    assert [post.author.name for post in page.items] == ["Ada"] * 3 + ["Bob"]
    assert page.total == 5
    assert len(statements) == 1  # the page with its authors joined, and its total
    assert one is not None
    assert one.author.name == "Ada"
    assert len(one_post) == 1


def test_only_relationships_that_something_loads_are_declared() -> None:
    """A relationship nothing loads is a lazy load waiting to happen: the tables
    declare the one a repository loads, a post's author, and no other."""
    declared = {
        (mapper.class_.__name__, relationship.key)
        for mapper in inspect(PostRow).registry.mappers
        if mapper.local_table in metadata.sorted_tables
        for relationship in mapper.relationships
    }
    assert declared == {("PostRow", "author")}
