"""Relationships load on purpose or not at all: the table models make a lazy load
an error, so an N+1 or a DetachedInstanceError cannot creep in unnoticed, and
the repositories load what their entities show with SQLAlchemy's loader options."""

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect
from sqlmodel import Session

from domain.pages import PageRequest
from domain.posts.model import PostQuery
from infrastructure.repositories.base import SqlRepository
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
    assert len(statements) == 2  # the page with its authors joined, then COUNT
    assert one is not None
    assert one.author.name == "Ada"
    assert len(one_post) == 1


def test_every_declared_relationship_is_loaded_by_a_repository() -> None:
    """A relationship nothing loads is a lazy load waiting to happen: each one the
    tables declare (found from their mappers) is in some SQL repository's
    `load` (found from the classes), and every one is lazy="raise"."""
    declared = {
        relationship
        for mapper in inspect(PostRow).registry.mappers
        if mapper.local_table in metadata.sorted_tables
        for relationship in mapper.relationships
    }
    assert declared  # the check has something to check
    loaded = {
        element.path[1]
        for repository in _subclasses(SqlRepository)
        if repository.__module__.startswith("infrastructure.")  # the app's, not a test's
        for option in getattr(repository, "load", ())
        for element in option.context
    }
    assert declared <= loaded, f"declared and loaded by no repository: {declared - loaded}"
    assert all(relationship.lazy == "raise" for relationship in declared)


def _subclasses(kind: type) -> set[type]:
    found: set[type] = set(kind.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found))
