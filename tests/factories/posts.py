from factory.base import DictFactory, Factory
from factory.declarations import SelfAttribute, Sequence, SubFactory

from domain.posts.model import NewPost
from infrastructure.tables.posts import PostRow
from tests.factories.authors import AuthorRowFactory
from tests.factories.base import RowFactory
from tests.factories.tasks import AT
from tests.fakes.unit_of_work import ME


class NewPostFactory(Factory[NewPost]):
    """Pass the `author_id` of an author that exists."""

    class Meta:
        model = NewPost

    title = Sequence(lambda n: f"Post {n:05d}")
    body = Sequence(lambda n: f"The body of post {n}.")


class PostPayloadFactory(DictFactory):
    """The body of POST /posts; pass `author_id`."""

    title = Sequence(lambda n: f"Payload post {n:05d}")
    body = Sequence(lambda n: f"Written by a test ({n})")


class PostRowFactory(RowFactory[PostRow]):
    """A post row with an author row of its own, unless given `author`."""

    class Meta:
        model = PostRow

    title = Sequence(lambda n: f"Row post {n:05d}")
    body = ""
    author = SubFactory(AuthorRowFactory)
    author_id = SelfAttribute("author.id")
    created_at = AT
    owner_id = ME.user_id  # the `session` fixture's user
