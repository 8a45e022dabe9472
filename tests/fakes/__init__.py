"""In-memory stand-ins for the storage, for unit tests of the domain services.

The repository contract tests (tests/integration/test_*_repository_contract.py)
run against these and against the SQL repositories alike, so they cannot drift.
Every module of this package is imported, and every fake in it is built, by
`fake_repositories()`: a new aggregate's fake is a new module, nothing else.
"""

import importlib
import pkgutil
from typing import Any, Protocol

from tests.fakes.base import FakeRepository, FakeTables
from tests.fakes.unit_of_work import FakeUnitOfWork

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def fake_repositories() -> dict[type, FakeRepository[Any, Any]]:
    """One fake of each repository, keyed by the domain interface it declares,
    all in one fake database (so their foreign keys hold across them)."""
    tables: FakeTables = {}
    return {interface_of(fake): fake(tables) for fake in FakeRepository.__subclasses__()}


def fake_unit_of_work() -> FakeUnitOfWork:
    return FakeUnitOfWork(fake_repositories())


def interface_of(fake: type) -> type:
    """The repository Protocol that `fake` declares it implements (its base that
    is a Protocol)."""
    (interface,) = [base for base in fake.__bases__ if Protocol in base.__bases__]
    return interface
