"""The API's parsing helpers, without an app."""

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from api.conditional import if_none_match_hits, parse_if_match
from api.pagination import subtract
from api.params import Id, Limit, Skip, parse_sort, sort_rules, text, text_schema
from domain.ids import MAX_ID
from domain.pages import SortKey
from domain.preconditions import VersionPrecondition
from domain.tasks.model import SORTABLE_FIELDS


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"3"', VersionPrecondition(frozenset({3}))),
        ('"1", "2" ,"3"', VersionPrecondition(frozenset({1, 2, 3}))),
        ("*", VersionPrecondition(any_version=True)),
        ('W/"3"', VersionPrecondition(frozenset())),  # weak never matches If-Match
        ('W/"3", "4"', VersionPrecondition(frozenset({4}))),
        ("3", VersionPrecondition(frozenset())),  # not an entity tag
        ('"abc"', VersionPrecondition(frozenset())),
        ('"' + "9" * 40 + '"', VersionPrecondition(frozenset())),
        ("", VersionPrecondition(frozenset())),
    ],
)
def test_parse_if_match(header: str, expected: VersionPrecondition) -> None:
    assert parse_if_match(header) == expected


def test_absent_if_match_is_no_precondition() -> None:
    assert parse_if_match(None) is None


@pytest.mark.parametrize(
    ("header", "hits"),
    [('"2"', True), ('W/"2"', True), ('"1", W/"2"', True), ("*", True), ('"1"', False), ("garbage", False)],
)
def test_if_none_match_uses_weak_comparison(header: str, hits: bool) -> None:
    assert if_none_match_hits(header, 2) is hits


@pytest.mark.parametrize(
    ("raw", "value"),
    [("7", 7), ("-3", -3), ("+5", 5), ("007", 7), ("9" * 5000, MAX_ID + 1), ("-" + "9" * 30, -(MAX_ID + 1))],
)
def test_ids_parse_any_integer(raw: str, value: int) -> None:
    assert TypeAdapter(Id).validate_python(raw) == value


@pytest.mark.parametrize("raw", ["1.0", " 1", "1e3", "abc", "", "\u0661", "1_000", "0x10"])  # \u0661: an Arabic-Indic 1
def test_ids_reject_what_is_not_an_integer(raw: str) -> None:
    with pytest.raises(ValidationError) as raised:
        TypeAdapter(Id).validate_python(raw)
    assert raised.value.errors()[0]["type"] == "int_parsing"


def test_skip_of_any_size_is_accepted_and_limit_is_bounded() -> None:
    assert TypeAdapter(Skip).validate_python("9" * 5000) == MAX_ID + 1
    for bad in ("-1", "9" * 5000):
        with pytest.raises(ValidationError):
            TypeAdapter(Skip if bad == "-1" else Limit).validate_python(bad)
    with pytest.raises(ValidationError):
        TypeAdapter(Limit).validate_python("0")


def test_parse_sort() -> None:
    assert parse_sort("-priority,title", SORTABLE_FIELDS) == (SortKey("priority", True), SortKey("title"))
    # A field named again adds nothing: the first says how it sorts.
    assert parse_sort("title,-priority,-title", SORTABLE_FIELDS) == (SortKey("title"), SortKey("priority", True))
    for bad in ("", "nope", "priority,,id", "--id", "title,"):
        with pytest.raises(ValueError, match="ort field"):
            parse_sort(bad, SORTABLE_FIELDS)


def test_log_lines_are_written_to_stderr_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from api import logs
    from infrastructure.settings import Settings

    logs.configure(Settings(log_format="json"))
    logging.getLogger("tests.direct").warning("written %s", "now", extra={"request_id": "w-1"})
    (line,) = [json.loads(text) for text in capsys.readouterr().err.splitlines() if "w-1" in text]
    assert (line["message"], line["level"], line["request_id"]) == ("written now", "WARNING", "w-1")


# Whitespace of str.strip() (and of ECMA's \\s, or of one of them only), NUL, letters.
TRICKY = st.sampled_from(["a", "\u00e9", " ", "\t", "\n", "\x1c", "\x85", "\u3000", "\ufeff", "\x00", "\U0001f600"])
PADDED = st.builds(lambda pad, body: pad + body + pad, st.sampled_from(["", " ", "\u2003\n"]), st.text(min_size=195))


def schema_of(rules: WithJsonSchema) -> dict[str, Any]:
    assert rules.json_schema is not None
    return rules.json_schema


@pytest.mark.parametrize(("min_length", "max_length"), [(1, 200), (1, 100), (1, 3)])
@settings(max_examples=300, derandomize=True, deadline=None)
@given(value=st.text(alphabet=TRICKY) | PADDED)
def test_a_trimmed_text_pattern_says_what_the_validator_does(min_length: int, max_length: int, value: str) -> None:
    """The document's pattern for a trimmed field accepts exactly what the server
    accepts: 1 to max characters once str.strip() has trimmed, no NUL."""
    pattern = schema_of(text_schema(min_length=min_length, max_length=max_length, trim=True))["pattern"]
    validate = text(min_length=min_length, max_length=max_length, trim=True)
    try:
        validate(value)
        accepted = True
    except PydanticCustomError:
        accepted = False
    assert (re.search(pattern, value) is not None) == accepted, repr(value)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(value=st.text(alphabet=st.sampled_from(["a", " ", "\x00", "\n"]), max_size=12))
def test_a_verbatim_text_schema_says_what_the_validator_does(value: str) -> None:
    schema = schema_of(text_schema(min_length=1, max_length=10, trim=False))
    validate = text(min_length=1, max_length=10, trim=False)
    try:
        validate(value)
        accepted = True
    except PydanticCustomError:
        accepted = False
    by_schema = 1 <= len(value) <= 10 and re.search(schema["pattern"], value) is not None
    assert by_schema == accepted, repr(value)


def test_the_sort_pattern_is_the_sort_grammar() -> None:
    _, schema = sort_rules(SORTABLE_FIELDS)
    pattern = schema_of(schema)["pattern"]
    for good in ("id", "-title", "status,-priority,created_at", "title,-title"):
        assert re.search(pattern, good)
        parse_sort(good, SORTABLE_FIELDS)
    for bad in ("", "nope", "title,", "--id", "id,,title", " id"):
        assert not re.search(pattern, bad)
        with pytest.raises(ValueError, match="ort field"):
            parse_sort(bad, SORTABLE_FIELDS)


def test_subtract_is_exact_for_numbers_of_any_length() -> None:
    assert subtract(str(2**63), 50) == str(2**63 - 50)
    assert subtract("1" + "0" * 19, 1) == "9" * 19
    assert subtract(str(10**60), 100) == str(10**60 - 100)
    assert subtract(str(10**60 + 3), 100) == str(10**60 - 97)
    assert subtract("2" + "0" * 4999, 7) == "1" + "9" * 4998 + "3"
