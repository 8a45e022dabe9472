"""Validated types for path, query and body values.

Stricter than pydantic's lax defaults where the contract is: an id is digits
(not "1.0", not " 1"); a number of any length is still a number (a 5,000-digit
id names no task: 404, not a parse error); text is what both databases can
store (no NUL character, no lone surrogate).
"""

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from domain.ids import MAX_ID
from domain.pages import SortKey

_INTEGER = re.compile(r"[+-]?[0-9]+")
# Beyond this many digits the exact value does not matter: it is past any id or
# offset, and int() of it would be slow (and refused beyond 4,300 digits).
_MAX_EXACT_DIGITS = 20
_BEYOND = MAX_ID + 1


def _integer(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if not _INTEGER.fullmatch(value):
        raise PydanticCustomError("int_parsing", "Input should be a valid integer")
    if len(value.lstrip("+-").lstrip("0")) > _MAX_EXACT_DIGITS:
        return -_BEYOND if value.startswith("-") else _BEYOND
    return int(value)


def _integer_schema(**constraints: int) -> dict[str, Any]:
    return {"type": "integer", **constraints}


# An id in a path: any integer; ones that name no row are the service's 404. The
# schema says which can name a row.
Id = Annotated[int, BeforeValidator(_integer), WithJsonSchema(_integer_schema(minimum=1, maximum=MAX_ID))]
# An id as a filter: any integer, and one that names no row matches nothing.
AnyId = Annotated[int, BeforeValidator(_integer), WithJsonSchema(_integer_schema())]
Skip = Annotated[int, BeforeValidator(_integer), Field(ge=0), WithJsonSchema(_integer_schema(minimum=0))]
Limit = Annotated[
    int, BeforeValidator(_integer), Field(ge=1, le=100), WithJsonSchema(_integer_schema(minimum=1, maximum=100))
]


def _storable(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("string_nul", "String should not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("string_unicode", "String should be valid Unicode (no lone surrogates)") from None
    return value


def text(*, max_length: int, min_length: int = 0, trim: bool) -> Callable[[str], str]:
    """A validator for stored text; lengths count code points, after trimming."""

    def validate(value: str) -> str:
        if trim:
            value = value.strip()  # Python's notion of whitespace, as the contract says
        _storable(value)
        if len(value) < min_length:
            raise PydanticCustomError(
                "string_too_short",
                "String should have at least {min_length} character{s}" + (" after trimming" if trim else ""),
                {"min_length": min_length, "s": "" if min_length == 1 else "s"},
            )
        if len(value) > max_length:
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters" + (" after trimming" if trim else ""),
                {"max_length": max_length},
            )
        return value

    return validate


# What Python's str.strip() and str.isspace() call whitespace, spelled out: JSON
# Schema patterns are ECMA-262 regexes, whose \s is another set.
SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Any character but NUL (lone surrogates are refused earlier, as malformed JSON).
STORABLE_PATTERN = r"^[^\x00]*$"


def text_schema(*, max_length: int, min_length: int = 0, trim: bool) -> WithJsonSchema:
    """The JSON Schema of a `text(...)` field, saying what the validator enforces.

    Verbatim text is lengths and a pattern that refuses NUL. Trimmed text is a
    pattern alone: surrounding whitespace (as str.strip() sees it), then
    `min_length` to `max_length` characters that start and end with neither
    whitespace nor NUL; a maxLength would refuse a title padded with spaces,
    which the server accepts.
    """
    if not trim:
        return WithJsonSchema(
            {"type": "string", "minLength": min_length, "maxLength": max_length, "pattern": STORABLE_PATTERN}
        )
    if min_length != 1:
        raise ValueError("trimmed text is 1 character or more")
    edge = rf"[^{SPACE}\x00]"
    pattern = rf"^[{SPACE}]*{edge}(?:[^\x00]{{0,{max_length - 2}}}{edge})?[{SPACE}]*$"
    return WithJsonSchema(
        {
            "type": "string",
            "pattern": pattern,
            "description": f"{min_length} to {max_length} characters once surrounding whitespace is trimmed",
        }
    )


SearchText = Annotated[str, AfterValidator(_storable), WithJsonSchema({"type": "string", "pattern": STORABLE_PATTERN})]


def sort_rules(fields: tuple[str, ...]) -> tuple[AfterValidator, WithJsonSchema]:
    """The validator and JSON Schema of a `sort` parameter: a comma list of
    fields, each optionally prefixed by "-" (the schema's pattern is its grammar)."""

    def validate(value: str) -> str:
        parse_sort(value, fields)
        return value

    field = f"-?(?:{'|'.join(fields)})"
    return AfterValidator(validate), WithJsonSchema({"type": "string", "pattern": f"^{field}(?:,{field})*$"})


def parse_sort(value: str, fields: tuple[str, ...]) -> tuple[SortKey, ...]:
    """The sort keys of `value`; a field named again adds nothing (the first says
    how it sorts)."""
    keys: list[SortKey] = []
    for part in value.split(","):
        name = part.removeprefix("-")
        if name not in fields:
            raise PydanticCustomError(
                "sort_field",
                "Unknown sort field '{field}': use a comma list of {fields}, each optionally prefixed by '-'",
                {"field": name, "fields": ", ".join(fields)},
            )
        if all(key.field != name for key in keys):
            keys.append(SortKey(name, descending=part.startswith("-")))
    return tuple(keys)
