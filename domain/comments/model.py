"""The Comment aggregate: a comment on a post, signed with a name."""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

AUTHOR_NAME_MAX_LENGTH: Final = 100
BODY_MAX_LENGTH: Final = 10_000


@dataclass(frozen=True)
class Comment:
    """A stored comment. Field order is the order of the JSON the API returns."""

    id: int
    post_id: int
    author_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewComment:
    """What a client supplies to comment on a post (already validated and trimmed)."""

    post_id: int
    author_name: str
    body: str

    def stored_as(self, comment_id: int, at: datetime) -> Comment:
        return Comment(id=comment_id, post_id=self.post_id, author_name=self.author_name, body=self.body, created_at=at)
