"""Deliberately wrong: units of work that bind a repository to the wrong
attribute. `make typecheck` skips this file (pyproject.toml: exclude);
test_wrong_bindings.py runs mypy over it and expects exactly the errors marked
`# error:` below, so a binding mistake can never again pass the type checker."""

from sqlmodel import Session

from domain.unit_of_work import UnitOfWork
from domain.users.model import Actor
from infrastructure.repositories.authors import SqlAuthorRepository
from infrastructure.repositories.tasks import SqlTaskRepository
from infrastructure.unit_of_work import SqlUnitOfWork
from tests.fakes.authors import FakeAuthorRepository
from tests.fakes.unit_of_work import FakeUnitOfWork


class SwappedUnitOfWork(UnitOfWork):
    """As SqlUnitOfWork binds its repositories, two of them swapped."""

    def _bind(self, session: Session, actor: Actor | None) -> None:
        self.tasks = SqlAuthorRepository(session, actor)  # error: [assignment] "SqlAuthorRepository" "TaskRepository"
        self.authors = SqlTaskRepository(session, actor)  # error: [assignment] "SqlTaskRepository" "AuthorRepository"


class AuthorsAsTasks(SqlUnitOfWork):
    """A test's substitute of the wrong kind."""

    def _bind(self, session: Session, actor: Actor | None) -> None:
        super()._bind(session, actor)
        authors = SqlAuthorRepository(session, actor)
        self.tasks = authors  # error: [assignment] "SqlAuthorRepository" "SqlTaskRepository"


class FakeAuthorsAsTasks(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        db = self.database
        self.tasks = FakeAuthorRepository(db)  # error: [assignment] "FakeAuthorRepository" "FakeTaskRepository"
