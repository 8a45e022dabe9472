"""Administration from the command line: `python -m api.cli COMMAND`.

    migrate                               apply the Alembic migrations to DATABASE_URL
    create-user --email E [--password-stdin]
                                          register a user (the password is asked
                                          without echo, or read from stdin)
    seed --email E [--tasks N] [--authors N] [--posts N]
                                          add that many rows for the user E,
                                          through the services
    adopt --email E                       give every row without an owner (from
                                          a 1.1 database) to the user E
    counts                                how many rows each table holds

Reads the same settings as the server (environment, then `.env`). A bad
DATABASE_URL or an unreachable database is a one-line error and exit status 2
or 3, never a stack trace.
"""

import argparse
import getpass
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO, TypeVar

from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy import func, make_url, select
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from api.container import Container
from api.schemas.users import UserCreate
from domain.authors.model import NewAuthor
from domain.errors import DomainError
from domain.posts.model import NewPost
from domain.tasks.model import NewTask, Priority, Status
from domain.users.model import Actor, normalise_email
from infrastructure.adopt import adopt_ownerless
from infrastructure.errors import translate_database_errors
from infrastructure.settings import Settings
from infrastructure.tables import metadata

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
BATCH = 1000
WORDS = ("report", "deploy", "review", "refactor", "write", "test", "docs", "release", "audit", "plan")


class CommandError(Exception):
    """A failure the user can act on: printed as one line, no stack."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the migrations to DATABASE_URL")
    create_user = commands.add_parser("create-user", help="register a user")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    seed = commands.add_parser("seed", help="add tasks, authors and posts for a user")
    seed.add_argument("--email", required=True, help="the user who owns what is added")
    seed.add_argument("--tasks", type=_count, default=1000)
    seed.add_argument("--authors", type=_count, default=100)
    seed.add_argument("--posts", type=_count, default=1000)
    seed.add_argument("--quiet", action="store_true", help="no progress bars")
    adopt = commands.add_parser("adopt", help="give every row without an owner to a user")
    adopt.add_argument("--email", required=True)
    commands.add_parser("counts", help="rows per table")
    args = parser.parse_args(argv)
    try:
        container = _container()
        if args.command == "migrate":
            _migrate(container, out)
        elif args.command == "create-user":
            _create_user(container, args.email, _password(args.password_stdin, err), out)
        elif args.command == "seed":
            actor = _user(container, args.email)
            if args.posts and not args.authors and not _existing_author_ids(container, actor):
                raise CommandError("posts need authors of this user: pass --authors N as well", 2)
            _seed(container, actor, args.tasks, args.authors, args.posts, None if args.quiet else err)
            _print_counts(container, out)
        elif args.command == "adopt":
            _adopt(container, _user(container, args.email), out)
        else:
            _print_counts(container, out)
    except CommandError as exc:
        print(f"error: {exc}", file=err)
        return exc.status
    return 0


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _container() -> Container:
    try:
        settings = Settings()
        if make_url(settings.database_url).database in (None, "", ":memory:"):
            # For tests, which make their tables; a command's would die with it.
            raise ValueError("an in-memory database ends with the command")
        container = Container()
        container.settings.override(settings)
        container.engine()  # builds it: a malformed URL fails here
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise CommandError(f"DATABASE_URL is not a database URL this service can use ({_reason(exc)})", 2) from None
    return container


def _reachable(container: Container) -> None:
    try:
        container.database_probe().check()
    except DomainError:
        url = container.settings().database_url
        raise CommandError(f"cannot reach the database at {_redacted(url)}", 3) from None


def _migrate(container: Container, out: TextIO) -> None:
    _reachable(container)
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.attributes["database_url"] = container.settings().database_url
    try:
        command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise CommandError(f"the migration failed: {_reason(exc)}", 3) from None
    print("migrated to the latest revision", file=out)


def _password(from_stdin: bool, err: TextIO) -> str:
    """The new user's password: one line of stdin, or asked twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ", stream=err)
        if getpass.getpass("Password again: ", stream=err) != password:
            raise CommandError("the two passwords differ", 2)
    return password


def _create_user(container: Container, email: str, password: str, out: TextIO) -> None:
    # The API's own request model: one definition of a valid email and password.
    try:
        new = UserCreate(email=email, password=password)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise CommandError(f"{problem['loc'][0]}: {problem['msg']}", 2) from None
    _reachable(container)
    user = _checked(container.user_service().register, new.email, new.password)
    print(f"created user {user.id} <{user.email}>", file=out)


def _user(container: Container, email: str) -> Actor:
    _reachable(container)
    with container.unit_of_work().reading() as uow:
        user = uow.users.by_email(normalise_email(email))
    if user is None:
        raise CommandError(f"no user {normalise_email(email)}: create it with `create-user` first", 2)
    return Actor(user.id)


def _adopt(container: Container, actor: Actor, out: TextIO) -> None:
    try:
        with translate_database_errors():
            adopted = adopt_ownerless(container.engine(), actor.user_id)
    except DomainError as exc:
        raise CommandError(f"nothing adopted: {exc.detail} (a task title the user already has?)", 3) from None
    for table, rows in adopted.items():
        print(f"{table:<10} {rows:>10,} adopted", file=out)


def _seed(container: Container, actor: Actor, tasks: int, authors: int, posts: int, progress: TextIO | None) -> None:
    _reachable(container)
    run = secrets.token_hex(3)  # titles stay unique when a database is seeded twice
    task_service = container.task_service()
    statuses, priorities = list(Status), list(Priority)
    with _Progress("tasks", tasks, progress) as bar:
        for start in range(0, tasks, BATCH):
            batch = [
                NewTask(
                    title=f"Task {n:07d} {WORDS[n % len(WORDS)]} ({run})",
                    description=None if n % 3 == 0 else f"Seeded task number {n}",
                    status=statuses[n % 3],
                    priority=priorities[(n // 3) % 3],
                )
                for n in range(start + 1, min(start + BATCH, tasks) + 1)
            ]
            _checked(task_service.create_many, actor, batch)
            bar.advance(len(batch))
    author_service = container.author_service()
    author_ids: list[int] = []
    with _Progress("authors", authors, progress) as bar:
        for n in range(1, authors + 1):
            author_ids.append(_checked(author_service.create, actor, NewAuthor(name=f"Author {n:05d}")).id)
            bar.advance(1)
    if posts and not author_ids:
        author_ids = _existing_author_ids(container, actor)
    post_service = container.post_service()
    with _Progress("posts", posts, progress) as bar:
        for n in range(1, posts + 1):
            author_id = author_ids[n % len(author_ids)]
            new = NewPost(title=f"Post {n:06d}", author_id=author_id, body="Seeded post.")
            _checked(post_service.create, actor, new)
            bar.advance(1)


def _checked(call: Callable[..., T], *args: object) -> T:
    try:
        return call(*args)
    except DomainError as exc:
        raise CommandError(exc.detail, 3) from None


def _existing_author_ids(container: Container, actor: Actor) -> list[int]:
    """The user's authors: a post goes under an author of its owner."""
    authors = metadata.tables["authors"]
    query = select(authors.c.id).where(authors.c.owner_id == actor.user_id).order_by(authors.c.id)
    with container.engine().connect() as connection:
        return list(connection.execute(query).scalars())


def _counts(container: Container) -> dict[str, int]:
    _reachable(container)
    with container.engine().connect() as connection:
        return {
            table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for table in metadata.sorted_tables
        }


def _print_counts(container: Container, out: TextIO) -> None:
    for table, rows in _counts(container).items():
        print(f"{table:<10} {rows:>10,}", file=out)


class _Progress:
    """A one-line progress bar on a terminal stream (or nothing)."""

    WIDTH = 30

    def __init__(self, label: str, total: int, stream: TextIO | None) -> None:
        self.label, self.total, self.stream, self.done = label, total, stream, 0

    def __enter__(self) -> "_Progress":
        self._draw()
        return self

    def __exit__(self, *_: object) -> None:
        if self.stream is not None and self.total:
            print(file=self.stream)

    def advance(self, count: int) -> None:
        before = self._filled()
        self.done += count
        if self._filled() != before or self.done == self.total:
            self._draw()

    def _filled(self) -> int:
        return self.WIDTH * self.done // self.total if self.total else self.WIDTH

    def _draw(self) -> None:
        if self.stream is None or not self.total:
            return
        filled = self._filled()
        bar = "#" * filled + "." * (self.WIDTH - filled)
        print(f"\r{self.label:<8} [{bar}] {self.done:>9,}/{self.total:,}", end="", file=self.stream, flush=True)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


if __name__ == "__main__":
    sys.exit(main())
