from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from api.params import text, text_schema
from domain.authors.model import NAME_MAX_LENGTH, NewAuthor

Name = Annotated[
    str,
    AfterValidator(text(min_length=1, max_length=NAME_MAX_LENGTH, trim=True)),
    text_schema(min_length=1, max_length=NAME_MAX_LENGTH, trim=True),
]


class AuthorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "Ada Lovelace"}]})

    name: Name

    def to_domain(self) -> NewAuthor:
        return NewAuthor(**vars(self))
