"""Who is calling: bearer tokens checked once per request, before any body is
parsed, and the `CurrentUser` that routes take as a parameter.

FastAPI's own security utility (`OAuth2PasswordBearer`) declares the scheme, so
/docs has its Authorize button and the OpenAPI document marks every route that
needs a token. The check itself runs in api/precedence.py, for the routes that
depend on `current_user`: the contract puts 401 before 422, and FastAPI parses
the body before any dependency runs. The route's dependency then only reads
what the check left in the request's state.

A token is verified without the database (its signature and expiry); that its
user still exists is asked of the database at most once per
AUTH_USER_CHECK_SECONDS per user and worker (`Authenticator`).
"""

import time
from collections.abc import Callable, Sequence
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import OAuth2PasswordBearer
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute

from domain.users.model import Actor
from domain.users.service import UserService
from infrastructure.tokens import InvalidToken, Tokens

TOKEN_URL = "/auth/token"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)

NO_TOKEN = "Not authenticated: send a bearer token (POST /auth/token)"
BAD_TOKEN = "The bearer token is invalid or expired"


class Unauthorized(HTTPException):
    """A 401 with the challenge RFC 6750 asks for."""


def unauthenticated(*, token_sent: bool) -> Unauthorized:
    if token_sent:
        return Unauthorized(401, BAD_TOKEN, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return Unauthorized(401, NO_TOKEN, headers={"WWW-Authenticate": "Bearer"})


class Authenticator:
    """The Actor an Authorization header names, or a 401.

    `user_exists` asks the database (on a worker thread); a yes is trusted for
    `trust_seconds`, per worker. Users are never deleted through the API, so a
    yes goes stale only when an operator removes a user by hand: their tokens
    then fail within `trust_seconds`.
    """

    def __init__(self, tokens: Tokens, users: Callable[[], UserService], trust_seconds: float) -> None:
        self._tokens = tokens
        self._users = users
        self._trust_seconds = trust_seconds
        self._known: dict[int, float] = {}
        self._checking: dict[int, anyio.Event] = {}

    async def __call__(self, authorization: bytes | None) -> Actor:
        if authorization is None:
            raise unauthenticated(token_sent=False)
        scheme, _, token = authorization.partition(b" ")
        if scheme.lower() != b"bearer":
            raise unauthenticated(token_sent=False)
        try:
            user_id = self._tokens.user_of(token.strip().decode("ascii"))
        except (InvalidToken, UnicodeDecodeError):
            raise unauthenticated(token_sent=True) from None
        while self._known.get(user_id, 0.0) <= time.monotonic():
            checking = self._checking.get(user_id)
            if checking is not None:
                # A burst of one user's requests on a worker that does not know
                # them yet asks the database once: the others wait for that
                # answer, then look again (a check that failed is asked anew).
                await checking.wait()
                continue
            self._checking[user_id] = done = anyio.Event()
            try:
                if not await anyio.to_thread.run_sync(self._exists, user_id):
                    self._known.pop(user_id, None)
                    raise unauthenticated(token_sent=True)
                if len(self._known) > 100_000:  # bounded: forget everyone, ask again
                    self._known.clear()
                self._known[user_id] = time.monotonic() + self._trust_seconds
            finally:
                del self._checking[user_id]
                done.set()
        return Actor(user_id)

    def _exists(self, user_id: int) -> bool:
        return self._users().exists(user_id)


async def current_user(request: Request, _token: Annotated[str | None, Depends(oauth2_scheme)]) -> Actor:
    """The caller, as api/precedence.py verified them for this route."""
    actor = request.scope.get("state", {}).get("actor")
    if not isinstance(actor, Actor):
        raise unauthenticated(token_sent=False)  # not reached: precedence checks first
    return actor


CurrentUser = Annotated[Actor, Depends(current_user)]


def needs_user(route: BaseRoute) -> bool:
    """Whether the route depends, at any depth, on `current_user`."""
    dependant: Dependant | None = getattr(route, "dependant", None)
    return dependant is not None and _depends_on(dependant.dependencies, current_user)


def _depends_on(dependencies: Sequence[Dependant], call: object) -> bool:
    return any(d.call is call or _depends_on(d.dependencies, call) for d in dependencies)
