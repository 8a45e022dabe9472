"""Comment use cases."""

from domain.comments.model import Comment, NewComment
from domain.entity_service import EntityService, delete_owned, found
from domain.errors import NotFound, ReferenceViolation
from domain.ids import is_storable_id
from domain.pages import Page, PageRequest
from domain.users.model import Actor


class CommentService(EntityService):
    entity = "Comment"

    def create(self, actor: Actor, new: NewComment) -> Comment:
        """Anyone with a token comments on any post. The post must exist: its
        foreign key decides, in the INSERT itself."""
        if not is_storable_id(new.post_id):
            raise NotFound("Post")
        try:
            with self._uow.acting_as(actor) as uow:
                created = uow.comments.add(new, self._now())
                uow.commit()
                return created
        except ReferenceViolation as exc:
            raise NotFound("Post") from exc

    def get(self, comment_id: int) -> Comment:
        """Public: anyone reads it."""
        self._check_storable(comment_id)
        with self._uow.reading() as uow:
            return found(self.entity, uow.comments.get(comment_id))

    def delete(self, actor: Actor, comment_id: int) -> None:
        """Its owner's alone."""
        self._check_storable(comment_id)
        with self._uow.acting_as(actor) as uow:
            delete_owned(uow.comments, self.entity, comment_id)
            uow.commit()

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
