from datetime import datetime
from typing import Protocol

from domain.pages import Page
from domain.posts.model import NewPost, Post, PostQuery


class PostRepository(Protocol):
    """Storage of posts, inside the caller's unit of work (ids are storable).

    Every post comes back with its author, and a page of posts costs the same
    number of statements whatever its size.
    """

    def get(self, post_id: int) -> Post | None: ...

    def find(self, query: PostQuery) -> Page[Post]: ...

    def add(self, new: NewPost, at: datetime) -> Post:
        """Raises domain.errors.ReferenceViolation when `new.author_id` names no author."""
        ...

    def delete(self, post_id: int) -> bool:
        """False when there was no such post."""
        ...
