"""`make run` serves from an environment of the project's own dependencies
(Makefile: SERVE_VENV, `uv sync --no-dev`), as a production install has them.

Some packages import others only because they are installed:
dependency-injector imports werkzeug (for Flask's request proxies), uvicorn
PyYAML (for YAML log configs), and uvicorn's `[standard]` extra would bring
websockets and watchfiles, which it imports at start. None of them serves a
request here; each costs a worker memory it keeps (README, Speed)."""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.databases import ROOT

pytestmark = pytest.mark.slow

SERVE_PYTHON = ROOT / ".venv-serve" / "bin" / "python"

# What a worker imports once uvicorn has loaded the app, as `make serve` starts
# it (uvloop, httptools): the top-level names in sys.modules.
_PROBE = """
import json, sys
from uvicorn.config import Config
Config("api.main:app", loop="uvloop", http="httptools").load()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""

# Installed in the test environment, imported by a worker when present, and
# needed by none of the routes.
NOT_SERVED_WITH = {"werkzeug", "yaml", "websockets", "watchfiles"}


def imported_by_a_worker(python: Path, tmp_path: Path) -> set[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [str(python), "-c", _PROBE], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return set(modules)


def installed(python: Path) -> set[str]:
    listing = "import importlib.metadata as m, json; print(json.dumps([d.metadata['Name'] for d in m.distributions()]))"
    done = subprocess.run([str(python), "-c", listing], capture_output=True, text=True, timeout=60, check=True)
    return {canonicalize_name(name) for name in json.loads(done.stdout)}


def test_make_serves_and_migrates_from_the_serving_environment() -> None:
    planned = subprocess.run(
        ["make", "-n", "-B", "serve", "migrate"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "UV_PROJECT_ENVIRONMENT=.venv-serve" in planned
    assert "sync --frozen --no-dev" in planned
    assert "exec .venv-serve/bin/uvicorn api.main:app" in planned
    assert ".venv-serve/bin/alembic upgrade head" in planned


def test_the_serving_environment_has_no_package_of_the_dev_group() -> None:
    dev_group = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    dev = {canonicalize_name(Requirement(requirement).name) for requirement in dev_group}
    serving = installed(SERVE_PYTHON)
    assert "fastapi" in serving
    assert dev & installed(Path(sys.executable)) == dev, "the test environment has the dev group"
    assert not dev & serving


def test_a_worker_imports_nothing_that_serves_no_request(tmp_path: Path) -> None:
    serving = imported_by_a_worker(SERVE_PYTHON, tmp_path)
    assert {"api", "fastapi", "sqlalchemy", "httptools"} <= serving
    assert not serving & NOT_SERVED_WITH
    # The same probe in the test environment, where they are installed, sees
    # dependency-injector's and uvicorn's imports: what the serving environment
    # spares a worker.
    assert {"werkzeug", "yaml"} <= imported_by_a_worker(Path(sys.executable), tmp_path)
