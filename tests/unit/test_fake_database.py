"""The fake database plays any table metadata's rules: a composite foreign key
(two columns naming a composite primary key), its cascade or its refusal, and
unique constraints, with rows that are plain mappings."""

import pytest
from sqlalchemy import Column, ForeignKeyConstraint, Integer, MetaData, String, Table, UniqueConstraint

from domain.errors import AlreadyExists, ReferenceViolation
from tests.fakes.base import FakeDatabase

tables = MetaData()
Table(
    "shelves",
    tables,
    Column("room", Integer, primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("label", String(20)),
    UniqueConstraint("label"),
)
Table(
    "books",
    tables,
    Column("id", Integer, primary_key=True),
    Column("room", Integer),
    Column("shelf", Integer),
    ForeignKeyConstraint(["room", "shelf"], ["shelves.room", "shelves.number"], ondelete="CASCADE"),
)
Table(
    "catalogue",
    tables,
    Column("book_id", Integer, primary_key=True),
    ForeignKeyConstraint(["book_id"], ["books.id"]),  # no ON DELETE: refuses
)


@pytest.fixture
def database() -> FakeDatabase:
    database = FakeDatabase(tables)
    database.table("shelves").insert({"room": 1, "number": 2, "label": "poetry"})
    database.table("shelves").insert({"room": 2, "number": 1, "label": "prose"})
    return database


def test_a_composite_key_must_name_an_existing_row(database: FakeDatabase) -> None:
    books = database.table("books")
    books.insert({"id": 1, "room": 1, "shelf": 2})
    with pytest.raises(ReferenceViolation):
        books.insert({"id": 2, "room": 2, "shelf": 2})  # each column exists, the pair does not
    books.insert({"id": 3, "room": None, "shelf": None})  # no reference at all
    assert sorted(books.rows) == [(1,), (3,)]


def test_deleting_a_parent_cascades_and_a_refusing_key_stops_it(database: FakeDatabase) -> None:
    books, catalogue = database.table("books"), database.table("catalogue")
    books.insert({"id": 1, "room": 1, "shelf": 2})
    books.insert({"id": 2, "room": 2, "shelf": 1})
    catalogue.insert({"book_id": 2})
    assert database.table("shelves").delete((1, 2))
    assert sorted(books.rows) == [(2,)]  # cascaded
    with pytest.raises(ReferenceViolation):
        database.table("shelves").delete((2, 1))  # its book is catalogued
    assert sorted(database.table("shelves").rows) == [(2, 1)]


def test_keys_and_unique_columns_are_unique(database: FakeDatabase) -> None:
    shelves = database.table("shelves")
    with pytest.raises(AlreadyExists):
        shelves.insert({"room": 1, "number": 2, "label": "other"})
    with pytest.raises(AlreadyExists):
        shelves.insert({"room": 9, "number": 9, "label": "poetry"})
    shelves.insert({"room": 9, "number": 9, "label": None})
    shelves.insert({"room": 9, "number": 8, "label": None})  # NULLs are never equal
    shelves.replace({"room": 9, "number": 9, "label": "verse"})
    with pytest.raises(AlreadyExists):
        shelves.replace({"room": 9, "number": 8, "label": "verse"})
