"""Auth for tests: a fixed secret, and Argon2id at its cheapest parameters, so
that a test that registers a user costs milliseconds, not the tens that the
production parameters cost by design (tests/integration/test_passwords.py
holds production to pwdlib's recommended ones)."""

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher as Argon2

from infrastructure.passwords import Argon2Hasher

TEST_SECRET = "a test secret that is long enough to sign tokens"


def cheap_hasher() -> Argon2Hasher:
    return Argon2Hasher(PasswordHash((Argon2(time_cost=1, memory_cost=1024, parallelism=1),)))
