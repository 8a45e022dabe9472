from datetime import datetime

from domain.users.model import NewUser, User
from domain.users.repository import LoginFailureRepository, UserRepository
from infrastructure.tables.users import LoginFailureRow, UserRow
from tests.fakes.base import FakeDatabase, FakeRepository


class FakeUserRepository(FakeRepository[User, NewUser], UserRepository):
    """Users in the fake users table; the unique email is the table's own rule."""

    model = UserRow

    def to_entity(self, new: NewUser, entity_id: int, at: datetime) -> User:
        return new.stored_as(entity_id, at)

    def by_email(self, email: str) -> User | None:
        return next((user for user in self.rows() if user.email == email), None)


class FakeLoginFailureRepository(LoginFailureRepository):
    """Failures as rows of the fake login_failures table (mappings of column to value)."""

    def __init__(self, database: FakeDatabase) -> None:
        self._table = database.table(str(LoginFailureRow.__tablename__))

    def since(self, email: str, start: datetime) -> list[datetime]:
        return sorted(row["failed_at"] for row in self._table.where(email=email) if row["failed_at"] >= start)

    def record(self, email: str, at: datetime, forget_before: datetime) -> None:
        for key, row in list(self._table.rows.items()):
            if row["failed_at"] < forget_before:
                self._table.delete(key)
        self._table.insert({"id": self._table.next_id(), "email": email, "failed_at": at})
