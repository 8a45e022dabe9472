"""Real server processes (uvicorn, two workers) on real databases, driven over
HTTP by real threads: what no in-process test can show (several processes on
one database, a database that goes away under load)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DATABASES
from tests.support.databases import LiveDatabase
from tests.support.server import ServerProcess, running_server


@pytest.fixture(scope="module", params=DATABASES)
def database(request: pytest.FixtureRequest) -> LiveDatabase:
    db: LiveDatabase = request.getfixturevalue(f"{request.param}_db")
    return db


@pytest.fixture(scope="module")
def server(database: LiveDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Two uvicorn workers on the test database."""
    log_dir = Path(tmp_path_factory.mktemp("server"))
    with running_server(log_dir, database.url, workers=2, db_pool_size="5") as process:
        yield process
