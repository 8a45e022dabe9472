"""Past one host (README, "Scaling out"): HAProxy in round robin over two app
instances, a PostgreSQL primary and a streaming replica of it, all started by
infrastructure.cluster, as `make cluster` does.

The primary is the cluster's own (initdb in a temporary directory), so that a
test may stop it without touching the machine's server. The replica applies
each commit `APPLY_DELAY_MS` late (`recovery_min_apply_delay`): replication on
one machine is otherwise so fast that a stale read would be rare, and a test
that should see one could not fail.

The figures each test measured are printed (`pytest -s`): the closing notes
quote them.
"""

import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx2
import jwt
import pytest

from domain.tasks.model import NewTask
from domain.tasks.service import TaskService
from domain.users.model import Actor
from infrastructure import consistency
from infrastructure.cluster import Cluster, Refused, installed_major
from infrastructure.database import build_engine
from infrastructure.replicas import ReadRouting
from infrastructure.settings import Settings
from infrastructure.unit_of_work import SqlUnitOfWork, session_factory
from tests.conftest import missing
from tests.support.databases import LiveDatabase, counting_statements
from tests.support.server import ServerProcess
from tests.system.test_concurrent_writes import (  # the same races, through the balancer
    clients,
    test_dozens_of_concurrent_writers_never_see_a_server_error,
    test_two_patches_of_different_fields_both_stick,
    test_with_if_match_the_loser_gets_412_and_changes_nothing,
)

__all__ = [
    "clients",
    "test_dozens_of_concurrent_writers_never_see_a_server_error",
    "test_two_patches_of_different_fields_both_stick",
    "test_with_if_match_the_loser_gets_412_and_changes_nothing",
]

pytestmark = [pytest.mark.postgres, pytest.mark.cluster]

APPLY_DELAY_MS = 30
TOKEN = "X-Consistency-Token"
READS = re.compile(r'^db_reads_total\{database="(\w+)"\} ([0-9.e+]+)$', re.MULTILINE)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    try:
        installed_major()
    except Refused as refusal:
        missing(str(refusal))
    topology = Cluster(
        Path(tmp_path_factory.mktemp("cluster")),
        own_primary=True,
        port=0,
        instances=2,
        apply_delay_ms=APPLY_DELAY_MS,
        environment={"DB_POOL_SIZE": "5", "AUTH_USER_CHECK_SECONDS": "60"},
    )
    try:
        topology.start()
    except Refused as refusal:
        if "HAProxy is not installed" in str(refusal):
            missing(str(refusal))
        raise
    try:
        yield topology
    finally:
        topology.stop()


@dataclass
class ClusterServer(ServerProcess):
    """The balancer, seen as the one server the race tests drive."""

    logs: tuple[Path, ...] = ()

    def log_text(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.logs)


@pytest.fixture(scope="module")
def server(cluster: Cluster) -> ServerProcess:
    state = cluster.recorded
    logs = tuple(Path(instance.log) for instance in state.instances)
    return ClusterServer(cluster.url, cast(Any, None), logs[0], logs)


@pytest.fixture(scope="module")
def database(cluster: Cluster) -> Iterator[LiveDatabase]:
    url = cluster.recorded.primary_url
    # Pre-ping: a test stops the primary, which breaks the pool's connections.
    engine = build_engine(Settings(database_url=url, db_pool_pre_ping=True))
    yield LiveDatabase("postgresql", url, engine)
    engine.dispose()


@pytest.fixture
def auth(server: ServerProcess) -> dict[str, str]:
    """A user's Authorization header (registered again after each test's clean-up)."""
    return server.headers("reader-writer@example.com")


@pytest.fixture
def hosts(cluster: Cluster, auth: dict[str, str]) -> Iterator[list[httpx2.Client]]:
    """A client of each app instance, directly (not through the balancer), with the user's token."""
    made = [httpx2.Client(base_url=url, headers=auth, timeout=30) for url in cluster.instance_urls()]
    yield made
    for client in made:
        client.close()


def reads_served(cluster: Cluster) -> Counter[str]:
    """db_reads_total of both instances, by database."""
    total: Counter[str] = Counter()
    for url in cluster.instance_urls():
        try:
            text = httpx2.get(f"{url}/metrics", timeout=10).text
        except httpx2.TransportError:
            continue  # an instance a test killed
        for database, value in READS.findall(text):
            total[database] += int(float(value))
    return total


def run_for(seconds: float, work: Callable[[], Any], threads: int) -> list[Any]:
    """`work` called over and over by `threads` threads for `seconds`; what each call returned."""
    deadline = time.monotonic() + seconds
    results: list[Any] = []
    lock = threading.Lock()

    def loop() -> None:
        while time.monotonic() < deadline:
            outcome = work()
            with lock:
                results.append(outcome)

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(loop) for _ in range(threads)]:
            future.result()
    return results


def test_the_cluster_serves_through_the_balancer_and_each_instance_sees_the_replica(cluster: Cluster) -> None:
    for url in cluster.instance_urls():
        ready = httpx2.get(f"{url}/ready", timeout=10).json()
        assert ready["database"] == "ok"
        assert [replica["name"] for replica in ready["replicas"]] == ["replica1"]
        assert ready["replicas"][0]["reachable"] is True
        metrics = httpx2.get(f"{url}/metrics", timeout=10).text
        assert 'db_reachable{database="primary"} 1.0' in metrics
        assert 'db_reachable{database="replica1"} 1.0' in metrics
        lag = re.search(r'^db_replica_lag_seconds\{database="replica1"\} (\S+)$', metrics, re.MULTILINE)
        assert lag is not None, metrics
        assert 0 <= float(lag.group(1)) < 1
    assert httpx2.get(f"{cluster.url}/health", timeout=10).status_code == 200


def test_a_read_costs_one_statement_more_on_the_replica_and_a_write_one_more_on_the_primary(
    cluster: Cluster, clean_database: LiveDatabase, auth: dict[str, str]
) -> None:
    """The price of reading your own writes, pinned: the statements the units
    of work send to each database (the monitor's own are not counted: it is
    not started here)."""
    state = cluster.recorded
    settings = Settings(database_url=state.primary_url, database_replica_urls=[state.replica_url])
    primary, replica = build_engine(settings), build_engine(settings, state.replica_url)
    routing = ReadRouting(primary, [replica], max_lag=1.0, poll_seconds=0.25)
    tasks = TaskService(SqlUnitOfWork(session_factory(primary), routing=routing))
    me = Actor(int(jwt.decode(auth["Authorization"].split()[1], options={"verify_signature": False})["sub"]))
    try:
        request = consistency.begin_request(None)
        with counting_statements(primary) as on_primary, counting_statements(replica) as on_replica:
            task = tasks.create(me, NewTask("counted"))
        assert on_replica == []
        assert [statement.split("(")[0].split()[0:2] for statement in on_primary] == [
            ["SELECT", "set_config"],
            ["INSERT", "INTO"],
            ["SELECT", "pg_current_wal_lsn"],
        ]
        assert request.written is not None
        token = request.token()
        time.sleep(APPLY_DELAY_MS * 3 / 1000)  # the replica replays the write

        consistency.begin_request(token)
        with counting_statements(primary) as on_primary, counting_statements(replica) as on_replica:
            assert tasks.get(me, task.id).title == "counted"
        assert on_primary == []
        assert [statement.split("(")[0].split()[0:2] for statement in on_replica] == [
            ["SELECT", "pg_last_wal_replay_lsn"],
            ["BEGIN", "READ"],
            ["SELECT", "tasks.id,"],
        ]
    finally:
        primary.dispose()
        replica.dispose()


def test_duplicate_titles_race_to_one_201_through_the_balancer(
    server: ServerProcess, clean_database: LiveDatabase, auth: dict[str, str]
) -> None:
    with httpx2.Client(base_url=server.url, headers=auth, timeout=30) as client, ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: client.post("/tasks", json={"title": "only one"}).status_code, range(16)))
    assert sorted(statuses) == [201] + [409] * 15


def test_a_client_with_the_token_never_reads_a_stale_row_on_alternating_hosts(
    cluster: Cluster, clean_database: LiveDatabase, hosts: list[httpx2.Client]
) -> None:
    """Four clients, each writing on one instance and reading what it wrote on
    the other, with the token of its last write, 500 times: never an older row.
    Some reads come a moment after the write (a think time), so that the replica
    has sometimes replayed it and serves: both databases must take part."""
    before = reads_served(cluster)
    rounds = 500
    served_by: Counter[str] = Counter()

    def client(number: int) -> int:
        stale = 0
        created = hosts[number % 2].post("/tasks", json={"title": f"client {number}"})
        assert created.status_code == 201, created.text
        task, token = created.json(), created.headers[TOKEN]
        for round_ in range(rounds):
            writer, reader = hosts[(number + round_) % 2], hosts[(number + round_ + 1) % 2]
            if round_ % 2:
                # A new row: a stale read would not find it at all.
                wrote = writer.post("/tasks", json={"title": f"client {number} round {round_}"}, headers={TOKEN: token})
                assert wrote.status_code == 201, wrote.text
            else:
                wrote = writer.patch(f"/tasks/{task['id']}", json={"description": str(round_)}, headers={TOKEN: token})
                assert wrote.status_code == 200, wrote.text
            row, token = wrote.json(), wrote.headers[TOKEN]
            time.sleep(random.choice((0, 0, APPLY_DELAY_MS * 2 / 1000)))
            read = reader.get(f"/tasks/{row['id']}", headers={TOKEN: token})
            served_by[str(reader.base_url)] += 1
            if read.status_code != 200 or read.json()["version"] < row["version"]:
                stale += 1
        return stale

    with ThreadPoolExecutor(4) as pool:
        stale = sum(pool.map(client, range(4)))
    after = reads_served(cluster)
    replica_hits, primary_reads = after["replica1"] - before["replica1"], after["primary"] - before["primary"]
    print(
        f"\nnever-stale: {4 * rounds} write-then-read pairs, reads per host {dict(served_by)},"
        f" reads served: replica {replica_hits}, primary {primary_reads}, stale {stale}"
    )
    assert stale == 0
    assert len(served_by) == 2
    # Both sides took part: the replica served reads that it had provably caught up with.
    assert replica_hits > 0
    assert primary_reads > 0


def test_without_the_token_a_read_may_be_stale_within_the_bound(
    clean_database: LiveDatabase, hosts: list[httpx2.Client]
) -> None:
    """The same client, sending no token, reads its writes back at once: the
    replica (APPLY_DELAY_MS behind, within the one-second bound) serves some of
    them before it has them. This is what the token is for, and the proof that
    the test above could fail."""
    stale = 0
    rounds = 300
    for round_ in range(rounds):
        wrote = hosts[round_ % 2].post("/tasks", json={"title": f"no token {round_}"})
        assert wrote.status_code == 201
        if hosts[(round_ + 1) % 2].get(f"/tasks/{wrote.json()['id']}").status_code == 404:
            stale += 1
    print(f"\nwithout token: {rounds} write-then-read pairs, stale (404) {stale}")
    assert stale > 0


def test_a_stopped_replica_sends_its_reads_to_the_primary_and_is_used_again_when_back(
    cluster: Cluster, clean_database: LiveDatabase, auth: dict[str, str]
) -> None:
    with httpx2.Client(base_url=cluster.url, headers=auth, timeout=30) as client:
        ids = [client.post("/tasks", json={"title": f"replica fault {n}"}).json()["id"] for n in range(20)]
        time.sleep(1.5)  # past the lag bound: reads without a token may go to the replica

        def read() -> int:
            return client.get(f"/tasks/{random.choice(ids)}").status_code

        stopper = threading.Timer(1.0, cluster.stop_replica)
        stopper.start()
        statuses = Counter(run_for(4.0, read, threads=4))
        stopper.join()
        down = reads_served(cluster)
        assert all(status == 200 for status in statuses), statuses
        cluster.start_replica()
        deadline = time.monotonic() + 15
        while reads_served(cluster)["replica1"] == down["replica1"]:
            assert time.monotonic() < deadline, "the replica was not used again within 15 s of its return"
            for _ in range(10):
                assert read() == 200
            time.sleep(0.1)
        print(f"\nreplica stopped under load: {sum(statuses.values())} reads, statuses {dict(statuses)}")


def test_with_the_primary_stopped_reads_answer_writes_are_503_and_all_is_back_within_10_s(
    cluster: Cluster, clean_database: LiveDatabase, auth: dict[str, str]
) -> None:
    with httpx2.Client(base_url=cluster.url, headers=auth, timeout=30) as client:
        ids = [client.post("/tasks", json={"title": f"primary fault {n}"}).json()["id"] for n in range(20)]
        time.sleep(1.5)
        for _ in range(4):  # every instance has checked this user against a database lately
            assert client.get(f"/tasks/{ids[0]}").status_code == 200
        cluster.stop_primary()
        try:
            reads = Counter(run_for(3.0, lambda: client.get(f"/tasks/{random.choice(ids)}").status_code, threads=4))
            writes = [client.post("/tasks", json={"title": f"while down {n}"}) for n in range(5)]
        finally:
            cluster.start_primary()
        returned = time.monotonic()
        assert set(reads) == {200}, reads
        assert {write.status_code for write in writes} == {503}
        assert all("retry-after" in write.headers for write in writes)
        while True:
            status = client.post("/tasks", json={"title": f"after {time.monotonic()}"}).status_code
            if status == 201 and client.get(f"/tasks/{ids[0]}").status_code == 200:
                break
            assert time.monotonic() - returned < 10, f"still {status} 10 s after the primary returned"
            time.sleep(0.2)
        print(
            f"\nprimary stopped under load: {sum(reads.values())} reads all 200, writes {len(writes)} x 503,"
            f" back after {time.monotonic() - returned:.1f} s"
        )


def test_an_instance_killed_under_load_is_dropped_and_no_acknowledged_write_is_lost(
    cluster: Cluster, clean_database: LiveDatabase, auth: dict[str, str]
) -> None:
    acknowledged: list[tuple[int, str]] = []
    failures: list[tuple[float, int]] = []
    killed_at = time.monotonic() + 1.0
    lock = threading.Lock()

    with httpx2.Client(base_url=cluster.url, headers=auth, timeout=30) as client:

        def write() -> None:
            title = f"kill {random.getrandbits(64)}"
            try:
                answer = client.post("/tasks", json={"title": title})
            except httpx2.TransportError:
                with lock:
                    failures.append((time.monotonic() - killed_at, 0))
                return
            with lock:
                if answer.status_code == 201:
                    acknowledged.append((answer.json()["id"], answer.headers[TOKEN]))
                else:
                    failures.append((time.monotonic() - killed_at, answer.status_code))

        killer = threading.Timer(1.0, cluster.kill_instance, args=(1,))
        killer.start()
        run_for(5.0, write, threads=4)
        killer.join()
        for task_id, token in acknowledged:
            assert client.get(f"/tasks/{task_id}", headers={TOKEN: token}).status_code == 200
    print(
        f"\ninstance killed under load: {len(acknowledged)} writes acknowledged, all read back;"
        f" failed {len(failures)} ({failures[:5]})"
    )
    # Only requests in flight on the killed instance may fail; HAProxy's health
    # check drops it within about a second, and nothing fails after that.
    assert all(at < 2.0 for at, _ in failures), failures
    assert len(acknowledged) > 0
