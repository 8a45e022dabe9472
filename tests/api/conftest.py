"""The app under test: the real container, with the test database's engine and
settings put in through provider overrides, on SQLite and on PostgreSQL.

Each test gets a client on a clean database; afterwards every connection the
app opened must be closed and the pool must have nothing checked out.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dependency_injector import providers
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.container import Container
from tests.api.helpers import ME, PASSWORD, bearer, sign_in, sign_up
from tests.conftest import API_DATABASES
from tests.support.auth import TEST_SECRET, cheap_hasher
from tests.support.databases import LiveDatabase
from tests.support.sessions import OnCommit, SessionLog

# Every connection the app's units of work open, to check each was closed.
CONNECTIONS = SessionLog()


def build_container(
    database: LiveDatabase,
    *,
    own_engine: bool = False,
    before_commit: OnCommit | None = None,
    **settings: Any,
) -> Container:
    """The production container on the test database. With `own_engine` the
    container builds its engine from `settings` (to test pool sizes), else it
    shares the database's engine. Its connections are recorded in CONNECTIONS;
    `before_commit` runs as each of its sessions commits (raise to fail it)."""
    container = Container()
    container.settings.override(providers.Object(database.settings(**{"auth_secret": TEST_SECRET, **settings})))
    container.password_hasher.override(providers.Singleton(cheap_hasher))
    if not own_engine:
        container.engine.override(providers.Object(database.engine))
    container.sessions.override(providers.Singleton(CONNECTIONS.sessions, container.engine, before_commit))
    return container


def signed_up(database: LiveDatabase) -> str:
    """A token of a user registered on `database` through a plain app: an app
    made to fail (its commits, its database) still verifies it."""
    with TestClient(create_app(build_container(database))) as plain:
        registered = plain.post("/users", json={"email": ME, "password": PASSWORD})
        assert registered.status_code in (201, 409), registered.text  # 409: the test's client made it
        return sign_in(plain)


@pytest.fixture(scope="session", params=API_DATABASES)
def database(request: pytest.FixtureRequest) -> LiveDatabase:
    """Here: SQLite, PostgreSQL, and PostgreSQL through PgBouncer."""
    db: LiveDatabase = request.getfixturevalue(f"{request.param}_db")
    return db


@pytest.fixture(scope="session")
def app(database: LiveDatabase) -> FastAPI:
    return create_app(build_container(database))


@pytest.fixture
def client(app: FastAPI, clean_database: LiveDatabase) -> Iterator[TestClient]:
    CONNECTIONS.opened = []
    with TestClient(app) as test_client:
        test_client.headers.update(bearer(sign_up(test_client)))
        yield test_client
    assert not CONNECTIONS.left_open(), f"{len(CONNECTIONS.left_open())} connection(s) left open"


@pytest.fixture
def client_for(clean_database: LiveDatabase) -> Iterator[Callable[..., TestClient]]:
    """A client on an app of its own: pass a container (or settings overrides),
    and raise_server_exceptions=False to see 500s as a client would."""
    clients: list[TestClient] = []

    def make(
        container: Container | None = None, *, raise_server_exceptions: bool = True, **settings: Any
    ) -> TestClient:
        token = signed_up(clean_database)
        test_client = TestClient(
            create_app(container or build_container(clean_database, **settings)),
            raise_server_exceptions=raise_server_exceptions,
        )
        test_client.__enter__()
        clients.append(test_client)
        test_client.headers.update(bearer(token))
        return test_client

    yield make
    for test_client in clients:
        test_client.__exit__(None, None, None)
