"""A real server process: uvicorn serving the app, as `make serve` does."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

from infrastructure.consistency import parse_token
from tests.support.databases import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def headers(self, email: str = "system@example.com") -> dict[str, str]:
        """The Authorization header of `email` (registered the first time)."""
        password = "a password for the system tests"
        registered = httpx2.post(f"{self.url}/users", json={"email": email, "password": password}, timeout=30)
        assert registered.status_code in (201, 409), registered.text
        answer = httpx2.post(f"{self.url}/auth/token", data={"username": email, "password": password}, timeout=30)
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def covering(*answers: httpx2.Response) -> dict[str, str]:
    """The X-Consistency-Token header that covers every write among `answers`
    (API.md, "Reading your own writes"), for a read that must see them all.
    Clients treat tokens as opaque and send the latest they got; writes that
    raced finish in any order, so the tests, which know the token's form
    (infrastructure/consistency.py), pick the newest position."""
    tokens = [answer.headers["X-Consistency-Token"] for answer in answers if "X-Consistency-Token" in answer.headers]
    return {"X-Consistency-Token": max(tokens, key=lambda token: parse_token(token) or 0)}


@contextmanager
def running_server(
    log_dir: Path, database_url: str, workers: int = 1, app: str = "api.main:app", **settings: str
) -> Iterator[ServerProcess]:
    port = free_port()
    log = log_dir / f"server-{port}.log"
    env = {**os.environ, "DATABASE_URL": database_url, **{k.upper(): v for k, v in settings.items()}}
    # No AUTH_SECRET: the server makes one, kept beside the log, not in the checkout.
    env.setdefault("AUTH_SECRET_FILE", str(log_dir / f"auth-secret-{port}"))
    command = [
        sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_serving(server)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _wait_until_serving(server: ServerProcess, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{server.log_text()}")
        try:
            if httpx2.get(f"{server.url}/health", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /health in {timeout} s:\n{server.log_text()}")
