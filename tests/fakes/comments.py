from datetime import datetime

from domain.comments.model import Comment, NewComment
from domain.comments.repository import CommentRepository
from domain.pages import Page, PageRequest
from infrastructure.tables.comments import CommentRow
from tests.fakes.base import FakeRepository


class FakeCommentRepository(FakeRepository[Comment, NewComment], CommentRepository):
    model = CommentRow

    def to_entity(self, new: NewComment, entity_id: int, at: datetime) -> Comment:
        return new.stored_as(entity_id, at)

    def of_post(self, post_id: int, page: PageRequest) -> Page[Comment]:
        return self._page(page, lambda comment: comment.post_id == post_id)
