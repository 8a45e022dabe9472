"""In-memory stand-ins for the storage, for unit tests of the domain services.

The repository contract tests (tests/integration/test_*_repository_contract.py)
run against these and against the SQL repositories alike, so they cannot drift.
`FakeUnitOfWork()` makes one fake of each repository on one fake database;
`with_me(...)` adds the user ME, whom a test acts as.
"""

from tests.fakes.base import FakeDatabase, FakeRepository
from tests.fakes.unit_of_work import ME, FakeUnitOfWork, with_me

__all__ = ["ME", "FakeDatabase", "FakeRepository", "FakeUnitOfWork", "with_me"]
