"""One contract for the author and post repositories: fake, SQLite, PostgreSQL."""

from datetime import UTC, datetime

import pytest

from domain.authors.model import Author, NewAuthor
from domain.errors import ReferenceViolation
from domain.pages import PageRequest
from domain.posts.model import AuthorSummary, NewPost, Post, PostQuery
from domain.unit_of_work import UnitOfWork
from tests.fakes.unit_of_work import ME

AT = datetime(2026, 2, 3, 4, 5, 6, 789000, tzinfo=UTC)


def add_author(uow: UnitOfWork, name: str) -> Author:
    with uow.acting_as(ME):
        author = uow.authors.add(NewAuthor(name=name), AT)
        uow.commit()
    return author


def add_post(uow: UnitOfWork, title: str, author_id: int, body: str = "") -> Post:
    with uow.acting_as(ME):
        post = uow.posts.add(NewPost(title=title, author_id=author_id, body=body), AT)
        uow.commit()
    return post


def test_authors_round_trip_and_list_in_id_order(any_uow: UnitOfWork) -> None:
    names = ["Zed", "Ann", "Ann"]  # names repeat: they are not unique
    created = [add_author(any_uow, name) for name in names]
    with any_uow.acting_as(ME):
        repo = any_uow.authors
        assert [repo.get(a.id) for a in created] == created
        assert repo.get(created[-1].id + 100) is None
        page = repo.find(PageRequest(skip=1, limit=5))
    assert ([a.name for a in page.items], page.total) == (["Ann", "Ann"], 3)
    assert created[0].created_at == AT


def test_a_post_comes_back_with_its_author(any_uow: UnitOfWork) -> None:
    ada = add_author(any_uow, "Ada")
    post = add_post(any_uow, "Notes", ada.id, body="  verbatim\n")
    assert post.author == AuthorSummary(id=ada.id, name="Ada")
    with any_uow.acting_as(ME):
        assert any_uow.posts.get(post.id) == post


def test_a_post_of_a_missing_author_is_refused_by_the_foreign_key(any_uow: UnitOfWork) -> None:
    with pytest.raises(ReferenceViolation), any_uow.acting_as(ME):
        any_uow.posts.add(NewPost(title="Orphan", author_id=4242), AT)
        any_uow.commit()
    with any_uow.acting_as(ME):
        assert any_uow.posts.find(PostQuery()).total == 0


def test_an_author_with_posts_is_refused_deletion_by_the_foreign_key(any_uow: UnitOfWork) -> None:
    ada = add_author(any_uow, "Ada")
    add_post(any_uow, "Notes", ada.id)
    with pytest.raises(ReferenceViolation), any_uow.acting_as(ME):
        any_uow.authors.delete(ada.id)
        any_uow.commit()
    with any_uow.acting_as(ME):
        assert any_uow.authors.get(ada.id) == ada


def test_deletes(any_uow: UnitOfWork) -> None:
    ada = add_author(any_uow, "Ada")
    post = add_post(any_uow, "Notes", ada.id)
    with any_uow.acting_as(ME):
        posts, authors = any_uow.posts, any_uow.authors
        assert posts.delete(post.id)
        assert not posts.delete(post.id)
        assert authors.delete(ada.id)
        assert not authors.delete(ada.id)
        any_uow.commit()
    with any_uow.acting_as(ME):
        assert any_uow.authors.get(ada.id) is None


def test_posts_list_in_id_order_with_authors_and_filter(any_uow: UnitOfWork) -> None:
    ada, bob = add_author(any_uow, "Ada"), add_author(any_uow, "Bob")
    for n in range(5):
        add_post(any_uow, f"p{n}", ada.id if n % 2 == 0 else bob.id)
    with any_uow.acting_as(ME):
        repo = any_uow.posts
        everything = repo.find(PostQuery())
        of_bob = repo.find(PostQuery(author_id=bob.id, page=PageRequest(limit=1)))
        of_nobody = repo.find(PostQuery(author_id=bob.id + 50))
    assert [(p.title, p.author.name) for p in everything.items] == [
        ("p0", "Ada"),
        ("p1", "Bob"),
        ("p2", "Ada"),
        ("p3", "Bob"),
        ("p4", "Ada"),
    ]
    assert ([p.title for p in of_bob.items], of_bob.total) == (["p1"], 2)
    assert (of_nobody.items, of_nobody.total) == ([], 0)
