"""Where one 1,000-item `POST /tasks/bulk` spends its time, step by step.

In-process and one request at a time (no HTTP, no server, no concurrency), so
each step is timed alone: the JSON parse, the body's validation by the route's
own request model, the commands, the service call (and, within it, the time
the database driver spends executing its statements, through SQLAlchemy's
`before_cursor_execute` / `after_cursor_execute` events; the COMMIT, which is
no statement, is not among them), and the reply's bytes as the route's
response model writes them. What `make bench` cannot say: it measures the
whole request under load.

    .venv/bin/python -m tests.bench.bulk_steps          SQLite, a temporary file
    BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m tests.bench.bulk_steps

The database is prepared as `make bench` prepares it (tests/bench/run.py,
`prepared_database`: the one given is emptied; migrated; the bench user; its
100,000 tasks, 1,000 authors and 10,000 posts), then 40 batches
of 1,000 new tasks are created; printed: each step's median over the last 35,
in milliseconds. Connect as a role row-level security binds (not a superuser)
to measure what the service pays on PostgreSQL.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson
from pydantic import TypeAdapter
from sqlalchemy import event
from sqlalchemy.engine import Engine

from api.container import Container
from api.responses import serializer
from api.schemas.tasks import TaskCreate
from domain.tasks.model import Task
from domain.users.model import Actor
from tests.bench.run import EMAIL, PASSWORD, prepared_database

BATCH, BATCHES, WARM = 1_000, 40, 5
# As the shared bench's bulk_create.lua writes its items.
PRIORITIES = ("low", "medium", "high")
T = TypeVar("T")


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="tasks-bulk-steps-"))
    try:
        env = prepared_database(workdir)
        # The container's settings are read when _measure first uses it.
        os.environ.update(DATABASE_URL=env["DATABASE_URL"], AUTH_SECRET_FILE=env["AUTH_SECRET_FILE"])
        steps = _measure()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{env['DATABASE_URL'].split(':')[0]}: one {BATCH:,}-item batch, median of {BATCHES - WARM}, ms")
    for name, times in steps.items():
        print(f"  {name:<28} {statistics.median(times[WARM:]):7.2f}")
    return 0


def _measure() -> dict[str, list[float]]:
    container = Container()
    actor = Actor(container.user_service().authenticate(EMAIL, PASSWORD).id)
    tasks = container.task_service()
    request_model = TypeAdapter(list[TaskCreate])
    reply = serializer(list[Task])
    statements: list[float] = []
    started: list[float] = []
    event.listen(Engine, "before_cursor_execute", lambda *_: started.append(time.perf_counter()))
    event.listen(Engine, "after_cursor_execute", lambda *_: statements.append(time.perf_counter() - started.pop()))

    steps: dict[str, list[float]] = {
        name: [] for name in ("parse", "validate", "commands", "service", "  of which statements", "reply", "total")
    }

    def timed(name: str, call: Callable[..., T], *args: Any) -> T:
        begun = time.perf_counter()
        result = call(*args)
        steps[name].append((time.perf_counter() - begun) * 1000)
        return result

    for batch in range(BATCHES):
        body = orjson.dumps([_item(f"bulk-steps {time.time_ns()} {batch} {i}", i) for i in range(BATCH)])
        statements.clear()
        data = timed("parse", orjson.loads, body)
        items = timed("validate", request_model.validate_python, data)
        new = timed("commands", lambda items: [item.to_domain() for item in items], items)
        created = timed("service", tasks.create_many, actor, new)
        steps["  of which statements"].append(sum(statements) * 1000)
        timed("reply", reply, created)
        steps["total"].append(sum(steps[name][-1] for name in ("parse", "validate", "commands", "service", "reply")))
    return steps


def _item(title: str, position: int) -> dict[str, str]:
    return {"title": title, "description": "bulk item", "priority": PRIORITIES[position % 3]}


if __name__ == "__main__":
    sys.exit(main())
