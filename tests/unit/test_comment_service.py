"""Comment use cases on fakes: no database."""

import pytest

from domain.authors.service import AuthorService
from domain.comments.service import CommentService
from domain.errors import NotFound
from domain.pages import PageRequest
from domain.posts.model import Post
from domain.posts.service import PostService
from tests.factories.authors import NewAuthorFactory
from tests.factories.comments import NewCommentFactory
from tests.factories.posts import NewPostFactory
from tests.fakes.unit_of_work import ME, FakeUnitOfWork
from tests.unit.conftest import TickingClock


@pytest.fixture
def comments(uow: FakeUnitOfWork, clock: TickingClock) -> CommentService:
    return CommentService(uow, clock=clock)


@pytest.fixture
def posts(uow: FakeUnitOfWork, clock: TickingClock) -> PostService:
    return PostService(uow, clock=clock)


@pytest.fixture
def post(uow: FakeUnitOfWork, posts: PostService) -> Post:
    author = AuthorService(uow).create(ME, NewAuthorFactory.build())
    return posts.create(ME, NewPostFactory.build(author_id=author.id))


def test_a_comment_is_stored_on_its_post(comments: CommentService, post: Post, clock: TickingClock) -> None:
    comment = comments.create(ME, NewCommentFactory.build(post_id=post.id, author_name="Grace", body=" verbatim "))
    assert (comment.post_id, comment.author_name, comment.body) == (post.id, "Grace", " verbatim ")
    assert comment.created_at == clock.now
    assert comments.get(comment.id) == comment


@pytest.mark.parametrize("post_id", [777, 0, -1, 2**64])
def test_a_comment_on_a_missing_post_is_not_found_and_stores_nothing(
    comments: CommentService, uow: FakeUnitOfWork, post_id: int
) -> None:
    with pytest.raises(NotFound, match=r"^Post not found$"):
        comments.create(ME, NewCommentFactory.build(post_id=post_id))
    assert uow.comments.rows() == []


def test_a_posts_comments_in_id_order_and_paged(comments: CommentService, post: Post, posts: PostService) -> None:
    other = posts.create(ME, NewPostFactory.build(author_id=post.author_id))
    mine = [comments.create(ME, NewCommentFactory.build(post_id=post.id)) for _ in range(3)]
    comments.create(ME, NewCommentFactory.build(post_id=other.id))
    page = comments.of_post(post.id, PageRequest(skip=1, limit=1))
    assert (page.items, page.total) == ([mine[1]], 3)
    assert comments.of_post(other.id, PageRequest()).total == 1


def test_the_comments_of_a_post_without_any_are_empty_and_of_a_missing_post_not_found(
    comments: CommentService, post: Post
) -> None:
    page = comments.of_post(post.id, PageRequest())
    assert (page.items, page.total) == ([], 0)
    for missing in (post.id + 1, 0, 2**64):
        with pytest.raises(NotFound, match=r"^Post not found$"):
            comments.of_post(missing, PageRequest())


def test_deleting_a_post_deletes_its_comments(comments: CommentService, post: Post, posts: PostService) -> None:
    kept_post = posts.create(ME, NewPostFactory.build(author_id=post.author_id))
    gone = comments.create(ME, NewCommentFactory.build(post_id=post.id))
    kept = comments.create(ME, NewCommentFactory.build(post_id=kept_post.id))
    posts.delete(ME, post.id)
    with pytest.raises(NotFound, match=r"^Comment not found$"):
        comments.get(gone.id)
    assert comments.get(kept.id) == kept


def test_delete_a_comment(comments: CommentService, post: Post) -> None:
    comment = comments.create(ME, NewCommentFactory.build(post_id=post.id))
    comments.delete(ME, comment.id)
    for missing in (comment.id, 0, 2**64):
        with pytest.raises(NotFound, match=r"^Comment not found$"):
            comments.delete(ME, missing)
