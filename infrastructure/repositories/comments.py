from datetime import datetime

from sqlmodel import col

from domain.comments.model import Comment, NewComment
from domain.comments.repository import CommentRepository
from domain.pages import Page, PageRequest
from infrastructure.repositories.base import SqlRepository, stored_id
from infrastructure.tables.comments import CommentRow


class SqlCommentRepository(SqlRepository[CommentRow, Comment, NewComment], CommentRepository):
    model = CommentRow

    def to_entity(self, row: CommentRow) -> Comment:
        return Comment(
            id=stored_id(row.id),
            post_id=row.post_id,
            author_name=row.author_name,
            body=row.body,
            created_at=row.created_at,
        )

    def to_row(self, new: NewComment, at: datetime) -> CommentRow:
        return CommentRow(post_id=new.post_id, author_name=new.author_name, body=new.body, created_at=at)

    def of_post(self, post_id: int, page: PageRequest) -> Page[Comment]:
        return self._page(page, col(CommentRow.post_id) == post_id)
