"""ETags and the conditional request headers of RFC 9110 (section 13).

A task's entity tag is its version, quoted: "3". Tags are strong: the JSON of a
version never changes.
"""

import re

from domain.preconditions import VersionPrecondition

_ENTITY_TAG = re.compile(r'[\s,]*(W/)?"([^"]*)"\s*(?:,|$)')
_MAX_VERSION_DIGITS = 18


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(header: str | None) -> VersionPrecondition | None:
    """If-Match as a precondition: strong comparison, so weak tags never match,
    and neither does anything that is not one of our tags."""
    if header is None:
        return None
    if header.strip() == "*":
        return VersionPrecondition(any_version=True)
    versions = {version for weak, version in _tags(header) if not weak and version is not None}
    return VersionPrecondition(frozenset(versions))


def if_none_match_hits(header: str | None, version: int) -> bool:
    """True when If-None-Match names this version (weak comparison: W/ is ignored)."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(tag_version == version for _, tag_version in _tags(header))


def _tags(header: str) -> list[tuple[bool, int | None]]:
    """(weak, version) for each entity tag in a list; version None when the tag is
    not one of ours. A malformed list yields what it holds before the damage."""
    tags: list[tuple[bool, int | None]] = []
    position = 0
    while position < len(header):
        match = _ENTITY_TAG.match(header, position)
        if match is None:
            break
        opaque = match.group(2)
        version = int(opaque) if opaque.isascii() and opaque.isdigit() and len(opaque) <= _MAX_VERSION_DIGITS else None
        tags.append((match.group(1) is not None, version))
        position = match.end()
    return tags
