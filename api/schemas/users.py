"""What user requests accept, and what a user and a token look like on the wire."""

import re
from datetime import datetime
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from api.params import SPACE
from domain.users.model import EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, normalise_email

# API.md: one @ with a non-empty part before it, a domain with a dot after it;
# no whitespace or NUL inside. Surrounding whitespace is trimmed first, and the
# length (at most 254) counts what is left: the lookahead says so in the schema.
_PART = rf"[^@{SPACE}\x00]+"
_AT_MOST = rf"(?=[^{SPACE}]{{1,{EMAIL_MAX_LENGTH}}}[{SPACE}]*$)"
EMAIL_PATTERN: Final = rf"^[{SPACE}]*{_AT_MOST}{_PART}@{_PART}\.{_PART}[{SPACE}]*$"
_EMAIL = re.compile(EMAIL_PATTERN)
EXAMPLE_EMAIL: Final = "ada@example.com"


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise PydanticCustomError(
            "email", "An email is one @ with a name before it and a domain with a dot after it, at most 254 characters"
        )
    return normalise_email(value)


Email = Annotated[str, AfterValidator(_email), WithJsonSchema({"type": "string", "pattern": EMAIL_PATTERN})]
Password = Annotated[str, Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)]


class UserCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"email": EXAMPLE_EMAIL, "password": "correct horse battery staple"}]},
    )

    email: Email
    password: Password


class UserOut(BaseModel):
    """A user as the API shows it: never the password or its hash."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    created_at: datetime


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")
