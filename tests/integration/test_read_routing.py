"""Read routing's rules with the databases' answers scripted (no server): which
engine serves a read, the lag bound, a forged token, a replica that fails.
tests/system/test_replicas.py shows the same against a real streaming replica."""

from typing import Any, cast

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from infrastructure import replicas
from infrastructure.consistency import PRIMARY, Consistency, format_token, parse_lsn, parse_token
from infrastructure.replicas import ReadRouting


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Answers:
    """What each "engine" answers: an LSN in text, None (not a replica) or an error."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.asked: list[str] = []

    def __call__(self, engine: Any, statement: object) -> str | None:
        self.asked.append(engine)
        value = self.values[engine]
        if isinstance(value, Exception):
            raise value
        return cast("str | None", value)


def lsn(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    scripted = Answers()
    monkeypatch.setattr(replicas, "_autocommit_scalar", scripted)
    return scripted


def served(read: ReadRouting, required: int | None) -> object:
    """The name of the engine that serves the read (engines here are names)."""
    return read.engine_for_read(required)


def routing(clock: Clock, count: int = 1) -> ReadRouting:
    engines = [cast(Engine, f"replica{n}") for n in range(1, count + 1)]
    return ReadRouting(cast(Engine, "primary"), engines, max_lag=1.0, poll_seconds=0.25, clock=clock)


class TestTokens:
    def test_a_token_round_trips_its_position(self) -> None:
        position = parse_lsn("16/B374D848")
        assert position == (0x16 << 32) | 0xB374D848
        assert parse_token(format_token(position)) == position

    @pytest.mark.parametrize(
        "text", ["", "v1-", "v2-10", "v1-xyz", "v1-" + "f" * 17, " v1-10", "v1-10\n", "\uff161-10"]
    )
    def test_anything_else_is_no_token(self, text: str) -> None:
        assert parse_token(text) is None

    def test_a_request_that_wrote_nothing_answers_the_primary_token(self) -> None:
        assert parse_token(Consistency().token()) == PRIMARY

    def test_a_request_that_wrote_nothing_hands_back_the_token_it_sent(self) -> None:
        assert parse_token(Consistency(required=42).token()) == 42

    def test_a_write_raises_what_the_request_reads_later(self) -> None:
        request = Consistency(required=5)
        request.wrote(9)
        request.wrote(7)
        assert (request.required, request.written) == (9, 9)
        assert parse_token(request.token()) == 9


class TestReadRouting:
    def test_a_replica_that_has_replayed_the_token_serves(self, answers: Answers) -> None:
        read = routing(Clock())
        answers.values = {"replica1": lsn(100)}
        assert served(read, 100) == "replica1"
        assert answers.asked == ["replica1"]  # one question, on the replica

    def test_a_replica_short_of_the_token_leaves_it_to_the_primary(self, answers: Answers) -> None:
        read = routing(Clock())
        answers.values = {"replica1": lsn(99)}
        assert served(read, 100) == "primary"

    def test_a_forged_future_token_costs_one_question_and_goes_to_the_primary(self, answers: Answers) -> None:
        read = routing(Clock())
        answers.values = {"replica1": lsn(100)}
        assert served(read, PRIMARY - 1) == "primary"
        assert answers.asked == ["replica1"]

    def test_replicas_take_turns(self, answers: Answers) -> None:
        read = routing(Clock(), count=2)
        answers.values = {"replica1": lsn(5), "replica2": lsn(5)}
        assert {served(read, 1) for _ in range(4)} == {"replica1", "replica2"}

    def test_a_failing_replica_is_skipped_until_the_monitor_reaches_it(self, answers: Answers) -> None:
        read = routing(Clock())
        answers.values = {"primary": lsn(10), "replica1": OperationalError("SELECT", {}, OSError("gone"))}
        assert served(read, 1) == "primary"
        answers.asked.clear()
        assert served(read, 1) == "primary"
        assert answers.asked == []  # marked down: not asked again by reads
        answers.values["replica1"] = lsn(10)
        read.poll()
        assert read.states()[1].reachable
        assert served(read, 1) == "replica1"

    def test_a_read_that_lost_its_replica_sends_the_next_ones_to_the_primary(self, answers: Answers) -> None:
        read = routing(Clock())
        answers.values = {"replica1": lsn(5)}
        assert served(read, 1) == "replica1"
        read.failed(read.replicas[0].engine)
        assert served(read, 1) == "primary"
        assert not read.states()[1].reachable

    def test_a_server_not_in_recovery_is_not_a_replica(self, answers: Answers) -> None:
        read = routing(Clock())
        answers.values = {"replica1": None}
        assert served(read, 1) == "primary"
        assert not read.states()[1].reachable

    def test_without_a_token_the_primary_serves_until_the_first_sample(self, answers: Answers) -> None:
        read = routing(Clock())
        answers.values = {"replica1": lsn(0)}
        assert served(read, None) == "primary"

    def test_without_a_token_a_replica_may_lag_by_the_bound_and_no_more(self, answers: Answers) -> None:
        clock = Clock()
        read = routing(clock)
        answers.values = {"primary": lsn(100), "replica1": lsn(100)}
        read.poll()  # t=1000: primary at 100
        clock.now += 0.5
        answers.values = {"primary": lsn(200), "replica1": lsn(100)}
        read.poll()  # t=1000.5: primary at 200, the replica still at 100
        # Within the bound the oldest sample that young (100) is enough.
        assert served(read, None) == "replica1"
        assert read.states()[1].lag_seconds == pytest.approx(0.5)
        # Past it, the replica would serve a world older than a second: primary.
        clock.now += 0.6
        answers.values = {"primary": lsn(300), "replica1": lsn(100)}
        read.poll()
        assert served(read, None) == "primary"
        assert read.states()[1].lag_seconds == pytest.approx(1.1)

    def test_with_the_primary_away_a_replica_serves_what_it_had(self, answers: Answers) -> None:
        clock = Clock()
        read = routing(clock)
        answers.values = {"primary": lsn(100), "replica1": lsn(100)}
        read.poll()
        clock.now += 30
        answers.values = {
            "primary": OperationalError("SELECT", {}, OSError("down")),
            "replica1": lsn(100),
        }
        read.poll()
        assert not read.states()[0].reachable
        assert served(read, None) == "replica1"
        assert read.primary_position() is None
