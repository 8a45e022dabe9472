"""List responses: the page as a JSON array, X-Total-Count, and an RFC 8288 Link."""

from collections.abc import Collection, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import Response

from api.responses import reply
from domain.ids import MAX_ID
from domain.pages import Page, PageRequest


def list_response(request: Request, page: Page[Any], asked: PageRequest, known: Collection[str]) -> Response:
    """`known`: the query parameters this endpoint understands besides skip and
    limit; the links keep those (as the client sent them) and drop the rest."""
    headers = {"X-Total-Count": str(page.total)}
    link = link_header(request, asked, page.total, known)
    if link:
        headers["Link"] = link
    return reply(request, page.items, headers=headers)


def link_header(request: Request, asked: PageRequest, total: int, known: Collection[str]) -> str:
    kept = [(name, value) for name, value in request.query_params.multi_items() if name in known]
    path = request.url.path
    links: list[str] = []
    if asked.skip + asked.limit < total:
        links.append(_link(path, kept, asked.skip + asked.limit, asked.limit, "next"))
    if asked.skip > 0:
        links.append(_link(path, kept, _prev_skip(request, asked), asked.limit, "prev"))
    return ", ".join(links)


def _prev_skip(request: Request, asked: PageRequest) -> int | str:
    """max(0, skip - limit), of the skip as the client gave it.

    Beyond 64 bits the parsed skip only says "past any table" (api.params); the
    link is then computed from the digits as given, which may be thousands long.
    """
    if asked.skip <= MAX_ID:
        return max(0, asked.skip - asked.limit)
    return subtract(request.query_params["skip"].lstrip("+").lstrip("0"), asked.limit)


def subtract(digits: str, amount: int) -> str:
    """`digits` (a decimal number of 19 digits or more) minus `amount` (below
    10**19), in time linear in the digits. Python's int() of thousands of digits
    takes quadratic time, and refuses more than 4,300."""
    head, low = digits[:-19], int(digits[-19:]) - amount
    if low < 0:  # borrow one from the head: its trailing zeros become nines
        low += 10**19
        kept = head.rstrip("0")
        head = kept[:-1] + str(int(kept[-1]) - 1) + "9" * (len(head) - len(kept))
    if not head.strip("0"):
        return str(low)
    return head.lstrip("0") + str(low).zfill(19)


def _link(path: str, kept: Sequence[tuple[str, str]], skip: int | str, limit: int, rel: str) -> str:
    query = urlencode([*kept, ("skip", skip), ("limit", limit)])
    return f'<{path}?{query}>; rel="{rel}"'
