"""In-memory stand-ins for the storage, for unit tests of the domain services.

The repository contract tests (tests/integration/test_*_repository_contract.py)
run against these and against the SQL repositories alike, so they cannot drift.
"""

from typing import Any

from domain.authors.repository import AuthorRepository
from domain.posts.repository import PostRepository
from domain.tasks.repository import TaskRepository
from tests.fakes.authors import FakeAuthorRepository
from tests.fakes.posts import FakePostRepository
from tests.fakes.tasks import FakeTaskRepository
from tests.fakes.unit_of_work import FakeUnitOfWork


def fake_repositories() -> dict[type, Any]:
    """One fake of each repository, wired to each other as the tables are."""
    authors = FakeAuthorRepository()
    return {
        TaskRepository: FakeTaskRepository(),
        AuthorRepository: authors,
        PostRepository: FakePostRepository(authors),
    }


def fake_unit_of_work() -> FakeUnitOfWork:
    return FakeUnitOfWork(fake_repositories())
