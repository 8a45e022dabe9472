"""Bearer tokens: JWTs signed with HS256 (PyJWT), checked without the database.

A token says who (`sub`, the user id as a string), when it was issued (`iat`)
and until when it holds (`exp`). The current secret signs; the current and every
previous one verify, so a rotation logs no one out (README, "Users, tokens and
who sees what").

When no secret is configured, one is made on first start and kept in a file only
its owner can read; every worker, and every later start, reads that same file.
"""

import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import jwt

from infrastructure.settings import Settings

ALGORITHM: Final = "HS256"
VERIFIED_KEPT: Final = 4096
"""How many verified tokens a worker remembers (then it forgets them all)."""
MIN_SECRET_BYTES: Final = 32
"""RFC 7518, 3.2: an HS256 key at least as long as the hash's output."""


class SecretTooShort(ValueError):
    pass


class InvalidToken(Exception):
    """The token is malformed, badly signed, expired or names no user id."""


@dataclass(frozen=True)
class Tokens:
    """Issues tokens with `secret` and verifies them with it and `previous`."""

    secret: bytes
    previous: tuple[bytes, ...] = ()
    lifetime: timedelta = timedelta(hours=1)
    # token -> (user id, exp): a client sends the same token on every request,
    # and its signature does not change between them. A remembered token is
    # still refused from its `exp` on; an invalid one is never remembered.
    _verified: dict[str, tuple[int, float]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for key in (self.secret, *self.previous):
            if len(key) < MIN_SECRET_BYTES:
                raise SecretTooShort(
                    f"an auth secret must be at least {MIN_SECRET_BYTES} bytes (this one is {len(key)}): "
                    "make one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
                )

    def issue(self, user_id: int, now: datetime | None = None) -> str:
        issued = now or datetime.now(UTC)
        claims = {"sub": str(user_id), "iat": issued, "exp": issued + self.lifetime}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def user_of(self, token: str) -> int:
        """The user id a valid token names; InvalidToken otherwise."""
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        for key in (self.secret, *self.previous):
            try:
                claims = jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": ["sub", "iat", "exp"]})
            except jwt.InvalidSignatureError:
                continue  # perhaps signed by a previous secret
            except jwt.PyJWTError as exc:
                raise InvalidToken(type(exc).__name__) from None
            subject = claims["sub"]
            # ASCII digits only: int() would also take "٣" or " 3" or "3_0".
            if not (isinstance(subject, str) and subject.isascii() and subject.isdigit() and len(subject) <= 19):
                raise InvalidToken("bad subject")
            if len(self._verified) >= VERIFIED_KEPT:
                self._verified.clear()
            self._verified[token] = (int(subject), float(claims["exp"]))
            return int(subject)
        raise InvalidToken("InvalidSignatureError")


def tokens_from(settings: Settings) -> Tokens:
    secret = settings.auth_secret.get_secret_value().encode() if settings.auth_secret else _kept_secret(settings)
    return Tokens(
        secret=secret,
        previous=tuple(old.get_secret_value().encode() for old in settings.auth_previous_secrets),
        lifetime=timedelta(minutes=settings.auth_token_minutes),
    )


def secret_file(settings: Settings) -> Path:
    """Where the made secret is kept: AUTH_SECRET_FILE, else next to the SQLite
    file (`tasks.db` -> `tasks.db.auth-secret`), else `.auth-secret` here."""
    if settings.auth_secret_file:
        return Path(settings.auth_secret_file)
    prefix = "sqlite:///"
    path = settings.database_url[len(prefix) :] if settings.database_url.startswith(prefix) else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        return Path(path.split("?")[0] + ".auth-secret")
    return Path(".auth-secret")


def _kept_secret(settings: Settings) -> bytes:
    """The secret in the file, made first if there is none. Written to a private
    temporary file and linked into place: of several workers starting at once,
    one link wins and every worker then reads the same secret, never half of it."""
    path = secret_file(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker's secret won
        finally:
            draft.unlink()
    return path.read_text().strip().encode()
