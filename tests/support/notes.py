"""A many-to-many aggregate made for the tests: notes with labels, stored the way
the README's guide says to add such a relation, on tables of their own (their
own SQLModel registry, so the app's metadata and migrations never see them).

    notes (id, text, version) --< note_labels (note_id, label_id) >-- labels (id, name)

A note is the aggregate root; its labels are read with it (a joined
collection), and relabelling it is an update of the note: its row is locked,
its version rises, its links are replaced, in one unit of work.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Column, ForeignKey, Integer, MetaData, Row, String, Table, delete
from sqlalchemy.orm import QueryableAttribute, joinedload, registry
from sqlmodel import Field, Relationship, SQLModel, col, select

from domain.ids import NO_ID_YET
from domain.pages import Page, PageRequest
from infrastructure.repositories.base import SqlRepository, stored_id
from tests.fakes.base import FakeDatabase, FakeRepository

examples = registry(
    metadata=MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
)
metadata = examples.metadata


class ExampleTable(SQLModel, registry=examples):
    pass


class LabelRow(ExampleTable, table=True):
    __tablename__ = "labels"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(50), nullable=False, unique=True))


class NoteLabelRow(ExampleTable, table=True):
    """The link table: a composite primary key of two foreign keys. Deleting a
    note deletes its links; a label still on a note cannot be deleted."""

    __tablename__ = "note_labels"

    note_id: int = Field(sa_column=Column(Integer, ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True))
    label_id: int = Field(sa_column=Column(Integer, ForeignKey("labels.id"), primary_key=True))


class NoteRow(ExampleTable, table=True):
    __tablename__ = "notes"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(String(200), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    labels: list[LabelRow] = Relationship(
        link_model=NoteLabelRow, sa_relationship_kwargs={"lazy": "raise", "order_by": "LabelRow.name"}
    )


LINKS: Table = metadata.tables["note_labels"]
_LABELS = cast(QueryableAttribute[list[LabelRow]], NoteRow.labels)


@dataclass(frozen=True)
class Note:
    id: int
    text: str
    labels: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class NewNote:
    text: str
    label_ids: tuple[int, ...] = ()

    def stored_as(self, note_id: int, _at: datetime) -> Note:
        return Note(id=note_id, text=self.text, labels=(), version=1)


class SqlNoteRepository(SqlRepository[NoteRow, Note, NewNote]):
    model = NoteRow
    entity = Note
    # A to-many relation joined in: the base folds the rows it repeats
    # (unique()) and locks only the notes' own rows (FOR UPDATE OF notes).
    # With no `related`, every read is of NoteRows (a view has one row per
    # entity, a collection one per member); the type is the base's.
    load = (joinedload(_LABELS),)

    def to_entity(self, row: NoteRow | Row[Any]) -> Note:
        return self.entity_with(row, labels=tuple(label.name for label in row.labels))

    def to_row(self, new: NewNote, at: datetime) -> NoteRow:
        return self.row_of(new.stored_as(NO_ID_YET, at))

    def add(self, new: NewNote, at: datetime) -> Note:
        row = self.to_row(new, at)
        self._session.add(row)
        self._session.flush()
        note_id = stored_id(row.id)
        self._insert_links(LINKS, [{"note_id": note_id, "label_id": label} for label in new.label_ids])
        found = self.get(note_id)
        assert found is not None
        return found

    def relabel(self, note: Note, label_ids: Sequence[int]) -> tuple[int, int]:
        """Replace the links of a note read with get_for_update, and count its
        version up: the links are part of the note. (links removed, links added)"""
        removed = self._delete_links(LINKS, note_id=note.id)
        added = self._insert_links(LINKS, [{"note_id": note.id, "label_id": label} for label in label_ids])
        self.update(replace(note, version=note.version + 1))
        return removed, added

    def find(self, request: PageRequest) -> Page[Note]:
        return self._page(request)

    def add_label(self, name: str) -> int:
        label = LabelRow(name=name)
        self._session.add(label)
        self._session.flush()
        return stored_id(label.id)

    def label_ids(self) -> list[int]:
        return [stored_id(label) for label in self._session.exec(select(col(LabelRow.id)).order_by(col(LabelRow.id)))]

    def delete_label(self, label_id: int) -> None:
        self._session.exec(delete(LabelRow).where(col(LabelRow.id) == label_id))


class FakeNoteRepository(FakeRepository[Note, NewNote]):
    """The same, in a fake database of the example tables: the link table is a
    FakeTable whose rows are mappings, under the same foreign keys."""

    model = NoteRow

    def __init__(self, database: FakeDatabase) -> None:
        super().__init__(database)
        self._links = database.table("note_labels")
        self._label_rows = database.table("labels")

    def to_entity(self, new: NewNote, entity_id: int, at: datetime) -> Note:
        return new.stored_as(entity_id, at)

    def add(self, new: NewNote, at: datetime) -> Note:
        note = super().add(new, at)
        for label in new.label_ids:
            self._links.insert({"note_id": note.id, "label_id": label})
        return self._with_labels(note)

    def get(self, entity_id: int) -> Note | None:
        note = super().get(entity_id)
        return None if note is None else self._with_labels(note)

    def relabel(self, note: Note, label_ids: Sequence[int]) -> tuple[int, int]:
        removed = [key for key, link in self._links.rows.items() if link["note_id"] == note.id]
        for key in removed:
            self._links.delete(key)
        for label in label_ids:
            self._links.insert({"note_id": note.id, "label_id": label})
        self.update(replace(note, version=note.version + 1))
        return len(removed), len(label_ids)

    def find(self, request: PageRequest) -> Page[Note]:
        page = self._page(request)
        return Page([self._with_labels(note) for note in page.items], page.total)

    def add_label(self, name: str) -> int:
        label_id = self._label_rows.next_id()
        self._label_rows.insert({"id": label_id, "name": name})
        return label_id

    def label_ids(self) -> list[int]:
        return [row["id"] for row in self._label_rows.where()]

    def delete_label(self, label_id: int) -> None:
        self._label_rows.delete((label_id,))

    def _with_labels(self, note: Note) -> Note:
        names = sorted(
            self._label_rows.rows[(link["label_id"],)]["name"] for link in self._links.where(note_id=note.id)
        )
        return replace(note, labels=tuple(names))
