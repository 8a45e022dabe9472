"""`make mutate`: mutation testing of domain/ and infrastructure/ with mutmut.

Each package is mutated in a scratch copy of the project, .mutation/<package>,
whose setup.cfg says what to mutate and which tests judge the mutants:

- domain: the unit tests (services on fakes, no database);
- infrastructure: the integration tests, on SQLite and on PostgreSQL (CI=true:
  PostgreSQL must answer). SQLite alone cannot judge what only PostgreSQL
  runs (its bulk INSERT, FOR UPDATE, pre-ping): those mutants would survive
  whatever the tests said.

mutmut runs, for each mutant, the tests that reach the mutated function. The
summary gives, per package, the mutants generated, killed, survived, timed out
and without a test, and the score (killed or timed out, over all). Survivors:
`cd .mutation/<package> && ../../.venv/bin/mutmut results`, then
`mutmut show <name>`. The README lists those that cannot change behaviour.

    make mutate                     both packages
    MUTATE=domain make mutate       one
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".mutation"
MUTMUT = Path(sys.executable).parent / "mutmut"

PACKAGES: dict[str, dict[str, Any]] = {
    "domain": {"tests": ["tests/unit"], "skip": [], "target": 95.0},
    # Migrations are the schema's history, run by Alembic from their files:
    # tests/integration/test_migrations.py compares what they build with the
    # tables, and mutmut cannot tell which test runs them.
    "infrastructure": {
        "tests": ["tests/integration"],
        "skip": ["infrastructure/migrations/*"],
        "target": 85.0,
    },
}
COLUMNS = ("mutants", "killed", "survived", "timeout", "no test", "score")


def main() -> int:
    wanted = os.environ.get("MUTATE", ",".join(PACKAGES)).split(",")
    results = {}
    for package in wanted:
        started = time.monotonic()
        results[package] = (mutate(package), time.monotonic() - started)
    print("\n" + f"{'package':<16}" + "".join(f"{title:>9}" for title in COLUMNS) + "  target  time")
    status = 0
    for package, (stats, seconds) in results.items():
        score = 100 * (stats["killed"] + stats["timeout"]) / stats["total"] if stats["total"] else 100.0
        target = PACKAGES[package]["target"]
        status |= score < target
        counts = (stats["total"], stats["killed"], stats["survived"], stats["timeout"], stats["no_tests"])
        row = f"{package:<16}" + "".join(f"{count:>9}" for count in counts)
        print(f"{row}{score:>8.1f}%  {target:>5.0f}%  {seconds:.0f} s")
    return status


def listed(values: list[str]) -> str:
    """A list option of setup.cfg: one value per indented line."""
    return "".join(f"\n    {value}" for value in values)


def mutate(package: str) -> dict[str, int]:
    copy = WORK / package
    shutil.rmtree(copy, ignore_errors=True)
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    config = PACKAGES[package]
    copied = [part for part in ("domain", "infrastructure", "api", "tests") if part != package]
    skip = f"do_not_mutate ={listed(config['skip'])}\n" if config["skip"] else ""
    (copy / "setup.cfg").write_text(
        "[mutmut]\n"
        f"source_paths = {package}\n"
        f"{skip}"
        f"also_copy ={listed([*copied, 'pyproject.toml', 'schemathesis.toml', 'README.md', '.env.example'])}\n"
        f"pytest_add_cli_args_test_selection ={listed(config['tests'])}\n"
        "pytest_add_cli_args = -p no:cacheprovider\n"
    )
    print(f"== {package}: mutmut run in {copy.relative_to(ROOT)}", flush=True)
    # CI=true: a test that needs PostgreSQL fails without it instead of skipping.
    environment = {**os.environ, "CI": "true"}
    subprocess.run([str(MUTMUT), "run"], cwd=copy, check=False, stdout=subprocess.DEVNULL, env=environment)
    subprocess.run([str(MUTMUT), "export-cicd-stats"], cwd=copy, check=True, stdout=subprocess.DEVNULL)
    stats: dict[str, int] = json.loads((copy / "mutants" / "mutmut-cicd-stats.json").read_text())
    if stats["total"] and not any(stats[key] for key in ("killed", "survived", "timeout", "no_tests")):
        # mutmut runs the tests once unmutated first; if they fail, no mutant is tried.
        raise SystemExit(f"{package}: the tests failed without a mutant; `mutmut run` in {copy} shows why")
    return stats


if __name__ == "__main__":
    sys.exit(main())
