from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Strict, WithJsonSchema

from api.params import text, text_schema
from domain.ids import MAX_ID
from domain.posts.model import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, NewPost

# The author of the document's example post (its 422 example names it too).
EXAMPLE_AUTHOR_ID = 1

Title = Annotated[
    str,
    AfterValidator(text(min_length=1, max_length=TITLE_MAX_LENGTH, trim=True)),
    text_schema(min_length=1, max_length=TITLE_MAX_LENGTH, trim=True),
]
Body = Annotated[
    str,
    AfterValidator(text(max_length=BODY_MAX_LENGTH, trim=False)),
    text_schema(max_length=BODY_MAX_LENGTH, trim=False),
]


class PostCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Notes", "body": "...", "author_id": EXAMPLE_AUTHOR_ID}]},
    )

    title: Title
    body: Body = ""
    # A JSON integer: not "3", not 3.0, not true. The schema says which integers
    # can name an author; one that names none is 422 (the contract's rule).
    author_id: Annotated[int, Strict(), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID})]

    def to_domain(self) -> NewPost:
        return NewPost(**vars(self))
