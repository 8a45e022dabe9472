"""A PgBouncer of the tests' own, in transaction pooling mode, on a free port."""

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import make_url

from tests.support.server import free_port

CONFIG = """\
[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/users.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
logfile = {directory}/pgbouncer.log
pidfile = {directory}/pgbouncer.pid
"""


def pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or next(
        (path for path in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.path.exists(path)), None
    )


@contextmanager
def running_pgbouncer(server_url: str, *others: str) -> Iterator[str]:
    """Yields the URL of `server_url`'s server behind a new PgBouncer, which
    lets its user in, and the roles `others` (trust: PgBouncer still wants each
    name in its auth_file)."""
    binary = pgbouncer_binary()
    assert binary is not None
    server = make_url(server_url)
    listen_port = free_port()
    # Its own directory in /tmp: as root, PgBouncer runs as postgres, who cannot
    # enter pytest's root-only temporary directories.
    directory = Path(tempfile.mkdtemp(prefix="tasks-pgbouncer-"))
    (directory / "users.txt").write_text("".join(f'"{name}" ""\n' for name in (server.username, *others)))
    config = directory / "pgbouncer.ini"
    config.write_text(
        CONFIG.format(host=server.host, port=server.port or 5432, listen_port=listen_port, directory=directory)
    )
    command = [binary, str(config)]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(directory, "postgres")
        for path in directory.iterdir():
            shutil.chown(path, "postgres")
        command = [binary, "-u", "postgres", str(config)]
    with (directory / "stdout.txt").open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = server.set(port=listen_port).render_as_string(hide_password=False)
    try:
        _wait_until_accepting(url, process, directory)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


def _wait_until_accepting(url: str, process: subprocess.Popen[bytes], directory: Path) -> None:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = directory / "pgbouncer.log"
            output = (directory / "stdout.txt").read_text(errors="replace")
            raise RuntimeError(f"pgbouncer exited: {output} {log.read_text() if log.exists() else ''}")
        try:
            psycopg.connect(conninfo, connect_timeout=2, prepare_threshold=None).close()
            return
        except psycopg.Error:
            time.sleep(0.1)
    raise RuntimeError("pgbouncer did not accept connections in 15 s")
