"""The unit of work: one transaction, and the repositories that work inside it."""

from types import TracebackType
from typing import Protocol, Self

from domain.authors.repository import AuthorRepository
from domain.comments.repository import CommentRepository
from domain.posts.repository import PostRepository
from domain.tasks.repository import TaskRepository
from domain.users.model import Actor
from domain.users.repository import LoginFailureRepository, UserRepository


class UnitOfWork(Protocol):
    """A transaction that services open with `with`, and its repositories.

    The repositories are typed attributes, one per aggregate, made when the
    block opens and bound to its transaction: `uow.tasks`, `uow.authors`. An
    implementation declares that it is one (`class SqlUnitOfWork(UnitOfWork)`),
    so mypy holds every repository it binds to the interface declared here.

    Contract (pinned by tests for the SQL and the fake implementation):
    - nothing is stored unless the service calls `commit()` inside the block;
      leaving the block any other way (an exception, a plain return) rolls back;
    - every repository of one block works in the same transaction, and none
      works once the block has ended;
    - the resources behind it (a database session) are released when the block ends;
    - one object may be entered again after the block ends (a retry), each time
      with a fresh transaction; it is not entered twice at once;
    - `with uow.reading():` opens a block that only reads: it must not write or
      commit, and the storage may serve it as it sees fit, from a copy that
      lags behind by a bounded time (a replica) included, but never from one
      older than what this request wrote or the client's consistency token
      names. `with uow.reading(latest=True):` reads everything committed
      before the block opened, whoever wrote it: for the few reads whose answer
      must not lag (signing in, a token's user, failed-login counts). `with uow.reading(snapshot=True):` makes every
      read of the block see one snapshot: a page and its total agree, and so do
      a parent and its children read apart. A storage where a snapshot costs
      more (PostgreSQL: a transaction where a point read needs none) pays it
      only where asked.
    - `with uow.acting_as(actor):` opens a block whose repositories work for
      `actor`: what it adds is theirs, private rows (tasks) are only theirs to
      read, count, change or delete, and a public row (an author) is only
      theirs to delete. A block opened without an actor sees no private rows
      at all: its task repository refuses every call. It combines with
      reading(): `uow.acting_as(actor).reading(snapshot=True)`.
    """

    tasks: TaskRepository
    authors: AuthorRepository
    posts: PostRepository
    comments: CommentRepository
    users: UserRepository
    login_failures: LoginFailureRepository

    def acting_as(self, actor: Actor) -> Self:
        """This unit of work, for one block run for `actor`."""
        ...

    def reading(self, snapshot: bool = False, latest: bool = False) -> Self:
        """This unit of work, for one block that only reads (all of it from one
        snapshot if `snapshot`; nothing lagging if `latest`)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...
