from datetime import datetime

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from domain.ids import NO_ID_YET
from domain.users.model import NewUser, User
from domain.users.repository import LoginFailureRepository, UserRepository
from infrastructure.repositories.base import SqlRepository
from infrastructure.tables.users import LoginFailureRow, UserRow


class SqlUserRepository(SqlRepository[UserRow, User, NewUser], UserRepository):
    model = UserRow
    entity = User

    def to_row(self, new: NewUser, at: datetime) -> UserRow:
        return self.row_of(new.stored_as(NO_ID_YET, at))

    def by_email(self, email: str) -> User | None:
        row = self._session.exec(select(UserRow).where(UserRow.email == email)).one_or_none()
        return None if row is None else self.to_entity(row)


class SqlLoginFailureRepository(LoginFailureRepository):
    def __init__(self, session: Session) -> None:
        self._session = session

    def since(self, email: str, start: datetime) -> list[datetime]:
        query = (
            select(LoginFailureRow.failed_at)
            .where(LoginFailureRow.email == email, col(LoginFailureRow.failed_at) >= start)
            .order_by(col(LoginFailureRow.failed_at))
        )
        return list(self._session.exec(query).all())

    def record(self, email: str, at: datetime, forget_before: datetime) -> None:
        self._session.exec(delete(LoginFailureRow).where(col(LoginFailureRow.failed_at) < forget_before))
        self._session.exec(insert(LoginFailureRow).values(email=email, failed_at=at))
