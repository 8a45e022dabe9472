"""Password hashes: Argon2id with pwdlib's recommended parameters (its own
documented default, not bcrypt, which reads only the first 72 bytes)."""

from functools import cached_property

from pwdlib import PasswordHash

from domain.users.service import PasswordHasher


class Argon2Hasher(PasswordHasher):
    """domain.users.service.PasswordHasher on pwdlib. `password_hash` may be
    passed a hasher of cheaper parameters (tests); production uses the default."""

    def __init__(self, password_hash: PasswordHash | None = None) -> None:
        self._hash = password_hash or PasswordHash.recommended()

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, password_hash: str | None) -> bool:
        if password_hash is None:
            self._hash.verify(password, self._stand_in)
            return False
        return self._hash.verify(password, password_hash)

    @cached_property
    def _stand_in(self) -> str:
        # What an unknown email's password is checked against: a hash made with
        # the same parameters costs the same to verify as a real user's.
        return self._hash.hash("a password that no user has, for timing alone")
