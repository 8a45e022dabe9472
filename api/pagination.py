"""List responses: the page as a JSON array, X-Total-Count, and an RFC 8288 Link."""

from collections.abc import Collection, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import Response

from api.responses import json_response
from domain.pages import Page, PageRequest


def list_response(request: Request, page: Page[Any], asked: PageRequest, known: Collection[str]) -> Response:
    """`known`: the query parameters this endpoint understands besides skip and
    limit; the links keep those (as the client sent them) and drop the rest."""
    headers = {"X-Total-Count": str(page.total)}
    link = link_header(request, asked, page.total, known)
    if link:
        headers["Link"] = link
    return json_response(page.items, headers=headers)


def link_header(request: Request, asked: PageRequest, total: int, known: Collection[str]) -> str:
    kept = [(name, value) for name, value in request.query_params.multi_items() if name in known]
    path = request.url.path
    links: list[str] = []
    if asked.skip + asked.limit < total:
        links.append(_link(path, kept, asked.skip + asked.limit, asked.limit, "next"))
    if asked.skip > 0:
        links.append(_link(path, kept, max(0, asked.skip - asked.limit), asked.limit, "prev"))
    return ", ".join(links)


def _link(path: str, kept: Sequence[tuple[str, str]], skip: int, limit: int, rel: str) -> str:
    query = urlencode([*kept, ("skip", skip), ("limit", limit)])
    return f'<{path}?{query}>; rel="{rel}"'
