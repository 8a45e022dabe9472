"""Schemathesis over the OpenAPI document, in process: generated requests,
valid and not, for every operation. Every response passes schemathesis's checks
(call_and_validate: status, content type, headers and body as the document
says; valid input accepted, invalid refused; schemathesis.toml names the two
places where the contract overrules a default), none shows the server's
insides, and every one carries X-Request-ID.

Bounded and repeatable: a fixed number of examples per operation and a
derandomized (fixed-seed) Hypothesis run, so CI sees the same cases each time.
The CLI's own run, with its coverage and stateful phases, against a real server:
tests/system/test_openapi_consumers.py.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from dependency_injector import providers
from hypothesis import HealthCheck, settings
from schemathesis import Case

from api.app import create_app
from api.container import Container
from tests.conftest import DATABASES
from tests.support.databases import LiveDatabase

EXAMPLES_PER_OPERATION = 40
# What the server's insides look like (user input is echoed in details, so these
# are shapes no user text in a generated request takes).
LEAKS = re.compile(
    r"Traceback \(most recent|sqlalchemy\.|psycopg\.|sqlite3\.|File \"/|\[SQL: |INSERT INTO |SELECT \w+\."
)

# The schema is read from the app when this module loads; the fixture below
# points the app's container at each test database in turn.
CONTAINER = Container()
APP = create_app(CONTAINER)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="session", params=DATABASES)
def database(request: pytest.FixtureRequest) -> LiveDatabase:
    db: LiveDatabase = request.getfixturevalue(f"{request.param}_db")
    return db


@pytest.fixture(autouse=True)
def on_the_test_database(clean_database: LiveDatabase) -> Iterator[None]:
    settings = clean_database.settings()
    CONTAINER.settings.override(providers.Object(settings))
    CONTAINER.engine.override(providers.Object(clean_database.engine))
    yield
    CONTAINER.reset_override()
    CONTAINER.reset_singletons()  # the session factory was bound to this engine


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_generated_request_gets_what_the_document_says(case: Case[Any]) -> None:
    response = case.call_and_validate()
    assert not LEAKS.search(response.text), response.text[:300]
    assert "x-request-id" in response.headers
