"""The settings, as the README's table and .env.example give them: every
setting is in both, with the default the code has."""

import re
from pathlib import Path

import pytest

from infrastructure.settings import Settings, default_pool_size

ROOT = Path(__file__).resolve().parents[2]
# Read from the environment by the Prometheus client, not a setting of ours.
NOT_OURS = {"PROMETHEUS_MULTIPROC_DIR"}


def readme_defaults() -> dict[str, str]:
    section = ROOT.joinpath("README.md").read_text().split("## Settings", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([A-Z_]+)` \| `([^`]*)` \|", section, flags=re.MULTILINE))


UNSET = "(unset)"
"""How the README writes a setting with no default; .env.example leaves it empty."""

PER_MACHINE = "(CPUs; x2 on PostgreSQL; at least 2)"
"""How the README writes a default the machine decides (`default_pool_size`); .env.example
leaves it empty too (an empty value is the default)."""


def example_defaults() -> dict[str, str]:
    text = ROOT.joinpath(".env.example").read_text()
    return {name: value or UNSET for name, value in re.findall(r"^([A-Z_]+)=(.*)$", text, flags=re.MULTILINE)}


def code_defaults() -> dict[str, str]:
    """Each field's default as it would be written in the environment."""
    written = {}
    for name, field in Settings.model_fields.items():
        if field.default_factory is default_pool_size:
            written[name.upper()] = PER_MACHINE
            continue
        default = field.get_default(call_default_factory=True)
        if default is None or default == []:
            written[name.upper()] = UNSET
        elif isinstance(default, bool):
            written[name.upper()] = str(default).lower()
        elif isinstance(default, float) and default.is_integer():
            written[name.upper()] = str(int(default))
        else:
            written[name.upper()] = str(default)
    return written


def test_the_readme_gives_every_setting_with_its_default() -> None:
    documented = readme_defaults()
    assert set(documented) - NOT_OURS == set(code_defaults())
    assert {name: documented[name] for name in code_defaults()} == code_defaults()


def test_env_example_gives_every_setting_with_its_default() -> None:
    expected = {name: UNSET if value == PER_MACHINE else value for name, value in code_defaults().items()}
    assert example_defaults() == expected


def test_the_default_thread_and_pool_count_follows_the_cpus_and_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DB_POOL_SIZE", raising=False)
    sqlite, postgres = "sqlite:///./x.db", "postgresql+psycopg://u@h/db"
    for cpus, on_sqlite, on_postgres in (({0}, 2, 2), ({0, 1}, 2, 4), ({0, 1, 2, 5}, 4, 8), (set(range(16)), 16, 32)):
        monkeypatch.setattr("os.sched_getaffinity", lambda _pid, cpus=cpus: cpus)
        assert Settings(_env_file=None, database_url=sqlite).db_pool_size == on_sqlite
        assert Settings(_env_file=None, database_url=postgres).db_pool_size == on_postgres
        monkeypatch.setenv("DATABASE_URL", postgres)
        assert Settings(_env_file=None).db_pool_size == on_postgres
        monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("DB_POOL_SIZE", "7")
    assert Settings(_env_file=None, database_url=postgres).db_pool_size == 7


def test_the_environment_wins_over_the_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("DB_POOL_SIZE=3\nLOG_FORMAT=text\nSQLITE_BUSY_TIMEOUT_MS=\n")
    monkeypatch.chdir(tmp_path)
    for name in code_defaults():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DB_POOL_SIZE", "7")
    monkeypatch.setenv("LOG_LEVEL", "")  # empty: as if unset
    settings = Settings()
    assert (settings.db_pool_size, settings.log_format, settings.log_level) == (7, "text", "INFO")
    assert settings.sqlite_busy_timeout_ms == 5000
