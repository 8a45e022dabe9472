# Two commands do all the set-up on a fresh machine (Python 3.11 on PATH):
#   make run    install what the service runs, migrate the database, serve on $(HOST):$(PORT)
#   make test   install that and the test tools, then every check: ruff, mypy, import contracts, pytest
# The app's request log replaces uvicorn's access log (--no-access-log).
# HOST, PORT, WORKERS and DATABASE_URL come from the environment or the command
# line: make run DATABASE_URL=postgresql+psycopg://... WORKERS=4

HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
PYTHON ?= python3
UV_VERSION := 0.13.9
# Read by infrastructure.settings (with .env and the defaults there) when given.
ifdef DATABASE_URL
export DATABASE_URL
endif

# uv from PATH, else a private copy bootstrapped with pip into .tools/.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
# Never download a Python: use the machine's (pyproject.toml asks for 3.11).
export UV_PYTHON_DOWNLOADS := never

.PHONY: install install-serve run migrate serve test lint typecheck contracts pytest bench mutate cluster cluster-stop cluster-status clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

# What `make run` serves from: the project's own dependencies, no dev group, as
# a production install has them. Some packages import others only because they
# are installed (dependency-injector imports werkzeug, which only the test
# tools bring): served from .venv, a worker would carry them (README, Speed).
SERVE_VENV := .venv-serve
SERVE_BIN := $(SERVE_VENV)/bin

install-serve: $(SERVE_VENV)/.installed

$(SERVE_VENV)/.installed: pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(SERVE_VENV) $(UV) sync --frozen --no-dev --python $(PYTHON)
	@touch $@

# Starts from an empty .tools: an interrupted earlier bootstrap can leave uv's
# package installed without its executable, which pip would then call satisfied.
.tools/bin/uv:
	rm -rf .tools
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

migrate: install-serve
	$(SERVE_BIN)/alembic upgrade head

run: migrate serve

# Several workers share their metrics through files here (prometheus_client's
# multiprocess mode), emptied at each start. One worker keeps them in memory:
# multiprocess mode costs each request a getpid() and a file lock per sample
# (README, Speed).
METRICS_DIR ?= $(CURDIR)/.metrics/$(PORT)
METRICS_ENV := $(if $(filter-out 1,$(WORKERS)),PROMETHEUS_MULTIPROC_DIR=$(METRICS_DIR))

# glibc gives each thread that allocates its own malloc arena, kept at its
# peak; two arenas serve the few threads a worker has (README, Speed: S4's peak
# RSS 109 -> 104 MiB, the same rows/s). mallopt(3); set it to 0 to undo.
MALLOC_ARENA_MAX ?= 2

serve: install-serve
	rm -rf $(METRICS_DIR) && mkdir -p $(METRICS_DIR)
	MALLOC_ARENA_MAX=$(MALLOC_ARENA_MAX) $(METRICS_ENV) exec $(SERVE_BIN)/uvicorn api.main:app --host $(HOST) --port $(PORT) \
		--workers $(WORKERS) --loop uvloop --http httptools --no-access-log --timeout-graceful-shutdown 30

test: install install-serve lint typecheck contracts pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest

# Mutation testing of domain/ and infrastructure/ (mutmut); not part of `make test`:
# it takes minutes. See tests/mutation/run.py.
mutate: install
	$(BIN)/python tests/mutation/run.py

# The benchmark scenarios against this project alone (needs wrk); see tests/bench/run.py.
bench: install install-serve
	$(BIN)/python -m tests.bench.run

# Several hosts on one machine (README, "Scaling out"): a streaming replica of
# DATABASE_URL's PostgreSQL, two app instances reading from it, HAProxy in round
# robin in front on CLUSTER_PORT. State, logs and metrics in .cluster/.
CLUSTER_DATABASE_URL ?= $(or $(DATABASE_URL),postgresql+psycopg://postgres@127.0.0.1:5432/tasks)
CLUSTER_PORT ?= 8080

cluster: install
	DATABASE_URL=$(CLUSTER_DATABASE_URL) $(BIN)/python -m infrastructure.cluster start --port $(CLUSTER_PORT)

cluster-stop: install
	$(BIN)/python -m infrastructure.cluster stop

cluster-status: install
	$(BIN)/python -m infrastructure.cluster status

clean:
	rm -rf $(VENV) $(SERVE_VENV) .tools .mypy_cache .ruff_cache .pytest_cache .mutation
