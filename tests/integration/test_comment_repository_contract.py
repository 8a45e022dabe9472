"""One contract for the comment repositories: fake, SQLite, PostgreSQL."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from domain.comments.model import Comment
from domain.errors import ReferenceViolation
from domain.pages import PageRequest
from domain.posts.model import Post
from domain.unit_of_work import UnitOfWork
from infrastructure.repositories.comments import SqlCommentRepository
from tests.factories.authors import NewAuthorFactory
from tests.factories.comments import CommentRowFactory, NewCommentFactory
from tests.factories.posts import NewPostFactory
from tests.fakes.unit_of_work import ME
from tests.support.databases import LiveDatabase, counting_statements

AT = datetime(2026, 4, 5, 6, 7, 8, 910111, tzinfo=UTC)


def add_post(uow: UnitOfWork) -> Post:
    with uow.acting_as(ME):
        author = uow.authors.add(NewAuthorFactory.build(), AT)
        post = uow.posts.add(NewPostFactory.build(author_id=author.id), AT)
        uow.commit()
    return post


def add_comments(uow: UnitOfWork, post_id: int, count: int) -> list[Comment]:
    with uow.acting_as(ME):
        comments = [uow.comments.add(NewCommentFactory.build(post_id=post_id), AT) for _ in range(count)]
        uow.commit()
    return comments


def test_comments_round_trip_and_list_by_post_in_id_order(any_uow: UnitOfWork) -> None:
    post, other = add_post(any_uow), add_post(any_uow)
    mine = add_comments(any_uow, post.id, 3)
    add_comments(any_uow, other.id, 2)
    with any_uow.acting_as(ME):
        repo = any_uow.comments
        assert [repo.get(c.id) for c in mine] == mine
        assert repo.get(mine[-1].id + 100) is None
        page = repo.of_post(post.id, PageRequest(skip=1, limit=5))
        nothing = repo.of_post(other.id + 100, PageRequest())
    assert (page.items, page.total) == (mine[1:], 3)
    assert (nothing.items, nothing.total) == ([], 0)
    assert mine[0].created_at == AT


def test_a_comment_of_a_missing_post_is_refused_by_the_foreign_key(any_uow: UnitOfWork) -> None:
    with pytest.raises(ReferenceViolation), any_uow.acting_as(ME):
        any_uow.comments.add(NewCommentFactory.build(post_id=4242), AT)
        any_uow.commit()


def test_deleting_a_post_deletes_its_comments_in_the_same_transaction(any_uow: UnitOfWork) -> None:
    post, other = add_post(any_uow), add_post(any_uow)
    gone = add_comments(any_uow, post.id, 2)
    kept = add_comments(any_uow, other.id, 1)
    with any_uow.acting_as(ME):  # not committed: nothing changes
        assert any_uow.posts.delete(post.id)
        assert any_uow.comments.get(gone[0].id) is None
    with any_uow.acting_as(ME):
        assert any_uow.comments.get(gone[0].id) == gone[0]
        assert any_uow.posts.delete(post.id)
        any_uow.commit()
    with any_uow.acting_as(ME):
        repo = any_uow.comments
        assert [repo.get(c.id) for c in gone] == [None, None]
        assert repo.get(kept[0].id) == kept[0]
        assert not repo.delete(gone[0].id)
        assert repo.delete(kept[0].id)


def test_a_page_of_comments_costs_the_same_whatever_its_size(session: Session, clean_database: LiveDatabase) -> None:
    small, large = CommentRowFactory.create().post_id, CommentRowFactory.create().post_id
    CommentRowFactory.create_batch(99, post_id=large)
    session.commit()
    repo = SqlCommentRepository(session)
    counts = []
    for post_id, limit in ((small, 1), (large, 100)):
        with counting_statements(clean_database.engine) as statements:
            assert len(repo.of_post(post_id, PageRequest(limit=limit)).items) == limit
        counts.append(len(statements))
    assert counts == [2, 2]  # the page, then COUNT for its total
