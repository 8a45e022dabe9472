import os
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def usable_cpus() -> int:
    """The CPUs this process may run on: its affinity, as `taskset` or a
    container's cpuset leave it."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_pool_size(settings: dict[str, Any]) -> int:
    """DB_POOL_SIZE when it is not set: the threads that run a worker's
    database work, and its pooled connections (one each).

    The usable CPUs on SQLite, twice as many on PostgreSQL; at least 2.
    Threads share one interpreter lock, so more threads than CPUs only take
    turns for it, unless they wait: SQLite's work runs in the process, on the
    thread's CPU, while a PostgreSQL thread waits for the server's answers and
    leaves the interpreter to another. At least 2, so that one slow statement
    never holds every thread. Measured, the trade-off included (as many slow
    statements or waiting writers as threads make the reads wait): README,
    Speed."""
    url = str(settings.get("database_url", ""))
    return max(2, usable_cpus() * (1 if url.startswith("sqlite") else 2))


class Settings(BaseSettings):
    """Every setting, read from the environment or a `.env` file (environment wins).

    Names are the upper-case field names: DATABASE_URL, DB_POOL_SIZE, ...
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore")

    database_url: str = Field(
        default="sqlite:///./tasks.db",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user:pw@host/db",
    )
    db_pool_size: int = Field(
        default_factory=default_pool_size,
        ge=1,
        description="Connections kept open per worker process, and the threads that run its database work; "
        "unset: the CPUs the process may use (twice as many on PostgreSQL), at least 2",
    )
    db_max_overflow: int = Field(
        default=10, ge=0, description="Extra connections, beyond the pool, for work outside the request threads"
    )
    db_pool_timeout: float = Field(default=10.0, gt=0, description="Seconds to wait for a free connection")
    db_pool_recycle: int = Field(
        default=1800, description="Replace connections older than this many seconds (-1: never)"
    )
    db_pool_pre_ping: bool = Field(
        default=False,
        description="PostgreSQL: test each connection as it leaves the pool, at one round trip per request. "
        "Off, a connection broken by a restart fails its request (503) and the pool then replaces them all",
    )
    db_connect_timeout: int = Field(default=5, ge=1, description="Seconds to wait for a new connection")
    db_prepared_statements: bool = Field(
        default=True,
        description="PostgreSQL server-side prepared statements; false behind PgBouncer "
        "(transaction pooling) or Neon's pooler",
    )
    database_replica_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma list of PostgreSQL streaming replicas (postgresql+psycopg://...) that serve reads; "
        "unset: the primary serves everything",
    )
    replica_max_lag_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How far behind the primary a replica may be to serve a read that sends no consistency token",
    )
    replica_poll_seconds: float = Field(
        default=0.25, gt=0, description="How often each worker samples the primary's position and each replica's"
    )
    sqlite_busy_timeout_ms: int = Field(
        default=5000, ge=0, description="How long SQLite writers wait for the write lock"
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="json: one JSON object per line; text: plain readable lines"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="The least severe level logged (INFO includes a line per request)"
    )
    auth_secret: SecretStr | None = Field(
        default=None,
        description="Signs tokens (HS256), at least 32 bytes; unset: a random one is made on first start "
        "and kept in AUTH_SECRET_FILE",
    )
    auth_secret_file: str | None = Field(
        default=None,
        description="Where the made secret is kept (mode 0600); unset: next to the SQLite file "
        "(tasks.db.auth-secret), or .auth-secret in the working directory",
    )
    auth_previous_secrets: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Comma list of former secrets that still verify tokens (never sign): a rotation",
    )
    auth_token_minutes: int = Field(default=60, ge=1, description="How long a token holds")
    auth_user_check_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long a worker trusts that a token's user exists before it asks the database again",
    )

    @field_validator("auth_previous_secrets", "database_replica_urls", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value
