"""The Post aggregate: a post belongs to an author, whose name it shows."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from domain.pages import PageRequest

TITLE_MAX_LENGTH: Final = 200
BODY_MAX_LENGTH: Final = 100_000


@dataclass(frozen=True)
class AuthorSummary:
    """The author as a post shows it: exactly id and name."""

    id: int
    name: str


@dataclass(frozen=True)
class Post:
    """A stored post with its author. Field order is the order of the JSON."""

    id: int
    title: str
    body: str
    author_id: int
    author: AuthorSummary
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewPost:
    """What a client supplies to create a post (already validated and trimmed)."""

    title: str
    author_id: int
    body: str = ""

    def stored_as(self, post_id: int, author: AuthorSummary, at: datetime) -> Post:
        return Post(id=post_id, title=self.title, body=self.body, author_id=author.id, author=author, created_at=at)


@dataclass(frozen=True, slots=True)
class PostQuery:
    """Posts in id order, optionally of one author only."""

    author_id: int | None = None
    page: PageRequest = field(default_factory=PageRequest)
