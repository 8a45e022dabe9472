from typing import Protocol

from domain.comments.model import Comment, NewComment
from domain.pages import Page, PageRequest
from domain.repository import OwnedRepository


class CommentRepository(OwnedRepository[Comment, NewComment], Protocol):
    """Storage of comments. A comment of a missing post raises
    domain.errors.ReferenceViolation; deleting a post deletes its comments."""

    def of_post(self, post_id: int, page: PageRequest) -> Page[Comment]:
        """A post's comments in id order."""
        ...
