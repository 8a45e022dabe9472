"""The API's parsing helpers, without an app."""

import json

import pytest
from pydantic import TypeAdapter, ValidationError

from api.conditional import if_none_match_hits, parse_if_match
from api.params import Id, Limit, Skip, parse_sort
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
    for bad in ("", "nope", "title,-title", "priority,,id", "--id"):
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
