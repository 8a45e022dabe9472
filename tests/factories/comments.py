from factory.base import DictFactory, Factory
from factory.declarations import SelfAttribute, Sequence, SubFactory

from domain.comments.model import NewComment
from infrastructure.tables.comments import CommentRow
from tests.factories.base import RowFactory
from tests.factories.posts import PostRowFactory
from tests.factories.tasks import AT
from tests.fakes.unit_of_work import ME


class NewCommentFactory(Factory[NewComment]):
    """Pass the `post_id` of a post that exists."""

    class Meta:
        model = NewComment

    author_name = Sequence(lambda n: f"Commenter {n:05d}")
    body = Sequence(lambda n: f"Comment number {n}.")


class CommentPayloadFactory(DictFactory):
    """The body of POST /posts/{id}/comments."""

    author_name = Sequence(lambda n: f"Payload commenter {n:05d}")
    body = Sequence(lambda n: f"Written by a test ({n})")


class CommentRowFactory(RowFactory[CommentRow]):
    """A comment row on a post row of its own, unless given `post_id`."""

    class Meta:
        model = CommentRow

    class Params:
        post = SubFactory(PostRowFactory)

    post_id = SelfAttribute("post.id")
    author_name = Sequence(lambda n: f"Row commenter {n:05d}")
    body = "A comment."
    created_at = AT
    owner_id = ME.user_id  # the `session` fixture's user
