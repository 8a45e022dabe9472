"""`make bench`: the benchmark scenarios against this project alone.

Starts the server as `make serve` does (from .venv-serve, one uvicorn worker, uvloop, httptools,
no access log) on a fresh database: a temporary SQLite file, or the database of
BENCH_DATABASE_URL (which it empties first). Seeds 100,000 tasks, 1,000 authors
and 10,000 posts (python -m api.cli seed), then runs each scenario with wrk:
2 s warm-up, 10 s measured, 32 connections (bulk: 4). Prints req/s (rows/s for
the bulk), p50, p99 and the server's peak RSS (VmHWM, reset before each).

The scenarios and their loads are those of the shared benchmark
(../shared/bench), so the figures compare; that harness also runs the project
beside a naive server and a raw-SQL ceiling, which gives ratios.

    make bench                      SQLite, 100k tasks
    make bench BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench
    BENCH_SCENARIOS=S1,S5 BENCH_SECONDS=5 make bench
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

from infrastructure.tables import metadata

ROOT = Path(__file__).resolve().parents[2]
LUA = Path(__file__).resolve().parent / "lua"
VENV_BIN = Path(sys.executable).parent
# The server runs from the environment `make serve` uses (Makefile: SERVE_VENV).
SERVE_BIN = ROOT / ".venv-serve" / "bin"
EMAIL = "bench@example.com"
PASSWORD = "a password for the bench user"
TASKS, AUTHORS, POSTS = 100_000, 1_000, 10_000
SCENARIOS = [
    # id, what, path, script, connections, rows per request
    ("S7", "GET /health", "/health", "static.lua", 32, 0),
    ("S1", "GET /tasks/{id}", "/tasks/1", "get_task.lua", 32, 0),
    ("S2", "GET /tasks?status=todo&limit=50", "/tasks?status=todo&limit=50", "static.lua", 32, 0),
    ("S5", "GET /posts?limit=100", "/posts?limit=100", "static.lua", 32, 0),
    ("S6", "GET /tasks?skip=99000&limit=50", "/tasks?skip=99000&limit=50", "static.lua", 32, 0),
    ("S3", "POST /tasks", "/tasks", "create_task.lua", 32, 0),
    ("S4", "POST /tasks/bulk, 1,000 items", "/tasks/bulk", "bulk_create.lua", 4, 1000),
]


def main() -> int:
    if shutil.which("wrk") is None:
        print("make bench needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    wanted = set(os.environ.get("BENCH_SCENARIOS", ",".join(s[0] for s in SCENARIOS)).split(","))
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    workdir = Path(tempfile.mkdtemp(prefix="tasks-bench-"))
    try:
        env = prepared_database(workdir)
        rows = [_scenario(s, env, seconds, workdir) for s in SCENARIOS if s[0] in wanted]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _print_table(env["DATABASE_URL"], rows)
    return 0


def prepared_database(workdir: Path) -> dict[str, str]:
    """The bench's database, ready, and the environment that names it: a SQLite
    file in `workdir`, or BENCH_DATABASE_URL's database emptied; migrated; the
    bench user; the seeded tasks, authors and posts."""
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "DATABASE_URL": url, "AUTH_SECRET_FILE": str(workdir / "auth-secret")}
    if os.environ.get("BENCH_DATABASE_URL"):
        _empty(url)
    _run([VENV_BIN / "python", "-m", "api.cli", "migrate"], env)
    print(f"seeding {TASKS:,} tasks, {AUTHORS:,} authors, {POSTS:,} posts ...", file=sys.stderr)
    _run([VENV_BIN / "python", "-m", "api.cli", "create-user", "--email", EMAIL, "--password-stdin"], env, PASSWORD)
    _run(
        [VENV_BIN / "python", "-m", "api.cli", "seed", "--quiet", "--email", EMAIL,
         "--tasks", str(TASKS), "--authors", str(AUTHORS), "--posts", str(POSTS)],
        env,
    )  # fmt: skip
    return env


def _scenario(
    scenario: tuple[str, str, str, str, int, int], env: dict[str, str], seconds: int, workdir: Path
) -> dict[str, object]:
    sid, what, path, script, connections, rows_per_request = scenario
    port = _free_port()
    server = subprocess.Popen(
        [SERVE_BIN / "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--loop", "uvloop", "--http", "httptools", "--no-access-log"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/health")
        wrk_env = {**env, "BENCH_LUA": str(LUA), "BENCH_TASKS": str(TASKS), "BENCH_TOKEN": _token(base)}
        # Each run tags the titles it creates, so that none repeats another's (409).
        _wrk(base + path, script, connections, 2, {**wrk_env, "BENCH_TAG": f"{sid}w{time.time_ns()}"})  # warm-up
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # peak RSS from here
        result = _wrk(base + path, script, connections, seconds, {**wrk_env, "BENCH_TAG": f"{sid}m{time.time_ns()}"})
        peak_mib = _peak_rss_mib(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    per_second = result["requests"] / (result["duration_us"] / 1e6)
    return {
        "id": sid,
        "what": what,
        "rate": per_second * rows_per_request if rows_per_request else per_second,
        "unit": "rows/s" if rows_per_request else "req/s",
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "failed": result["errors"] + result["non2xx"],
        "rss_mib": peak_mib,
    }


def _wrk(url: str, script: str, connections: int, seconds: int, env: dict[str, str]) -> dict[str, int]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA / script), url]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result: dict[str, int] = json.loads(line[len("BENCH ") :])
    return result


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _print_table(url: str, rows: list[dict[str, object]]) -> None:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"\nproject on {url.split(':', maxsplit=1)[0]}, 1 worker, {when}\n")
    print("| scenario | rate | p50 ms | p99 ms | failed | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['id']} {row['what']} | {row['rate']:,.0f} {row['unit']} | {row['p50_ms']:.2f} "
            f"| {row['p99_ms']:.2f} | {row['failed']} | {row['rss_mib']:.1f} |"
        )


def _empty(url: str) -> None:
    """Drop every table the app declares, and Alembic's record of them, so that
    the migration runs from the start (a table added tomorrow goes too)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def _run(command: list[object], env: dict[str, str], stdin: str | None = None) -> None:
    subprocess.run([str(part) for part in command], cwd=ROOT, env=env, input=stdin, text=True, check=True)


def _token(base: str) -> str:
    """Sign in as the bench user (whose rows the seed made): the token every request sends."""
    form = urllib.parse.urlencode({"username": EMAIL, "password": PASSWORD}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{base}/auth/token", data=form), timeout=30) as answer:
        token: str = json.load(answer)["access_token"]
    return token


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer {url}")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
