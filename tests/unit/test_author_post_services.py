"""AuthorService and PostService on fakes."""

import pytest

from domain.authors.model import NewAuthor
from domain.authors.service import AuthorService
from domain.errors import Conflict, InvalidInput, NotFound
from domain.ids import MAX_ID
from domain.pages import PageRequest
from domain.posts.model import AuthorSummary, NewPost, PostQuery
from domain.posts.service import PostService
from tests.fakes.unit_of_work import ME, FakeUnitOfWork
from tests.unit.conftest import TickingClock


@pytest.fixture
def authors(uow: FakeUnitOfWork, clock: TickingClock) -> AuthorService:
    return AuthorService(uow, clock=clock)


@pytest.fixture
def posts(uow: FakeUnitOfWork, clock: TickingClock) -> PostService:
    return PostService(uow, clock=clock)


def test_a_post_embeds_its_author(authors: AuthorService, posts: PostService, clock: TickingClock) -> None:
    ada = authors.create(ME, NewAuthor(name="Ada"))
    post = posts.create(ME, NewPost(title="Notes", author_id=ada.id))
    assert post.author == AuthorSummary(id=ada.id, name="Ada")
    assert (post.body, post.author_id, post.created_at) == ("", ada.id, clock.now)
    assert posts.get(post.id) == post


@pytest.mark.parametrize("author_id", [999, 0, -4, MAX_ID + 1])
def test_a_post_of_no_author_is_invalid_input_naming_it_and_stores_nothing(
    posts: PostService, uow: FakeUnitOfWork, author_id: int
) -> None:
    with pytest.raises(InvalidInput) as raised:
        posts.create(ME, NewPost(title="Orphan", author_id=author_id))
    assert raised.value.field == "author_id"
    assert str(author_id) in raised.value.detail
    assert uow.posts.find(PostQuery()).total == 0


def test_an_author_with_posts_cannot_be_deleted(authors: AuthorService, posts: PostService) -> None:
    ada = authors.create(ME, NewAuthor(name="Ada"))
    post = posts.create(ME, NewPost(title="Notes", author_id=ada.id))
    with pytest.raises(Conflict, match=f"Author {ada.id} still has posts"):
        authors.delete(ME, ada.id)
    assert authors.get(ada.id) == ada
    posts.delete(ME, post.id)
    authors.delete(ME, ada.id)
    with pytest.raises(NotFound, match="Author not found"):
        authors.get(ada.id)


def test_deleting_a_missing_author_or_post_is_not_found(authors: AuthorService, posts: PostService) -> None:
    with pytest.raises(NotFound, match="Author not found"):
        authors.delete(ME, 5)
    with pytest.raises(NotFound, match="Post not found"):
        posts.delete(ME, 5)


def test_the_author_filter_and_an_authors_posts(authors: AuthorService, posts: PostService) -> None:
    ada, bob, cy = (authors.create(ME, NewAuthor(name=name)) for name in ("Ada", "Bob", "Cy"))
    for n in range(3):
        posts.create(ME, NewPost(title=f"a{n}", author_id=ada.id))
    posts.create(ME, NewPost(title="b0", author_id=bob.id))
    assert [p.title for p in posts.find(PostQuery(author_id=ada.id)).items] == ["a0", "a1", "a2"]
    assert posts.find(PostQuery(author_id=cy.id)).total == 0
    assert posts.find(PostQuery(author_id=12345)).total == 0
    assert posts.find(PostQuery(author_id=MAX_ID + 1)).total == 0
    page = posts.of_author(ada.id, PageRequest(skip=1, limit=1))
    assert ([p.title for p in page.items], page.total) == (["a1"], 3)
    assert posts.of_author(cy.id, PageRequest()).total == 0
    with pytest.raises(NotFound, match="Author not found"):
        posts.of_author(12345, PageRequest())


def test_authors_list_in_id_order(authors: AuthorService) -> None:
    for name in ("b", "a", "c"):
        authors.create(ME, NewAuthor(name=name))
    page = authors.find(PageRequest(limit=2))
    assert ([a.name for a in page.items], page.total) == (["b", "a"], 3)


def test_a_full_page_of_posts_has_its_total_from_one_snapshot(authors: AuthorService, posts: PostService) -> None:
    """A page as long as asked needs a COUNT, which the fakes (as PostgreSQL)
    allow only in a snapshot: the service must ask for one."""
    ada = authors.create(ME, NewAuthor(name="Ada"))
    for n in range(3):
        posts.create(ME, NewPost(title=f"p{n}", author_id=ada.id))
    page = posts.find(PostQuery(page=PageRequest(limit=2)))
    assert ([p.title for p in page.items], page.total) == (["p0", "p1"], 3)
    assert posts.of_author(ada.id, PageRequest(limit=2)).total == 3
