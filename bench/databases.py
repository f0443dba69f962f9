"""The benchmark databases: where each one lives, whether it already holds the wanted number of
clients, and building it with `manage.py migrate` and `manage.py seed_demo` in a subprocess.

SQLite: a file bench/results/bench-<N>.sqlite3. PostgreSQL: a database svod_bench_<N> on the
server of BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from bench import PROJECT_DIR, RESULTS_DIR

POSTGRES_SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
# seed_demo adds up to three retyped copies of existing companies to bases of up to 10 000.
DUPLICATES_ADDED = 3
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production"  # noqa: S105


class BuildError(RuntimeError):
    """A management command of the build failed; the message carries the end of its output."""


@dataclass
class Target:
    """One database to build and measure."""

    label: str  # "sqlite" or "postgres"
    url: str
    clients: int
    sqlite_path: Path | None = None
    postgres_name: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    reused: bool = False

    def env(self) -> dict[str, str]:
        """The environment of the subprocesses that build or measure this database."""
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.url,
            DJANGO_SETTINGS_MODULE="bench.settings",
            SECRET_KEY=env.get("SECRET_KEY") or BENCH_SECRET_KEY,
            PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")])),
        )
        return env

    @property
    def display(self) -> str:
        return str(self.sqlite_path) if self.sqlite_path else f"database {self.postgres_name}"


def sqlite_target(clients: int) -> Target:
    path = RESULTS_DIR / f"bench-{clients}.sqlite3"
    return Target("sqlite", f"sqlite:///{path}", clients, sqlite_path=path)


def postgres_target(clients: int) -> Target:
    name = f"svod_bench_{clients}"
    return Target(
        "postgres", f"{POSTGRES_SERVER_URL}/{name}", clients, postgres_name=name
    )


def postgres_problem() -> str | None:
    """None when the PostgreSQL server answers, else why not (one line)."""
    try:
        with psycopg.connect(f"{POSTGRES_SERVER_URL}/postgres", connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _server_connection() -> psycopg.Connection:
    return psycopg.connect(f"{POSTGRES_SERVER_URL}/postgres", autocommit=True, connect_timeout=5)


def count_clients(target: Target) -> int | None:
    """How many clients the database holds; None if it does not exist or has no client table."""
    if target.sqlite_path is not None:
        if not target.sqlite_path.exists():
            return None
        connection = sqlite3.connect(f"file:{target.sqlite_path}?mode=ro", uri=True)
        try:
            return int(connection.execute("SELECT COUNT(*) FROM clients_client").fetchone()[0])
        except sqlite3.Error:
            return None
        finally:
            connection.close()
    try:
        with psycopg.connect(target.url, connect_timeout=5) as connection:
            row = connection.execute("SELECT COUNT(*) FROM clients_client").fetchone()
            return int(row[0]) if row else None
    except psycopg.Error:
        return None


def has_wanted_size(target: Target, count: int | None) -> bool:
    if count is None:
        return False
    extra = DUPLICATES_ADDED if target.clients <= 10_000 else 0
    return target.clients <= count <= target.clients + extra


def drop(target: Target) -> None:
    if target.sqlite_path is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{target.sqlite_path}{suffix}").unlink(missing_ok=True)
        return
    with _server_connection() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(str(target.postgres_name))
            )
        )


def _create(target: Target) -> None:
    if target.sqlite_path is not None:
        target.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return
    with _server_connection() as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [target.postgres_name]
        ).fetchone()
        if not exists:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(target.postgres_name)))
            )


def _manage(target: Target, *arguments: str) -> float:
    """Run one management command against the target; returns its wall time in seconds."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "manage.py"), *arguments],
        cwd=PROJECT_DIR,
        env=target.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise BuildError(f"manage.py {' '.join(arguments)} failed:\n{tail}")
    return elapsed


def _analyze(target: Target) -> float:
    """PostgreSQL: VACUUM ANALYZE after the bulk load, as autovacuum would soon do on a live
    server, so plans use real statistics. SQLite is left as the app leaves it (no ANALYZE)."""
    if target.postgres_name is None:
        return 0.0
    started = time.perf_counter()
    with psycopg.connect(target.url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def build(target: Target, *, rebuild: bool) -> None:
    """Make the target hold `target.clients` demo clients, reusing a database of that size.

    Fills `target.timings` (seconds: migrate, seed, analyze, total) and `target.reused`."""
    started = time.perf_counter()
    if rebuild or not has_wanted_size(target, count_clients(target)):
        drop(target)
        _create(target)
        target.timings["migrate"] = _manage(target, "migrate", "--noinput", "-v", "0")
        target.timings["seed"] = _manage(target, "seed_demo", "--scale", str(target.clients))
        target.timings["analyze"] = _analyze(target)
        target.reused = False
    else:
        # Still migrate: a reused base gets the migrations added since it was built.
        target.timings["migrate"] = _manage(target, "migrate", "--noinput", "-v", "0")
        target.reused = True
    target.timings["total"] = time.perf_counter() - started
