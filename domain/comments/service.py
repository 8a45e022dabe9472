"""Comment use cases."""

from domain.comments.model import Comment, NewComment
from domain.comments.repository import CommentRepository
from domain.entity_service import OwnedEntityService
from domain.errors import NotFound, ReferenceViolation
from domain.ids import is_storable_id
from domain.pages import Page, PageRequest
from domain.unit_of_work import UnitOfWork
from domain.users.model import Actor


class CommentService(OwnedEntityService[Comment, NewComment]):
    entity = "Comment"

    @staticmethod
    def repository(uow: UnitOfWork) -> CommentRepository:
        return uow.comments

    def create(self, actor: Actor, new: NewComment) -> Comment:
        """Anyone with a token comments on any post. The post must exist: its
        foreign key decides, in the INSERT itself."""
        if not is_storable_id(new.post_id):
            raise NotFound("Post")
        try:
            return super().create(actor, new)
        except ReferenceViolation as exc:
            raise NotFound("Post") from exc

    def of_post(self, post_id: int, page: PageRequest) -> Page[Comment]:
        """A post's comments; NotFound when there is no such post."""
        if not is_storable_id(post_id):
            raise NotFound("Post")
        with self._uow.reading(snapshot=True) as uow:
            comments = uow.comments.of_post(post_id, page)
            # A comment proves its post exists (foreign key); only none at all
            # leaves the question open.
            if comments.total == 0 and uow.posts.get(post_id) is None:
                raise NotFound("Post")
            return comments
