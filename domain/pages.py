"""Offset pagination and sorting, shared by every list use case."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which slice of an ordered result to return.

    `skip` may be larger than any table: such a page is empty, never an error.
    """

    skip: int = 0
    limit: int = 50


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    """How many rows match the filters, over all pages."""


def total_from_page(request: PageRequest, fetched: int) -> int | None:
    """The total implied by a page alone, or None when only a COUNT can tell.

    A page that holds rows but fewer than `limit` is the last one, so the total is
    `skip + fetched`; so is an empty first page (0). Repositories use this to skip
    the COUNT statement for short lists.
    """
    if fetched >= request.limit:
        return None
    if fetched == 0 and request.skip > 0:
        return None
    return request.skip + fetched
