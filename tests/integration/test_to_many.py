"""The repository bases serve a many-to-many relation as well as a to-one:
notes with labels (tests/support/notes.py), on the fake and on both databases.

Pages and locked reads apply the loader options of a joined collection safely
(each aggregate once, the total right, only the aggregate's own rows locked),
link rows are counted on every driver, and the fake keeps the link table by
the same metadata (composite key, foreign keys, cascade and refusal)."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, make_url

from domain.errors import AlreadyExists, ReferenceViolation
from domain.pages import PageRequest
from infrastructure.database import build_engine
from infrastructure.errors import translate_database_errors
from infrastructure.settings import Settings
from infrastructure.unit_of_work import session_factory
from tests.fakes.base import FakeDatabase
from tests.support.databases import counting_statements, postgres_conninfo
from tests.support.notes import FakeNoteRepository, NewNote, SqlNoteRepository, metadata

AT = datetime(2026, 1, 1, tzinfo=UTC)
Unit = Callable[[], AbstractContextManager[Any]]


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty PostgreSQL database of the test's own (the example tables are no
    part of the app's migrated schema)."""
    server: str = request.getfixturevalue("postgres_server")
    name = f"tasks_notes_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_conninfo(server), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(postgres_conninfo(server), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine | None]:
    if kind == "fake":
        yield None
        return
    url = f"sqlite:///{tmp_path / 'notes.db'}" if kind == "sqlite" else request.getfixturevalue("postgres_url")
    made = build_engine(Settings(database_url=url))  # SQLite: foreign keys on, as the app's
    metadata.create_all(made)
    yield made
    made.dispose()


@pytest.fixture
def unit(engine: Engine | None) -> Unit:
    """A unit of work on the notes: a committed session, or the fake itself."""
    if engine is None:
        fake = FakeNoteRepository(FakeDatabase(metadata))
        return lambda: nullcontext(fake)
    sessions = session_factory(engine)

    @contextmanager
    def committed() -> Iterator[SqlNoteRepository]:
        with sessions() as session, translate_database_errors():
            yield SqlNoteRepository(session)
            session.commit()

    return committed


def labels(unit: Unit, *names: str) -> list[int]:
    with unit() as notes:
        return [notes.add_label(name) for name in names]


def test_a_page_carries_each_note_once_with_all_its_labels(unit: Unit, engine: Engine | None) -> None:
    red, green, blue = labels(unit, "red", "green", "blue")
    with unit() as notes:
        first = notes.add(NewNote("first", (red, green, blue)), AT)
        second = notes.add(NewNote("second", (blue,)), AT)
        third = notes.add(NewNote("third", ()), AT)
    with unit() as notes, _statements(engine) as sent:
        page = notes.find(PageRequest(limit=2))
    assert [note.id for note in page.items] == [first.id, second.id]  # not three rows of the first
    assert [note.labels for note in page.items] == [("blue", "green", "red"), ("blue",)]
    assert page.total == 3
    if engine is not None:
        # The notes with their labels joined, then the COUNT (a full page), in
        # the unit's one transaction: a session is a transaction here.
        assert len(sent) == 2
    with unit() as notes:
        assert notes.find(PageRequest(skip=2, limit=2)).items == [third]
        assert notes.get(first.id) == first


def test_relabelling_replaces_the_links_counts_them_and_the_version_rises(unit: Unit) -> None:
    red, green, blue = labels(unit, "red", "green", "blue")
    with unit() as notes:
        note = notes.add(NewNote("relabelled", (red, green)), AT)
    with unit() as notes:
        locked = notes.get_for_update(note.id)
        assert locked == note
        assert notes.relabel(locked, [blue]) == (2, 1)  # the driver's counts, psycopg's included
    with unit() as notes:
        assert notes.get(note.id) == type(note)(id=note.id, text="relabelled", labels=("blue",), version=2)


def test_the_link_tables_rules_hold(unit: Unit) -> None:
    (red,) = labels(unit, "red")
    with unit() as notes:
        note = notes.add(NewNote("linked", (red,)), AT)
    with pytest.raises(ReferenceViolation), unit() as notes:
        notes.add(NewNote("to nothing", (red + 1000,)), AT)
    with pytest.raises(AlreadyExists), unit() as notes:  # the composite key: one link per pair
        notes.relabel(notes.get_for_update(note.id), [red, red])
    with pytest.raises(ReferenceViolation), unit() as notes:  # a label still on a note stays
        notes.delete_label(red)
    with unit() as notes:
        assert notes.delete(note.id)  # its links go with it (ON DELETE CASCADE)
    with unit() as notes:
        assert notes.get(note.id) is None
        assert notes.label_ids() == [red]


@pytest.mark.postgres
def test_a_locked_read_locks_the_note_and_not_its_labels(postgres_url: str) -> None:
    """FOR UPDATE OF notes: PostgreSQL refuses FOR UPDATE on the nullable side
    of the outer join a joined collection makes, and a label is not the note's
    to lock."""
    engine = create_engine(postgres_url)
    metadata.create_all(engine)
    sessions = session_factory(engine)
    try:
        with sessions() as session:
            notes = SqlNoteRepository(session)
            (red,) = [notes.add_label("red")]
            note = notes.add(NewNote("locked", (red,)), AT)
            session.commit()
        with sessions() as session, counting_statements(engine) as sent:
            assert SqlNoteRepository(session).get_for_update(note.id) == note
            assert "FOR UPDATE OF notes" in sent[0]
            with psycopg.connect(
                postgres_conninfo(postgres_url), autocommit=True, options="-c lock_timeout=200"
            ) as other:
                other.execute("SELECT id FROM labels WHERE id = %s FOR UPDATE", (red,))  # free
                with pytest.raises(psycopg.errors.LockNotAvailable):
                    other.execute("SELECT id FROM notes WHERE id = %s FOR UPDATE", (note.id,))
    finally:
        engine.dispose()


@contextmanager
def _statements(engine: Engine | None) -> Iterator[list[str]]:
    if engine is None:
        yield []
        return
    with counting_statements(engine) as sent:
        yield sent
