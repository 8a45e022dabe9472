from collections.abc import Set
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class VersionPrecondition:
    """The versions a caller accepts to change (HTTP If-Match, already parsed).

    `any_version` is If-Match: *; otherwise the change goes ahead only when the
    current version is one of `versions`. An empty set never matches.
    """

    versions: Set[int] = field(default_factory=frozenset)
    any_version: bool = False

    def matches(self, version: int) -> bool:
        return self.any_version or version in self.versions
