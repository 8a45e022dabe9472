from typing import Protocol

from domain.pages import Page
from domain.posts.model import NewPost, Post, PostQuery
from domain.repository import OwnedRepository


class PostRepository(OwnedRepository[Post, NewPost], Protocol):
    """Storage of posts. Every post comes back with its author, and a page of
    posts costs the same number of statements whatever its size."""

    def find(self, query: PostQuery) -> Page[Post]: ...
