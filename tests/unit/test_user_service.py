"""Which user reads must not lag (a replica may serve the others): the domain
says so through `reading(latest=True)`, and the fake unit of work counts it."""

from typing import Self

from domain.users.service import UserService
from tests.fakes.unit_of_work import FakeUnitOfWork


class PlainHasher:
    def hash(self, password: str) -> str:
        return f"plain:{password}"

    def verify(self, password: str, password_hash: str | None) -> bool:
        return password_hash == f"plain:{password}"


class LaggingUnitOfWork(FakeUnitOfWork):
    """A fake whose reads that may lag miss every user: a replica that has not
    yet replayed the sign-up."""

    def reading(self, snapshot: bool = False, latest: bool = False) -> Self:
        self.lagging = not latest
        return super().reading(snapshot, latest)

    def __enter__(self) -> Self:
        entered = super().__enter__()
        if getattr(self, "lagging", False):
            self.users.get = lambda user_id: None  # type: ignore[method-assign,assignment]
        else:
            self.users.__dict__.pop("get", None)
        self.lagging = False
        return entered


def test_sign_in_reads_what_is_latest() -> None:
    uow = FakeUnitOfWork()
    service = UserService(uow, PlainHasher())
    service.register("ada@example.com", "secret-password")

    assert service.authenticate("ada@example.com", "secret-password").email == "ada@example.com"
    assert uow.latest_blocks == 1


def test_a_token_user_found_on_a_lagging_copy_needs_no_latest_read() -> None:
    uow = FakeUnitOfWork()
    service = UserService(uow, PlainHasher())
    user = service.register("ada@example.com", "secret-password")

    assert service.exists(user.id)
    assert uow.latest_blocks == 0


def test_a_token_user_missing_from_a_lagging_copy_is_asked_of_the_latest() -> None:
    uow = LaggingUnitOfWork()
    service = UserService(uow, PlainHasher())
    user = service.register("ada@example.com", "secret-password")

    assert service.exists(user.id)
    assert uow.latest_blocks == 1
    assert not service.exists(user.id + 1)
    assert uow.latest_blocks == 2
