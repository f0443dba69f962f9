"""The benchmark databases: where each one lives, whether it already holds the wanted number of
clients, and building it with `manage.py migrate` and `manage.py seed_demo` in a subprocess.

SQLite: a file bench/results/bench-<N>.sqlite3. PostgreSQL: a database svod_bench_<N> on the
server of BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432)."""

from __future__ import annotations

import hashlib
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
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production"  # noqa: S105
# A built base records what it was built from in this table, so a base built before a migration
# or the demo data changed (even an edited initial migration) is built again, not reused.
BUILD_TABLE = "bench_build"


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
    return Target("postgres", f"{POSTGRES_SERVER_URL}/{name}", clients, postgres_name=name)


def postgres_problem() -> str | None:
    """None when the PostgreSQL server answers, else why not (one line)."""
    try:
        with psycopg.connect(f"{POSTGRES_SERVER_URL}/postgres", connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _server_connection() -> psycopg.Connection:
    return psycopg.connect(f"{POSTGRES_SERVER_URL}/postgres", autocommit=True, connect_timeout=5)


def source_fingerprint() -> str:
    """A hash of every migration and of the demo data generator (every module of crm/demo:
    seed.py calls activities.py and sales.py)."""
    digest = hashlib.sha256()
    files = sorted(PROJECT_DIR.glob("crm/**/migrations/*.py"))
    for path in [*files, *sorted(PROJECT_DIR.glob("crm/demo/*.py"))]:
        digest.update(str(path.relative_to(PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _build_record(target: Target) -> tuple[str, int, float] | None:
    """(fingerprint, clients, seed seconds) the base was built with; None if it does not exist
    or is not a finished benchmark base."""
    query = f"SELECT fingerprint, clients, seed_seconds FROM {BUILD_TABLE}"
    if target.sqlite_path is not None:
        if not target.sqlite_path.exists():
            return None
        connection = sqlite3.connect(f"file:{target.sqlite_path}?mode=ro", uri=True)
        try:
            row = connection.execute(query).fetchone()
        except sqlite3.Error:
            return None
        finally:
            connection.close()
    else:
        try:
            with psycopg.connect(target.url, connect_timeout=5) as pg_connection:
                row = pg_connection.execute(query).fetchone()
        except psycopg.Error:
            return None
    return (str(row[0]), int(row[1]), float(row[2])) if row else None


def _record_build(target: Target, fingerprint: str) -> None:
    create = (
        f"CREATE TABLE {BUILD_TABLE} (fingerprint varchar(64) NOT NULL,"
        " clients integer NOT NULL, seed_seconds double precision NOT NULL)"
    )
    insert = f"INSERT INTO {BUILD_TABLE} (fingerprint, clients, seed_seconds) VALUES "
    values = (fingerprint, target.clients, target.timings["seed"])
    if target.sqlite_path is not None:
        connection = sqlite3.connect(target.sqlite_path)
        try:
            with connection:
                connection.execute(create)
                connection.execute(insert + "(?, ?, ?)", values)
        finally:
            connection.close()
        return
    with psycopg.connect(target.url) as pg_connection:
        pg_connection.execute(create)
        pg_connection.execute(insert + "(%s, %s, %s)", values)


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
    """Make the target hold `target.clients` demo clients, reusing a base built from the same
    migrations and seed code with that size.

    Fills `target.timings` (seconds: migrate, seed, analyze, total; a reused base reports the
    seed time of its build) and `target.reused`."""
    started = time.perf_counter()
    fingerprint = source_fingerprint()
    record = None if rebuild else _build_record(target)
    if record is not None and record[:2] == (fingerprint, target.clients):
        target.timings["seed"] = record[2]  # when the base was built
        target.reused = True
    else:
        drop(target)
        _create(target)
        target.timings["migrate"] = _manage(target, "migrate", "--noinput", "-v", "0")
        target.timings["seed"] = _manage(target, "seed_demo", "--scale", str(target.clients))
        target.timings["analyze"] = _analyze(target)
        _record_build(target, fingerprint)
        target.reused = False
    target.timings["total"] = time.perf_counter() - started
