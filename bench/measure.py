"""The measuring process: `python -m bench.measure --spec SPEC.json --output RESULT.json`, run by
the command line once per database with DATABASE_URL and DJANGO_SETTINGS_MODULE=bench.settings.

Requests go through Django's test Client in this process (the whole middleware stack, templates
and serializers, no network). Per scenario: a few warm-up requests, then the timed requests
(no query capture while timing, it would slow them), then one request per variant under
CaptureQueriesContext for the query count, then the raw SQL timed the same way."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.scenarios import SCENARIO_NAMES, Fixture, Scenario, build_scenarios, discover_fixture


def percentile(values: Sequence[float], percent: int) -> float:
    """Nearest-rank percentile: the smallest value with at least `percent` % of values ≤ it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))  # integer ceil, no float drift
    return ordered[rank - 1]


def _timed(run: Callable[[int], Any], count: int, warmup: int) -> tuple[list[float], list[float]]:
    """Milliseconds of `count` calls of run(i) after `warmup` untimed ones: wall clock, and CPU
    time of this process (what the wall clock would be on an idle machine, for SQLite; it
    leaves out the PostgreSQL server's own work)."""
    for index in range(warmup):
        run(index)
    wall, cpu = [], []
    for index in range(count):
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        run(index)
        wall.append((time.perf_counter_ns() - started) / 1e6)
        cpu.append((time.process_time_ns() - started_cpu) / 1e6)
    return wall, cpu


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


class ExceptionLog:
    """The last exception a view raised (got_request_exception): the test client, told not to
    re-raise, keeps only the 500 response."""

    def __init__(self) -> None:
        self.last: BaseException | None = None

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        self.last = sys.exc_info()[1]

    def pop(self) -> str:
        error, self.last = self.last, None
        return f"{type(error).__name__}: {error}" if error else ""


EXCEPTIONS = ExceptionLog()


class RequestFailed(Exception):
    def __init__(self, status: int, path: str, detail: str) -> None:
        super().__init__(f"{status} on {path}{': ' + detail if detail else ''}")
        self.status = status


def measure_scenario(
    scenario: Scenario, client: Any, *, requests: int, warmup: int
) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result: dict[str, Any] = {
        "name": scenario.name,
        "user": scenario.username,
        "paths": [variant.path for variant in scenario.variants],
    }
    if scenario.skip_reason:
        return {**result, "status": "skipped", "note": scenario.skip_reason}
    variants = scenario.variants

    def get(index: int) -> None:
        path = variants[index % len(variants)].path
        response = client.get(path)
        if response.status_code != 200:
            detail = EXCEPTIONS.pop() or response.get("Location", "")
            raise RequestFailed(response.status_code, path, detail)

    try:
        timings, cpu_timings = _timed(get, requests, warmup)
        queries = []
        for index in range(len(variants)):
            with CaptureQueriesContext(connection) as captured:
                get(index)
            queries.append(len(captured))
    except RequestFailed as failure:
        return {**result, "status": "failed", "http_status": failure.status, "note": str(failure)}
    result.update(
        status="ok",
        requests=requests,
        p50_ms=percentile(timings, 50),
        p95_ms=percentile(timings, 95),
        max_ms=max(timings),
        mean_ms=sum(timings) / len(timings),
        cpu_p50_ms=percentile(cpu_timings, 50),
        queries=max(queries),
        queries_per_variant=queries,
    )
    raw_queries = [variant.raw for variant in variants]
    if any(raw is None for raw in raw_queries):
        return {**result, "raw_p50_ms": None, "ratio": None}
    with connection.cursor() as cursor:
        try:
            raw_timings, raw_cpu = _timed(
                lambda index: raw_queries[index % len(raw_queries)](cursor),  # type: ignore[misc]
                requests,
                warmup,
            )
        except Exception as error:  # the hand-written SQL is the benchmark's own bug
            return {**result, "status": "failed", "http_status": None, "note": f"raw SQL: {error}"}
    raw_p50 = percentile(raw_timings, 50)
    return {
        **result,
        "raw_p50_ms": raw_p50,
        "raw_p95_ms": percentile(raw_timings, 95),
        "raw_cpu_p50_ms": percentile(raw_cpu, 50),
        "ratio": result["p50_ms"] / raw_p50 if raw_p50 > 0 else None,
    }


def _database_info() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM clients_client")
        clients = cursor.fetchone()[0]
    return {"vendor": connection.vendor, "version": version, "clients": clients}


def run(spec: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.signals import got_request_exception
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from crm.accounts.models import User

    got_request_exception.connect(EXCEPTIONS)
    wanted = {"admin", "ivanova", "rop"}  # rop: the head of sales of deal_board_head
    clients: dict[str | None, Any] = {None: Client(raise_request_exception=False)}
    users = {user.username: user for user in User.objects.filter(username__in=wanted)}
    missing = sorted(wanted - users.keys())
    if missing:
        raise SystemExit(f"demo users missing: {', '.join(missing)} — was the base seeded?")
    for username, user in users.items():
        clients[username] = Client(raise_request_exception=False)
        clients[username].force_login(user)
    session_keys = {name: clients[name].session.session_key for name in wanted}
    clock = timezone.now()
    now = connection.ops.adapt_datetimefield_value(clock)
    with connection.cursor() as cursor:
        fixture: Fixture = discover_fixture(
            cursor,
            connection.vendor,
            session_keys,
            now,
            clock=clock,
            adapt=connection.ops.adapt_datetimefield_value,
        )
    selected = [s for s in build_scenarios(fixture) if s.name in spec["scenarios"]]
    results = []
    for scenario in selected:
        print(f"  {spec['label']}: {scenario.name}…", file=sys.stderr, flush=True)
        results.append(
            measure_scenario(
                scenario,
                clients[scenario.username],
                requests=spec["requests"],
                warmup=spec["warmup"],
            )
        )
    return {
        "database": _database_info(),
        "search_terms": list(fixture.search_terms),
        "scenarios": results,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure", description=__doc__)
    parser.add_argument("--spec", type=Path, required=True, help="JSON: label, scenarios, …")
    parser.add_argument("--output", type=Path, required=True, help="where to write the result")
    options = parser.parse_args(argv)
    spec = json.loads(options.spec.read_text())
    unknown = set(spec["scenarios"]) - set(SCENARIO_NAMES)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    options.output.write_text(json.dumps(run(spec), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
