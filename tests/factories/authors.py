from factory.base import DictFactory, Factory
from factory.declarations import Sequence

from domain.authors.model import NewAuthor
from infrastructure.tables.authors import AuthorRow
from tests.factories.base import RowFactory
from tests.factories.tasks import AT
from tests.fakes.unit_of_work import ME


class NewAuthorFactory(Factory[NewAuthor]):
    class Meta:
        model = NewAuthor

    name = Sequence(lambda n: f"Author {n:05d}")


class AuthorPayloadFactory(DictFactory):
    """The body of POST /authors."""

    name = Sequence(lambda n: f"Payload author {n:05d}")


class AuthorRowFactory(RowFactory[AuthorRow]):
    class Meta:
        model = AuthorRow

    name = Sequence(lambda n: f"Row author {n:05d}")
    created_at = AT
    owner_id = ME.user_id  # the `session` fixture's user
