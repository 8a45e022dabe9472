"""The SQL repositories field by field, on both databases: each row maps to its
entity and each new entity to its row by name (a row written by a factory, read
back and compared with an entity built by hand), bulk inserts store every
field, a versioned update touches its one row, and every repository class gets
its one-row statement."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy.orm import QueryableAttribute, selectinload
from sqlmodel import Session, select
from sqlmodel.sql.expression import Select

from domain.authors.model import Author, NewAuthor
from domain.comments.model import Comment, NewComment
from domain.errors import ReferenceViolation
from domain.ids import NO_ID_YET
from domain.pages import PageRequest, SortKey
from domain.posts.model import AuthorSummary, NewPost, Post, PostQuery
from domain.tasks.model import NewTask, Priority, Status, Task, TaskQuery
from infrastructure.repositories.authors import SqlAuthorRepository
from infrastructure.repositories.base import SqlRepository, stored_id
from infrastructure.repositories.comments import SqlCommentRepository
from infrastructure.repositories.posts import SqlPostRepository
from infrastructure.repositories.tasks import SqlTaskRepository
from infrastructure.tables.authors import AuthorRow
from infrastructure.tables.comments import CommentRow
from infrastructure.tables.posts import PostRow
from infrastructure.tables.tasks import TaskRow
from tests.factories.authors import AuthorRowFactory
from tests.factories.comments import CommentRowFactory
from tests.factories.posts import PostRowFactory
from tests.factories.tasks import TaskRowFactory
from tests.factories.users import UserRowFactory
from tests.fakes.unit_of_work import ME
from tests.support.databases import LiveDatabase, counting_statements

CREATED = datetime(2026, 2, 3, 4, 5, 6, 700001, tzinfo=UTC)
UPDATED = CREATED + timedelta(hours=1, microseconds=3)


class TestRowsBecomeEntities:
    def test_a_task(self, session: Session) -> None:
        row = TaskRowFactory.create(
            title="Mapped", description="every field", status=Status.DONE, priority=Priority.LOW,
            created_at=CREATED, updated_at=UPDATED, version=7,
        )  # fmt: skip
        expected = Task(
            id=stored_id(row.id), title="Mapped", description="every field", status=Status.DONE,
            priority=Priority.LOW, created_at=CREATED, updated_at=UPDATED, version=7,
        )  # fmt: skip
        session.expunge_all()
        assert SqlTaskRepository(session, ME).get(expected.id) == expected
        session.expunge_all()
        assert SqlTaskRepository(session, ME).get_for_update(expected.id) == expected
        assert SqlTaskRepository(session, ME).find(TaskQuery()).items == [expected]

    def test_an_author_a_post_and_a_comment(self, session: Session) -> None:
        author = AuthorRowFactory.create(name="Ada", created_at=CREATED)
        post = PostRowFactory.create(author=author, title="Notes", body="Body text", created_at=UPDATED)
        comment = CommentRowFactory.create(post_id=post.id, author_name="Grace", body="Well put.", created_at=CREATED)
        ada = Author(id=stored_id(author.id), name="Ada", created_at=CREATED)
        notes = Post(
            id=stored_id(post.id), title="Notes", body="Body text", author_id=ada.id,
            author=AuthorSummary(id=ada.id, name="Ada"), created_at=UPDATED,
        )  # fmt: skip
        said = Comment(
            id=stored_id(comment.id), post_id=notes.id, author_name="Grace", body="Well put.", created_at=CREATED
        )
        session.expunge_all()
        assert SqlAuthorRepository(session, ME).get(ada.id) == ada
        assert SqlPostRepository(session, ME).get(notes.id) == notes
        assert SqlCommentRepository(session, ME).get(said.id) == said
        assert SqlCommentRepository(session, ME).of_post(notes.id, PageRequest()).items == [said]


class TestEntitiesBecomeRows:
    def test_a_task(self, session: Session) -> None:
        new = NewTask(title="Stored", description="as given", status=Status.IN_PROGRESS, priority=Priority.HIGH)
        task = SqlTaskRepository(session, ME).add(new, CREATED)
        row = session.exec(select(TaskRow).where(TaskRow.id == task.id)).one()
        assert (row.title, row.description, row.status, row.priority, row.created_at, row.updated_at, row.version) == (
            "Stored", "as given", Status.IN_PROGRESS, Priority.HIGH, CREATED, CREATED, 1,
        )  # fmt: skip

    def test_a_bulk_of_tasks_stores_every_field(self, session: Session) -> None:
        batch = [
            NewTask(title="b2", description="second", status=Status.DONE, priority=Priority.LOW),
            NewTask(title="b1", description=None, status=Status.TODO, priority=Priority.HIGH),
        ]
        created = SqlTaskRepository(session, ME).add_many(batch, CREATED)
        session.expunge_all()
        for new, task in zip(batch, created, strict=True):
            row = session.exec(select(TaskRow).where(TaskRow.id == task.id)).one()
            assert (row.title, row.description, row.status, row.priority) == (
                new.title, new.description, new.status, new.priority,
            )  # fmt: skip
            assert (row.created_at, row.updated_at, row.version) == (CREATED, CREATED, 1)
        assert SqlTaskRepository(session, ME).add_many([], CREATED) == []

    def test_a_bulk_is_one_statement_with_one_parameter_for_its_rows(
        self, session: Session, clean_database: LiveDatabase
    ) -> None:
        batch = [NewTask(title=f"bulk {number}", description=str(number)) for number in range(300)]
        with counting_statements(clean_database.engine) as statements:
            SqlTaskRepository(session, ME).add_many(batch, CREATED)
        assert len(statements) == 1
        unpacking = "json_each(" if clean_database.kind == "sqlite" else "json_array_elements("
        assert unpacking in statements[0]
        # The rows' varying values in one JSON parameter, shared values one each:
        # never a parameter per value.
        placeholders = statements[0].count("?") if clean_database.kind == "sqlite" else statements[0].count("%(")
        assert placeholders <= 1 + len(TaskRow.__table__.columns)  # type: ignore[attr-defined]

    def test_a_bulk_stores_text_that_json_could_garble_exactly(self, session: Session) -> None:
        titles = ['quote " and \\ backslash', "null", "007", "1e3", "true", "line\nbreak", "ünï ✓ 𝄞", " padded "]
        batch = [
            NewTask(title=title, description=[None, "", "0", "{}"][n % 4], status=list(Status)[n % 3])
            for n, title in enumerate(titles)
        ]
        created = SqlTaskRepository(session, ME).add_many(batch, CREATED)
        session.expunge_all()
        for new, task in zip(batch, created, strict=True):
            row = session.exec(select(TaskRow).where(TaskRow.id == task.id)).one()
            assert (row.title, row.description, row.status, row.priority) == (
                new.title, new.description, new.status, new.priority,
            )  # fmt: skip
            assert type(row.description) is type(new.description)

    def test_an_author_a_post_and_a_comment(self, session: Session) -> None:
        ada = SqlAuthorRepository(session, ME).add(NewAuthor(name="Ada"), CREATED)
        post = SqlPostRepository(session, ME).add(NewPost(title="T", author_id=ada.id, body="B"), UPDATED)
        comment = SqlCommentRepository(session, ME).add(NewComment(post_id=post.id, author_name="G", body="C"), CREATED)
        session.expunge_all()
        assert session.exec(select(AuthorRow.name, AuthorRow.created_at)).one() == ("Ada", CREATED)
        assert session.exec(select(PostRow.title, PostRow.body, PostRow.author_id, PostRow.created_at)).one() == (
            "T", "B", ada.id, UPDATED,
        )  # fmt: skip
        assert session.exec(
            select(CommentRow.post_id, CommentRow.author_name, CommentRow.body, CommentRow.created_at)
        ).one() == (post.id, "G", "C", CREATED)
        assert comment.post_id == post.id

    def test_a_post_of_a_missing_author_names_it(self, session: Session) -> None:
        with pytest.raises(ReferenceViolation, match=r"^Author 4242 does not exist$"):
            SqlPostRepository(session, ME).add(NewPost(title="T", author_id=4242), CREATED)


class TestUpdate:
    def test_it_writes_the_changed_columns_of_its_one_row(self, session: Session, clean_database: LiveDatabase) -> None:
        repository = SqlTaskRepository(session, ME)
        first, second = repository.add_many([NewTask(title="first"), NewTask(title="second")], CREATED)
        session.expunge_all()
        assert repository.get_for_update(first.id) == first
        changed = Task(
            id=first.id, title="renamed", description=None, status=first.status, priority=first.priority,
            created_at=CREATED, updated_at=UPDATED, version=2,
        )  # fmt: skip
        with counting_statements(clean_database.engine) as statements:
            repository.update(changed)
        assert len(statements) == 1, statements  # the locked row is in the session: no read
        assert statements[0].lstrip().upper().startswith("UPDATE")
        assert "title" in statements[0]
        assert "status" not in statements[0]
        session.expunge_all()
        assert repository.get(first.id) == changed
        assert repository.get(second.id) == second

    def test_a_task_not_read_here_is_a_bug(self, session: Session) -> None:
        task = NewTask(title="never stored").stored_as(12345, CREATED)
        with pytest.raises(LookupError, match=r"^task 12345 was not read for update in this unit of work$"):
            SqlTaskRepository(session, ME).update(task)


def test_deleting_what_is_not_there_says_so(session: Session) -> None:
    assert not SqlTaskRepository(session, ME).delete(999)
    assert not SqlCommentRepository(session, ME).delete(999)


def test_a_repository_class_gets_its_one_row_statement_when_it_is_made(session: Session) -> None:
    """Made at class creation (SqlRepository.__init_subclass__): here, inside the
    test, so that a change to how it is made shows."""

    class Authors(SqlRepository[AuthorRow, Author, NewAuthor]):
        model = AuthorRow
        entity = Author

        def to_row(self, new: NewAuthor, at: datetime) -> AuthorRow:
            return self.row_of(new.stored_as(NO_ID_YET, at))

    class NamedAuthors(Authors):
        """Inherits the model: no statement of its own needed."""

    ada, bob = AuthorRowFactory.create(name="Ada"), AuthorRowFactory.create(name="Bob")
    session.expunge_all()
    found = [Authors(session).get(stored_id(row.id)) for row in (bob, ada)]
    assert [author.name if author else None for author in found] == ["Bob", "Ada"]
    assert NamedAuthors(session)._by_id is Authors(session)._by_id
    assert Authors(session).get(999) is None


def test_reads_are_views_that_make_no_table_model_row(session: Session, clean_database: LiveDatabase) -> None:
    """get and the pages select columns into entities (the author as two joined
    columns): one statement, and nothing left in the session's identity map,
    where a table-model row would be."""
    post = PostRowFactory.create(title="Viewed")
    task = TaskRowFactory.create(owner_id=ME.user_id)
    session.expunge_all()
    posts, tasks = SqlPostRepository(session, ME), SqlTaskRepository(session, ME)
    with counting_statements(clean_database.engine) as statements:
        found = posts.get(stored_id(post.id))
        page = posts.find(PostQuery())
        assert tasks.get(stored_id(task.id)) == tasks.find(TaskQuery()).items[0]
    assert found is not None
    assert page.items == [found]
    assert (found.id, found.title, found.author_id) == (post.id, "Viewed", post.author_id)
    assert found.author == AuthorSummary(id=post.author_id, name=post.author.name)
    assert len(statements) == 4
    assert "JOIN authors" in statements[0]
    assert len(session.identity_map) == 0


def test_a_view_whose_columns_are_out_of_the_entitys_order_fails_when_its_class_is_made() -> None:
    """A view's row becomes its entity by position; the columns are matched to
    the fields by name once, when the class is made, so a column out of place
    (here: the view's columns reversed) fails then, not as a shifted field."""
    with pytest.raises(TypeError, match="not Task's fields in order"):

        class Reordered(SqlTaskRepository):
            model = TaskRow

            @classmethod
            def _view_of(cls, fields: Sequence[str]) -> Select[*tuple[Any, ...]]:
                return super()._view_of(list(reversed(fields)))


def test_a_views_row_is_the_entity_as_it_comes(
    session: Session, clean_database: LiveDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The author is made as the row is read (`Embedded`): a view's row is the
    post's fields in order, and to_entity, which reads a table-model row by
    name, is not asked."""
    post = PostRowFactory.create(title="As it comes")
    session.expunge_all()

    def by_name(self: SqlPostRepository, row: object) -> Post:
        raise AssertionError("a view's row was read by name")

    monkeypatch.setattr(SqlPostRepository, "to_entity", by_name)
    posts = SqlPostRepository(session, ME)
    (found,) = posts.find(PostQuery()).items
    assert posts.get(stored_id(post.id)) == found
    assert found.author == AuthorSummary(id=post.author_id, name=post.author.name)


def test_a_row_read_to_be_changed_loads_as_the_repository_says(session: Session, clean_database: LiveDatabase) -> None:
    class PostsWithAuthorsApart(SqlPostRepository):
        load = (selectinload(cast(QueryableAttribute[AuthorRow], PostRow.author)),)

    post = PostRowFactory.create(title="Loaded")
    session.expunge_all()
    with counting_statements(clean_database.engine) as joined:
        assert SqlPostRepository(session, ME).get_for_update(stored_id(post.id)) is not None
    session.expunge_all()
    with counting_statements(clean_database.engine) as apart:
        found = PostsWithAuthorsApart(session).get_for_update(stored_id(post.id))
    assert found is not None
    assert found.author.id == post.author_id
    assert (len(joined), len(apart)) == (1, 2)  # the post, then its author: selectinload


def test_a_page_shorter_than_asked_tells_its_total_without_a_count(
    session: Session, clean_database: LiveDatabase
) -> None:
    TaskRowFactory.create_batch(3)
    repository = SqlTaskRepository(session, ME)
    with counting_statements(clean_database.engine) as short:
        assert repository.find(TaskQuery(page=PageRequest(limit=5))).total == 3
    with counting_statements(clean_database.engine) as full:
        assert repository.find(TaskQuery(page=PageRequest(limit=2))).total == 3
    with counting_statements(clean_database.engine) as past_the_end:
        assert repository.find(TaskQuery(page=PageRequest(skip=10, limit=2))).total == 3
    assert (len(short), len(full), len(past_the_end)) == (1, 2, 2)


def test_a_row_without_an_id_cannot_be_an_entity() -> None:
    with pytest.raises(ValueError, match=r"^the row has no id yet: flush it first$"):
        stored_id(None)
    assert stored_id(5) == 5


def test_a_deep_page_is_the_same_slice_of_the_same_order(session: Session, clean_database: LiveDatabase) -> None:
    """Past the first page the rows skipped are walked as keys (a deferred join,
    `IN (SELECT id ... OFFSET)`): whatever the order, each page is the slice of
    the full order it would be without it, another owner's rows never in it."""
    for n in range(23):
        TaskRowFactory.create(
            title=f"t{(n * 7) % 23:02d}", status=list(Status)[n % 3], priority=list(Priority)[(n // 3) % 3]
        )
    someone_else = UserRowFactory.create()
    TaskRowFactory.create_batch(5, owner_id=someone_else.id)
    session.expunge_all()
    tasks = SqlTaskRepository(session, ME)
    for sort in (
        (),
        (SortKey("priority", descending=True),),
        (SortKey("title"),),
        (SortKey("status"), SortKey("id", descending=True)),
    ):
        everything = tasks.find(TaskQuery(sort=sort, page=PageRequest(limit=100))).items
        assert len(everything) == 23
        for skip, limit in ((1, 5), (7, 3), (20, 10), (23, 5), (40, 5)):
            with counting_statements(clean_database.engine) as statements:
                page = tasks.find(TaskQuery(sort=sort, page=PageRequest(skip=skip, limit=limit)))
            assert page.items == everything[skip : skip + limit], (sort, skip, limit)
            assert page.total == 23
            assert "IN (SELECT tasks.id" in statements[0]
