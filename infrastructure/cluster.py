"""Several hosts on one machine: a streaming replica of a PostgreSQL primary,
app instances reading from it, and HAProxy in round robin in front.

    python -m infrastructure.cluster start [--port 8080] [--instances 2]
    python -m infrastructure.cluster status
    python -m infrastructure.cluster stop

(`make cluster` / `make cluster-stop`; README, "Scaling out".) The primary is
DATABASE_URL's server; `start` makes its database if it is missing and
migrates it. Everything it starts is recorded in the cluster directory
(`CLUSTER_DIR`, default `.cluster/`), so `stop` finds it from another process:

- the replica: `pg_basebackup -R` of the primary into a data directory of its
  own, started with pg_ctl on a free port (the same major version's binaries,
  found through the primary's version, or PG_BINDIR);
- the app instances: separate uvicorn processes on free ports, each with its own
  metrics directory, all with the same signing secret (a file made here, unless
  AUTH_SECRET is set) and DATABASE_REPLICA_URLS naming the replica;
- HAProxy: round robin over the instances, health-checked on /health, so one
  that dies leaves the rotation within about a second.

What it cannot do it refuses with the reason (no server binaries, no HAProxy,
a role or pg_hba.conf without replication), before starting anything.

Tests build the same topology around a primary of their own (`own_primary`),
which they may stop and start without touching the machine's server.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / ".cluster"
PG_LIB = Path("/usr/lib/postgresql")
"""Where Debian installs each major version's server binaries (`<major>/bin`)."""

# Settings a hot standby must have at least as high as its primary's
# (PostgreSQL refuses to start the standby otherwise).
_AT_LEAST_PRIMARY = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)

HAPROXY_CONFIG = """\
global
    maxconn 2000

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A connection an instance refused never reached it: safe to send elsewhere.
    retries 2
    retry-on conn-failure
    option redispatch

frontend tasks
    bind 127.0.0.1:{port}
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
    default-server check inter 500ms fall 2 rise 2
{servers}
"""


# Used only when the primary's data directory has no pg_hba.conf (Debian keeps
# it in /etc): the replica then accepts local connections as this machine's
# server does; copy your own in for anything else.
REPLICA_HBA = "local all all trust\nhost all all 127.0.0.1/32 trust\n"


class Refused(Exception):
    """What the cluster cannot do here, said so that an operator can act on it."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Instance:
    port: int
    pid: int = 0
    metrics_dir: str = ""
    log: str = ""


@dataclass
class State:
    """Everything `start` made, as JSON in the cluster directory."""

    primary_url: str
    replica_url: str = ""
    replica_data: str = ""
    replica_port: int = 0
    bindir: str = ""
    own_primary_data: str = ""
    balancer_port: int = 0
    balancer_pid: int = 0
    instances: list[Instance] = field(default_factory=list)


class Cluster:
    def __init__(
        self,
        directory: Path = DEFAULT_DIR,
        primary_url: str | None = None,
        *,
        port: int = 8080,
        instances: int = 2,
        workers: int = 1,
        own_primary: bool = False,
        apply_delay_ms: int = 0,
        replica_reads: bool = True,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.directory = directory
        self._primary_url = primary_url
        self._port = port
        self._instance_count = instances
        self._workers = workers
        self._own_primary = own_primary
        self._apply_delay_ms = apply_delay_ms
        self._replica_reads = replica_reads
        self._environment = environment or {}
        self._recorded: State | None = None
        # The processes this object started, reaped by stop() (another process
        # that stops the cluster finds them through the state file's pids).
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    # -- what it runs ------------------------------------------------------

    @property
    def url(self) -> str:
        """The balancer's base URL."""
        return f"http://127.0.0.1:{self.recorded.balancer_port}"

    def instance_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{instance.port}" for instance in self.recorded.instances]

    @property
    def recorded(self) -> State:
        """What `start` made (read from the cluster directory by another process)."""
        if self._recorded is None:
            self._recorded = self._load()
        return self._recorded

    def _state_file(self) -> Path:
        return self.directory / "state.json"

    def _load(self) -> State:
        try:
            raw = json.loads(self._state_file().read_text())
        except FileNotFoundError:
            raise Refused(f"no cluster is running from {self.directory}") from None
        raw["instances"] = [Instance(**instance) for instance in raw["instances"]]
        return State(**raw)

    def _save(self) -> None:
        self._state_file().write_text(json.dumps(asdict(self.recorded), indent=2))

    # -- start -------------------------------------------------------------

    def start(self) -> None:
        if self._state_file().exists():
            raise Refused(f"a cluster is already recorded in {self.directory}: stop it first")
        self.directory.mkdir(parents=True, exist_ok=True)
        # Debian puts it in /usr/sbin, which a non-root PATH may lack.
        haproxy = shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
        if haproxy is None:
            raise Refused("HAProxy is not installed (Debian: apt-get install haproxy)")
        try:
            if self._own_primary:
                self._recorded = State(primary_url="")
                self._start_own_primary()
            else:
                if self._primary_url is None or make_url(self._primary_url).get_backend_name() != "postgresql":
                    raise Refused("DATABASE_URL must name the PostgreSQL primary (postgresql+psycopg://...)")
                self._recorded = State(primary_url=self._primary_url)
                self._check_primary()
            self._save()
            self._create_database()
            self._start_replica()
            self._save()
            self._migrate()
            self._start_instances()
            self._save()
            self._start_balancer(haproxy)
            self._save()
        except BaseException:
            if self._recorded is not None:
                self._save()
                self.stop()
            raise

    def _admin_conninfo(self) -> str:
        return conninfo(make_url(self.recorded.primary_url).set(database="postgres").render_as_string(False))

    def _check_primary(self) -> None:
        try:
            with psycopg.connect(self._admin_conninfo(), autocommit=True, connect_timeout=5) as connection:
                row = (
                    connection.cursor(row_factory=dict_row)
                    .execute(
                        "SELECT rolreplication OR rolsuper AS can_replicate,"
                        " current_setting('wal_level') AS wal_level,"
                        " current_setting('max_wal_senders')::int AS senders, current_user AS user"
                        " FROM pg_roles WHERE rolname = current_user"
                    )
                    .fetchone()
                )
        except psycopg.Error as error:
            raise Refused(f"the primary does not answer: {error}") from None
        assert row is not None
        can_replicate, wal_level, senders, user = row["can_replicate"], row["wal_level"], row["senders"], row["user"]
        if not can_replicate:
            raise Refused(f"role {user} may not replicate: ALTER ROLE {user} REPLICATION (as a superuser)")
        if wal_level == "minimal" or senders < 1:
            raise Refused("the primary cannot stream: it needs wal_level = replica and max_wal_senders > 0")

    def _primary_settings(self, *names: str) -> list[str]:
        with psycopg.connect(self._admin_conninfo(), autocommit=True, connect_timeout=10) as connection:
            return [_setting(connection, name) for name in names]

    def _as_postgres(
        self, command: Sequence[str], env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """PostgreSQL's server tools refuse to run as root: as root, run them as postgres."""
        argv = list(command)
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=False, env=env)

    def _data_directory(self, prefix: str) -> Path:
        # In /tmp: as root, the server runs as postgres, who may not enter the cluster directory.
        path = Path(tempfile.mkdtemp(prefix=prefix))
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")
        return path

    def _start_own_primary(self) -> None:
        state = self.recorded
        bindir = server_bindir(installed_major())
        state.bindir = str(bindir)
        data = self._data_directory("tasks-primary-")
        state.own_primary_data = str(data)
        result = self._as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"])
        if result.returncode != 0:
            raise Refused(f"initdb failed: {result.stderr.strip()}")
        port = free_port()
        self._write_as_postgres(
            data / "postgresql.conf",
            f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{data}'\n"
            "wal_level = replica\nmax_wal_senders = 5\nfsync = off\nfull_page_writes = off\n",
        )
        self._write_as_postgres(
            data / "pg_hba.conf",
            "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n",
        )
        state.primary_url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/tasks"
        self.pg_ctl(data, "start")

    def _write_as_postgres(self, path: Path, content: str, append: bool = True) -> None:
        with path.open("a" if append else "w") as file:
            file.write(content)
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")

    def pg_ctl(self, data: Path | str, action: str) -> None:
        command = [str(Path(self.recorded.bindir) / "pg_ctl"), "-D", str(data), "-w", "-t", "60"]
        if action == "start":
            command += ["-l", str(Path(data) / "server.log"), "start"]
        else:
            command += ["-m", "fast", action]
        result = self._as_postgres(command)
        if result.returncode != 0 and action == "start":
            log = Path(data) / "server.log"
            raise Refused(
                f"pg_ctl start failed: {result.stderr.strip()} {log.read_text()[-2000:] if log.exists() else ''}"
            )

    def _create_database(self) -> None:
        name = make_url(self.recorded.primary_url).database
        with psycopg.connect(self._admin_conninfo(), autocommit=True, connect_timeout=10) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if exists is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name or "tasks")))

    def _start_replica(self) -> None:
        state = self.recorded
        if not state.bindir:  # the primary's own major version's tools
            state.bindir = str(server_bindir(int(self._primary_settings("server_version_num")[0]) // 10000))
        bindir = Path(state.bindir)
        primary = make_url(state.primary_url)
        data = self._data_directory("tasks-replica-")
        state.replica_data = str(data)
        result = self._as_postgres(
            [
                str(bindir / "pg_basebackup"),
                "-h",
                primary.host or "127.0.0.1",
                "-p",
                str(primary.port or 5432),
                "-U",
                primary.username or "postgres",
                "-D",
                str(data),
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",
            ],
            env={**os.environ, **({"PGPASSWORD": primary.password} if primary.password else {})},
        )
        if result.returncode != 0:
            message = result.stderr.strip()
            if "replication connection" in message and "pg_hba.conf" in message:
                raise Refused(
                    f"the primary's pg_hba.conf lets no replication connection in: add `host replication"
                    f" {primary.username} 127.0.0.1/32 trust` (or your method) and reload it ({message})"
                )
            raise Refused(f"pg_basebackup failed: {message}")
        floors = dict(zip(_AT_LEAST_PRIMARY, self._primary_settings(*_AT_LEAST_PRIMARY), strict=True))
        port = free_port()
        state.replica_port = port
        settings = "".join(f"{name} = {value}\n" for name, value in floors.items())
        # The primary's own config files may live outside its data directory
        # (Debian: /etc/postgresql): the replica gets minimal ones where they
        # are missing. Its own settings go last in postgresql.auto.conf (after
        # the primary_conninfo that -R wrote), where they win over anything
        # copied from the primary (its port above all).
        for name, default in (("postgresql.conf", ""), ("pg_hba.conf", REPLICA_HBA), ("pg_ident.conf", "")):
            if not (data / name).exists():
                self._write_as_postgres(data / name, default, append=False)
        self._write_as_postgres(
            data / "postgresql.auto.conf",
            f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{data}'\n"
            f"hot_standby = on\nrecovery_min_apply_delay = '{self._apply_delay_ms}ms'\n{settings}",
        )
        self.pg_ctl(data, "start")
        state.replica_url = primary.set(port=port, host="127.0.0.1").render_as_string(hide_password=False)
        self._wait_replaying()

    def _wait_replaying(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        replica = conninfo(self.recorded.replica_url)
        while True:
            try:
                with psycopg.connect(replica, autocommit=True, connect_timeout=2) as connection:
                    if connection.execute("SELECT pg_last_wal_replay_lsn() IS NOT NULL").fetchone() == (True,):
                        return
            except psycopg.Error:
                pass
            if time.monotonic() > deadline:
                raise Refused(f"the replica did not start replaying in {timeout:.0f} s")
            time.sleep(0.2)

    def _migrate(self) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"],
            cwd=ROOT,
            env={**os.environ, **self._environment, "DATABASE_URL": self.recorded.primary_url},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise Refused(f"migrating the primary failed: {result.stderr.strip()[-2000:]}")

    def _secret_file(self) -> Path:
        path = self.directory / "auth-secret"
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path

    def _start_instances(self) -> None:
        state = self.recorded
        secret = self._secret_file()
        for number in range(1, self._instance_count + 1):
            instance = Instance(port=free_port())
            metrics = self.directory / f"metrics-{number}"
            shutil.rmtree(metrics, ignore_errors=True)
            metrics.mkdir()
            instance.metrics_dir = str(metrics)
            instance.log = str(self.directory / f"app-{number}.log")
            environment = {
                **os.environ,
                "AUTH_SECRET_FILE": str(secret),
                **self._environment,
                "DATABASE_URL": state.primary_url,
                # Without replica reads (to measure what the replica buys) the
                # instances read from the primary, as one host does.
                "DATABASE_REPLICA_URLS": state.replica_url if self._replica_reads else "",
                "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            }
            with open(instance.log, "ab") as log:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "api.main:app",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(instance.port),
                        "--workers",
                        str(self._workers),
                        "--loop",
                        "uvloop",
                        "--http",
                        "httptools",
                        "--no-access-log",
                        "--timeout-graceful-shutdown",
                        "10",
                    ],
                    cwd=ROOT,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            instance.pid = process.pid
            self._children[process.pid] = process
            state.instances.append(instance)
        for instance in state.instances:
            _wait_http(f"http://127.0.0.1:{instance.port}/health", Path(instance.log))

    def _start_balancer(self, haproxy: str) -> None:
        state = self.recorded
        state.balancer_port = self._port or free_port()
        servers = "".join(
            f"    server app{n} 127.0.0.1:{instance.port}\n" for n, instance in enumerate(state.instances, start=1)
        )
        config = self.directory / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=state.balancer_port, servers=servers))
        check = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise Refused(f"HAProxy refuses its configuration: {check.stderr.strip()}")
        with (self.directory / "haproxy.log").open("ab") as log:
            process = subprocess.Popen(
                [haproxy, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        state.balancer_pid = process.pid
        self._children[process.pid] = process
        _wait_http(f"{self.url}/health", self.directory / "haproxy.log")

    # -- faults, for the tests ---------------------------------------------

    def kill_instance(self, number: int) -> None:
        """SIGKILL one app instance (1-based), as a host that dies would."""
        _signal_group(self.recorded.instances[number - 1].pid, signal.SIGKILL)

    def stop_replica(self) -> None:
        self.pg_ctl(self.recorded.replica_data, "stop")

    def start_replica(self) -> None:
        self.pg_ctl(self.recorded.replica_data, "start")

    def stop_primary(self) -> None:
        if not self.recorded.own_primary_data:
            raise Refused("only a primary of the cluster's own is stopped by it")
        self.pg_ctl(self.recorded.own_primary_data, "stop")

    def start_primary(self) -> None:
        self.pg_ctl(self.recorded.own_primary_data, "start")

    # -- stop and status -----------------------------------------------------

    def stop(self) -> None:
        """Stops everything the state file names (what already stopped is skipped)."""
        state = self.recorded
        if state.balancer_pid:
            _signal_group(state.balancer_pid, signal.SIGTERM)
        for instance in state.instances:
            _signal_group(instance.pid, signal.SIGTERM)
        for pid in (state.balancer_pid, *(instance.pid for instance in state.instances)):
            child = self._children.pop(pid, None)
            if child is not None:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    _signal_group(pid, signal.SIGKILL)
                    child.wait(timeout=5)
            elif pid:
                _wait_gone(pid)
        for data in (state.replica_data, state.own_primary_data):
            if data and Path(data).exists():
                self.pg_ctl(data, "stop")
                shutil.rmtree(data, ignore_errors=True)
        self._state_file().unlink(missing_ok=True)
        self._recorded = None

    def status(self) -> dict[str, object]:
        state = self.recorded
        report: dict[str, object] = {
            "balancer": f"{self.url} ({'up' if _alive(state.balancer_pid) else 'down'})",
            "primary": state.primary_url,
            "replica": state.replica_url,
        }
        for number, instance in enumerate(state.instances, start=1):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{instance.port}/ready", timeout=3) as response:
                    report[f"app{number}"] = json.loads(response.read())
            except OSError as error:
                report[f"app{number}"] = f"down ({error})"
        return report


def _setting(connection: psycopg.Connection[tuple[object, ...]], name: str) -> str:
    row = connection.cursor(row_factory=dict_row).execute("SELECT current_setting(%s) AS value", (name,)).fetchone()
    if row is None:  # current_setting() answers one row, or raises
        raise Refused(f"the primary did not say its {name}")
    return str(row["value"])


def server_bindir(major: int) -> Path:
    """PostgreSQL `major`'s server tools: PG_BINDIR, else Debian's place for them."""
    candidates = [os.environ.get("PG_BINDIR", ""), str(PG_LIB / str(major) / "bin")]
    for candidate in filter(None, candidates):
        if all((Path(candidate) / tool).exists() for tool in ("pg_ctl", "pg_basebackup", "initdb")):
            return Path(candidate)
    raise Refused(
        f"PostgreSQL {major} server binaries (pg_ctl, pg_basebackup) not found in {PG_LIB / str(major) / 'bin'}:"
        f" install postgresql-{major}, or set PG_BINDIR"
    )


def installed_major() -> int:
    versions = sorted((int(p.name) for p in PG_LIB.glob("*") if p.name.isdigit()), reverse=True)
    if not versions:
        raise Refused(f"no PostgreSQL server binaries in {PG_LIB}: install postgresql, or set PG_BINDIR")
    return versions[0]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    # A child of this process that exited stays a zombie until reaped.
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


def _signal_group(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


def _wait_gone(pid: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            _signal_group(pid, signal.SIGKILL)
            return
        time.sleep(0.1)


def _wait_http(url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
                raise Refused(f"{url} did not answer in {timeout:.0f} s: {tail}") from None
            time.sleep(0.2)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infrastructure.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT", "8080")))
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per instance")
    parser.add_argument(
        "--no-replica-reads", action="store_true", help="the instances read from the primary (for comparison)"
    )
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("CLUSTER_DIR", DEFAULT_DIR)))
    options = parser.parse_args(argv)
    cluster = Cluster(
        options.dir,
        os.environ.get("DATABASE_URL"),
        port=options.port,
        instances=options.instances,
        workers=options.workers,
        replica_reads=not options.no_replica_reads,
    )
    try:
        if options.action == "start":
            cluster.start()
            print(f"balancer: {cluster.url}  (round robin over {', '.join(cluster.instance_urls())})")
            print(f"replica:  {cluster.recorded.replica_url}  (data in {cluster.recorded.replica_data})")
            print("stop:     make cluster-stop")
        elif options.action == "stop":
            cluster.stop()
            print("cluster stopped")
        else:
            print(json.dumps(cluster.status(), indent=2))
    except Refused as refusal:
        print(f"cluster: {refusal}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
