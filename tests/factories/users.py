from factory.declarations import Sequence

from infrastructure.tables.users import UserRow
from tests.factories.base import RowFactory
from tests.factories.tasks import AT


class UserRowFactory(RowFactory[UserRow]):
    class Meta:
        model = UserRow

    email = Sequence(lambda n: f"row-user-{n:05d}@example.com")
    password_hash = "not a real hash"
    created_at = AT
