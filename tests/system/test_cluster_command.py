"""`make cluster` (infrastructure.cluster) on the machine's own PostgreSQL: what
it refuses, and a start, a write read back through the balancer with its token,
and a stop that leaves nothing behind. tests/system/test_scaling_out.py drives
the same topology (around a primary of its own) under load and faults."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import psycopg
import pytest
from sqlalchemy import make_url

from infrastructure import cluster as cluster_module
from infrastructure.cluster import Cluster, Refused
from tests.conftest import missing
from tests.support.databases import ROOT, postgres_conninfo

pytestmark = [pytest.mark.postgres, pytest.mark.cluster]

NO_REPLICATION_ROLE = "tasks_cluster_no_replication"


def database_url(server: str, database: str, user: str | None = None) -> str:
    url = make_url(server).set(database=database)
    return (url.set(username=user) if user else url).render_as_string(hide_password=False)


@pytest.fixture
def role_without_replication(postgres_server: str) -> Iterator[str]:
    with psycopg.connect(postgres_conninfo(postgres_server), autocommit=True) as connection:
        connection.execute(f"DROP ROLE IF EXISTS {NO_REPLICATION_ROLE}")
        connection.execute(f"CREATE ROLE {NO_REPLICATION_ROLE} LOGIN NOREPLICATION")
    yield NO_REPLICATION_ROLE
    with psycopg.connect(postgres_conninfo(postgres_server), autocommit=True) as connection:
        connection.execute(f"DROP ROLE IF EXISTS {NO_REPLICATION_ROLE}")


def test_a_role_without_replication_is_refused_with_the_fix(
    postgres_server: str, role_without_replication: str, tmp_path: Path
) -> None:
    topology = Cluster(tmp_path, database_url(postgres_server, "postgres", role_without_replication), port=0)
    with pytest.raises(Refused, match=f"role {role_without_replication} may not replicate: ALTER ROLE"):
        topology.start()
    assert not (tmp_path / "state.json").exists()


def test_missing_server_binaries_are_refused_with_the_fix(
    postgres_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster_module, "PG_LIB", tmp_path / "nothing-here")
    monkeypatch.delenv("PG_BINDIR", raising=False)
    topology = Cluster(tmp_path, database_url(postgres_server, "postgres"), port=0)
    with pytest.raises(Refused, match=r"server binaries \(pg_ctl, pg_basebackup\) not found .* set PG_BINDIR"):
        topology.start()
    assert not (tmp_path / "state.json").exists()


def test_a_missing_haproxy_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(shutil, "which", lambda *_args, **_kwargs: None)
    with pytest.raises(Refused, match=r"HAProxy is not installed \(Debian: apt-get install haproxy\)"):
        Cluster(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:5432/tasks", port=0).start()


def test_the_command_refuses_sqlite_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "infrastructure.cluster", "start", "--dir", str(tmp_path), "--port", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "sqlite:///./tasks.db"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == "cluster: DATABASE_URL must name the PostgreSQL primary (postgresql+psycopg://...)\n"


def test_make_cluster_streams_the_machine_server_and_stops_clean(postgres_server: str, tmp_path: Path) -> None:
    """What `make cluster` runs, on the machine's server (`.ci/run` lets its
    postgres role in for replication)."""
    topology = Cluster(tmp_path, database_url(postgres_server, "tasks_cluster_test"), port=0)
    try:
        topology.start()
    except Refused as refusal:
        if "pg_hba.conf" in str(refusal):
            missing(str(refusal))
        raise
    replica_data = Path(topology.recorded.replica_data)
    try:
        auth = {"email": "cluster@example.com", "password": "a password for the cluster"}
        with httpx2.Client(base_url=topology.url, timeout=30) as client:
            assert client.post("/users", json=auth).status_code in (201, 409)
            token = client.post("/auth/token", data={"username": auth["email"], "password": auth["password"]})
            client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            created = client.post("/tasks", json={"title": f"through the balancer {os.getpid()}"})
            assert created.status_code == 201
            read = client.get(
                created.headers["Location"], headers={"X-Consistency-Token": created.headers["X-Consistency-Token"]}
            )
            assert read.status_code == 200
            assert client.delete(created.headers["Location"]).status_code == 204
        status = topology.status()
        assert status["app1"]["replicas"][0]["reachable"] is True  # type: ignore[index]
    finally:
        topology.stop()
    assert not replica_data.exists()
    assert not (tmp_path / "state.json").exists()
    with pytest.raises(httpx2.TransportError):
        httpx2.get(f"http://127.0.0.1:{topology_port(tmp_path)}/health", timeout=2)


def topology_port(directory: Path) -> int:
    config = (directory / "haproxy.cfg").read_text()
    return int(config.split("bind 127.0.0.1:")[1].split()[0])
