from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from api.params import text, text_schema
from domain.comments.model import AUTHOR_NAME_MAX_LENGTH, BODY_MAX_LENGTH, NewComment

AuthorName = Annotated[
    str,
    AfterValidator(text(min_length=1, max_length=AUTHOR_NAME_MAX_LENGTH, trim=True)),
    text_schema(min_length=1, max_length=AUTHOR_NAME_MAX_LENGTH, trim=True),
]
Body = Annotated[
    str,
    AfterValidator(text(min_length=1, max_length=BODY_MAX_LENGTH, trim=False)),
    text_schema(min_length=1, max_length=BODY_MAX_LENGTH, trim=False),
]


class CommentCreate(BaseModel):
    """The post comes from the path; a `post_id` in the body is refused."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"author_name": "Grace", "body": "Well put."}]}
    )

    author_name: AuthorName
    body: Body

    def to_domain(self, post_id: int) -> NewComment:
        return NewComment(post_id=post_id, **vars(self))
