"""Users and tokens: register, sign in (OAuth2 password grant), who am I."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from starlette.responses import Response

from api.dependencies import TokenIssuer, Users
from api.openapi import answer, errors, links_to
from api.responses import reply
from api.routing import api_router
from api.schemas.users import TokenOut, UserCreate, UserOut
from api.security import TOKEN_URL, CurrentUser
from domain.errors import Throttled, Unauthenticated
from domain.users.service import WRONG_CREDENTIALS, email_taken

router = api_router(tags=["users"])


@router.post(
    "/users",
    status_code=201,
    response_model=UserOut,
    summary="Register a user (no token needed)",
    responses={**answer(201, "Location", links=links_to("read_me")), **errors(email_taken(), 422, 503)},
)
def register(request: Request, body: UserCreate, users: Users) -> Response:
    # A plain def: hashing (tens of ms by design) runs on a worker thread.
    user = users.register(body.email, body.password)
    return reply(request, user, headers={"Location": "/users/me"})


@router.post(
    TOKEN_URL,
    response_model=TokenOut,
    summary="Sign in: an email and password for a bearer token (OAuth2 password grant)",
    responses={
        **answer(200, "Cache-Control"),
        **errors(Unauthenticated(WRONG_CREDENTIALS), Throttled(60), 422, 503),
    },
)
def sign_in(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], users: Users, tokens: TokenIssuer
) -> Response:
    user = users.authenticate(form.username, form.password)
    token = TokenOut(access_token=tokens.issue(user.id), expires_in=int(tokens.lifetime.total_seconds()))
    return reply(request, token, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@router.get("/users/me", response_model=UserOut, summary="The caller", responses=errors(503))
def read_me(request: Request, me: CurrentUser, users: Users) -> Response:
    return reply(request, users.get(me.user_id))
