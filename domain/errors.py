"""Errors that services raise on purpose.

Each kind has one meaning for every caller; the API maps them to HTTP statuses
(api/problems.py) and the SQL layer turns database failures into them
(infrastructure/errors.py), so no caller ever sees a driver exception.
"""


class DomainError(Exception):
    """Base of every error a service raises deliberately."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The entity named by an id does not exist: "Task not found"."""

    def __init__(self, entity: str) -> None:
        super().__init__(f"{entity} not found")


class Conflict(DomainError):
    """The change contradicts the stored state (a duplicate, a dependent row...)."""


class AlreadyExists(Conflict):
    """A uniqueness rule rejected the write.

    Raised from the database's own constraint, never from a check made before the
    write, so two racing writers cannot both succeed.
    """


class ReferenceViolation(Conflict):
    """A foreign-key rule rejected the write: the row refers to one that does not
    exist, or a row to be deleted is still referred to.

    Raised from the database's own constraint. Services say what it means for
    their use case (an unknown author in a new post is bad input; an author with
    posts cannot be deleted).
    """


class InvalidInput(DomainError):
    """The request is well-formed but names something that cannot be used.

    `field` is the input field at fault, for the caller to point at.
    """

    def __init__(self, detail: str, field: str, kind: str) -> None:
        super().__init__(detail)
        self.field = field
        self.kind = kind


class Unauthenticated(DomainError):
    """The caller is not known: no token, a token that does not verify, or
    credentials that name no user ("Incorrect email or password")."""


class Forbidden(DomainError):
    """The caller is known, and the row is someone else's to change."""


class Throttled(DomainError):
    """Too many failed attempts: retry after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many failed sign-ins for this email: retry after the seconds in Retry-After")
        self.retry_after = retry_after


class PreconditionFailed(DomainError):
    """The caller's precondition (an If-Match version) does not hold."""


class Unavailable(DomainError):
    """The storage cannot be reached or is too busy right now; retrying may work."""
