"""Users and tokens (API.md 2.0, "Users and tokens"), black-box over HTTP."""

import logging
import os
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from infrastructure.tokens import InvalidToken, SecretTooShort, Tokens, secret_file, tokens_from
from tests.api.helpers import ME, PASSWORD, anonymous, assert_problem, bearer, sign_in, sign_up
from tests.support.auth import TEST_SECRET

USER_FIELDS = {"id", "email", "created_at"}


def register(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/users", json={"email": email, "password": password})


class TestRegistration:
    def test_a_user_is_its_id_email_and_creation_time_only(self, client: TestClient) -> None:
        answer = register(client, "  Ada.Lovelace@Example.COM ")
        assert answer.status_code == 201, answer.text
        user = answer.json()
        assert set(user) == USER_FIELDS
        assert user["email"] == "ada.lovelace@example.com"  # trimmed, lower-cased
        assert user["created_at"].endswith("Z")
        assert PASSWORD not in answer.text
        assert "argon2" not in answer.text

    @pytest.mark.parametrize(
        "email",
        ["no-at-sign", "two@@example.com", "a@b@example.com", "@example.com", "ada@example", "ada@.", "a b@example.com",
         "ada@exa mple.com", "a" * 243 + "@example.com", ""],
    )  # fmt: skip
    def test_an_email_that_is_not_one_is_422(self, client: TestClient, email: str) -> None:
        assert_problem(register(client, email), 422)

    def test_the_longest_email_is_254_characters(self, client: TestClient) -> None:
        longest = "a" * 242 + "@example.com"
        assert len(longest) == 254
        assert register(client, f" {longest} ").status_code == 201

    @pytest.mark.parametrize("password", ["x" * 11, "x" * 129])
    def test_a_password_of_12_to_128_characters(self, client: TestClient, password: str) -> None:
        assert_problem(register(client, "short@example.com", password), 422)

    def test_every_character_of_a_long_password_counts(self, client: TestClient) -> None:
        """Not bcrypt: two passwords that share their first 72 bytes differ."""
        long = "p" * 100
        assert register(client, "long@example.com", long + "A").status_code == 201
        answer = client.post("/auth/token", data={"username": "long@example.com", "password": long + "B"})
        assert_problem(answer, 401, "Incorrect email or password")

    def test_a_taken_email_is_409_whatever_its_case(self, client: TestClient) -> None:
        assert_problem(register(client, ME.upper()), 409, "A user with this email already exists")

    def test_unknown_fields_are_422(self, client: TestClient) -> None:
        answer = client.post("/users", json={"email": "x@example.com", "password": PASSWORD, "id": 4})
        assert_problem(answer, 422)


class TestTokens:
    def test_a_token_answer(self, client: TestClient) -> None:
        answer = client.post("/auth/token", data={"username": f"  {ME.upper()} ", "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"access_token", "token_type", "expires_in"}
        assert (body["token_type"], body["expires_in"]) == ("bearer", 3600)
        assert answer.headers["cache-control"] == "no-store"
        with anonymous(client):
            me = client.get("/users/me", headers=bearer(body["access_token"]))
        assert me.json()["email"] == ME

    def test_a_wrong_password_and_an_unknown_email_answer_alike(self, client: TestClient) -> None:
        wrong = client.post("/auth/token", data={"username": ME, "password": "not the password"})
        unknown = client.post("/auth/token", data={"username": "nobody@example.com", "password": PASSWORD})
        for answer in (wrong, unknown):
            assert_problem(answer, 401, "Incorrect email or password")
            assert answer.headers["www-authenticate"] == "Bearer"

    @pytest.mark.parametrize(
        "form", [{"username": ME}, {"password": PASSWORD}, {"username": ME, "password": PASSWORD, "grant_type": "code"}]
    )
    def test_a_malformed_form_is_422(self, client: TestClient, form: dict[str, str]) -> None:
        assert_problem(client.post("/auth/token", data=form), 422)

    def test_grant_type_password_is_accepted(self, client: TestClient) -> None:
        form = {"username": ME, "password": PASSWORD, "grant_type": "password"}
        assert client.post("/auth/token", data=form).status_code == 200


class TestBearer:
    def test_no_token_is_401_with_the_bearer_challenge(self, client: TestClient) -> None:
        with anonymous(client):
            answer = client.get("/users/me")
        assert_problem(answer, 401)
        assert answer.headers["www-authenticate"] == "Bearer"

    def hostile(self, client: TestClient, token: str) -> Any:
        with anonymous(client):
            return client.get("/users/me", headers={"Authorization": f"Bearer {token}"})

    def test_hostile_tokens_are_401_invalid_token(self, client: TestClient) -> None:
        now = datetime.now(UTC)
        claims = {"sub": "1", "iat": now, "exp": now + timedelta(hours=1)}
        control = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
        assert self.hostile(client, control).status_code == 200  # the forgeries below differ in one thing each
        forgeries = {
            "expired": jwt.encode({**claims, "exp": now - timedelta(seconds=5)}, TEST_SECRET, algorithm="HS256"),
            "another secret": jwt.encode(claims, "another secret that is long enough to sign", algorithm="HS256"),
            "alg none": jwt.encode(claims, None, algorithm="none"),
            "no expiry": jwt.encode({"sub": "1", "iat": now}, TEST_SECRET, algorithm="HS256"),
            "no such user": jwt.encode({**claims, "sub": "424242"}, TEST_SECRET, algorithm="HS256"),
            "not a number": jwt.encode({**claims, "sub": "¹"}, TEST_SECRET, algorithm="HS256"),
            "huge subject": jwt.encode({**claims, "sub": "9" * 40}, TEST_SECRET, algorithm="HS256"),
            "tampered": control[:-4] + ("AAAA" if not control.endswith("AAAA") else "BBBB"),
            "garbage": "not.a.token",
        }
        for name, token in forgeries.items():
            answer = self.hostile(client, token)
            assert answer.status_code == 401, name
            assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"', name
            assert token not in answer.text

    def test_another_scheme_or_a_header_that_is_not_ascii_is_401(self, client: TestClient) -> None:
        with anonymous(client):
            basic = client.get("/users/me", headers={"Authorization": "Basic YTpi"})
            odd = client.get("/users/me", headers=[(b"Authorization", "Bearer ✓".encode())])
        assert basic.status_code == odd.status_code == 401


class TestThrottling:
    def test_five_failures_in_a_minute_throttle_every_attempt_for_that_email(self, client: TestClient) -> None:
        for _ in range(5):
            assert client.post("/auth/token", data={"username": ME, "password": "wrong"}).status_code == 401
        right = client.post("/auth/token", data={"username": ME, "password": PASSWORD})
        assert_problem(right, 429)
        assert 1 <= int(right.headers["retry-after"]) <= 60
        assert client.post("/auth/token", data={"username": ME}).status_code == 422  # still 422 first
        register(client, "other@example.com")
        assert (
            client.post("/auth/token", data={"username": "other@example.com", "password": PASSWORD}).status_code == 200
        )


class TestPrecedence:
    """405, 413, 401, 422: one place decides (api/precedence.py), before any body is parsed."""

    def test_401_before_422(self, client: TestClient) -> None:
        with anonymous(client):
            malformed = client.post("/tasks", content=b"{not json", headers={"Content-Type": "application/json"})
            invalid = client.patch("/tasks/not-an-id", json={"title": ""})
        assert_problem(malformed, 401)
        assert_problem(invalid, 401)

    def test_405_and_413_before_401(self, client: TestClient) -> None:
        with anonymous(client):
            assert client.put("/tasks").status_code == 405
            assert client.post("/tasks", content=b"x" * (1024 * 1024 + 1)).status_code == 413

    def test_public_reads_need_no_token(self, client: TestClient) -> None:
        with anonymous(client):
            for path in ("/authors", "/posts", "/health"):
                assert client.get(path).status_code == 200, path


class TestSecrets:
    def test_a_short_secret_is_refused_with_a_clear_message(self) -> None:
        with pytest.raises(SecretTooShort, match="at least 32 bytes"):
            tokens_from(Settings(auth_secret="too short"))
        with pytest.raises(SecretTooShort):
            tokens_from(Settings(auth_secret=TEST_SECRET, auth_previous_secrets="short"))

    def test_with_no_secret_one_is_made_once_kept_private_and_shared(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'tasks.db'}")
        assert secret_file(settings) == tmp_path / "tasks.db.auth-secret"
        with ThreadPoolExecutor(8) as pool:  # workers starting at once
            made = list(pool.map(lambda _: tokens_from(settings).secret, range(8)))
        assert len(set(made)) == 1
        assert len(made[0]) >= 32
        assert stat.S_IMODE(os.stat(secret_file(settings)).st_mode) == 0o600
        token = tokens_from(settings).issue(7)
        assert tokens_from(settings).user_of(token) == 7  # a restart reads the same file

    def test_a_token_verified_once_is_remembered_until_it_expires(self, monkeypatch: pytest.MonkeyPatch) -> None:
        tokens = Tokens(TEST_SECRET.encode())
        token = tokens.issue(9, now=datetime.now(UTC) - tokens.lifetime + timedelta(seconds=1))
        assert tokens.user_of(token) == 9
        decoded = 0
        real_decode = jwt.decode

        def counting_decode(*args: Any, **kwargs: Any) -> Any:
            nonlocal decoded
            decoded += 1
            return real_decode(*args, **kwargs)

        monkeypatch.setattr(jwt, "decode", counting_decode)
        assert tokens.user_of(token) == 9
        assert decoded == 0  # remembered: no signature checked again
        time.sleep(1.1)
        with pytest.raises(InvalidToken, match="ExpiredSignatureError"):
            tokens.user_of(token)  # remembered, but past its exp: checked again, and refused
        assert decoded == 1

    def test_a_refused_token_is_not_remembered(self) -> None:
        tokens = Tokens(TEST_SECRET.encode())
        forged = Tokens(b"another secret that is long enough to sign").issue(1)
        for _ in range(2):
            with pytest.raises(InvalidToken):
                tokens.user_of(forged)

    def test_a_rotation_keeps_old_tokens_valid_and_signs_with_the_new_secret(self) -> None:
        old, new = "the old secret that is long enough to sign", "the new secret that is long enough to sign"
        before = Tokens(old.encode())
        after = tokens_from(Settings(auth_secret=new, auth_previous_secrets=old))
        assert after.user_of(before.issue(5)) == 5
        assert jwt.decode(after.issue(6), new, algorithms=["HS256"])["sub"] == "6"
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(after.issue(6), old, algorithms=["HS256"])


def test_no_log_line_carries_a_password_a_hash_or_a_token(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    secret_password = "a password nobody should ever log"
    with caplog.at_level(logging.DEBUG):
        register(client, "logged@example.com", secret_password)
        token = sign_in(client, "logged@example.com", secret_password)
        client.post("/auth/token", data={"username": "logged@example.com", "password": "wrong " + secret_password})
        client.get("/users/me", headers=bearer(token))
        client.get("/users/me", headers=bearer(token + "x"))
        client.post("/tasks", json={"title": "x"}, headers=bearer(token))
    every_line = "\n".join(record.getMessage() + repr(record.__dict__) for record in caplog.records)
    assert "logged@example.com" in every_line or "/auth/token" in every_line  # the lines are there
    for secret in (secret_password, token, token.split(".")[2], "$argon2"):
        assert secret not in every_line


def test_sign_up_gives_a_working_token(client: TestClient) -> None:
    token = sign_up(client, "fresh@example.com")
    with anonymous(client):
        assert client.get("/users/me", headers=bearer(token)).json()["email"] == "fresh@example.com"
