from datetime import datetime

from sqlmodel import col

from domain.comments.model import Comment, NewComment
from domain.comments.repository import CommentRepository
from domain.ids import NO_ID_YET
from domain.pages import Page, PageRequest
from infrastructure.repositories.base import SqlRepository
from infrastructure.tables.comments import CommentRow


class SqlCommentRepository(SqlRepository[CommentRow, Comment, NewComment], CommentRepository):
    model = CommentRow
    entity = Comment

    def to_row(self, new: NewComment, at: datetime) -> CommentRow:
        return self.row_of(new.stored_as(NO_ID_YET, at))

    def of_post(self, post_id: int, page: PageRequest) -> Page[Comment]:
        return self._page(page, col(CommentRow.post_id) == post_id)
