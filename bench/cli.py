"""`python -m bench`: build the databases, measure every scenario on each in a subprocess, print
the table and write bench/results/<timestamp>.json. Exit code 1 when a scenario failed or a
database could not be built."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import PROJECT_DIR, RESULTS_DIR
from bench.databases import (
    POSTGRES_SERVER_URL,
    BuildError,
    Target,
    build,
    drop,
    postgres_problem,
    postgres_target,
    sqlite_target,
)
from bench.report import database_table, notes, scenario_table, write_json
from bench.scenarios import SCENARIO_NAMES

SCALES = {"small": 60, "large": 100_000}  # as crm.demo.seed.SCALES


def scale_value(text: str) -> int:
    if text in SCALES:
        return SCALES[text]
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError("small, large or a number of clients")


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Build a demo database of the given size and measure pages and API on it.",
    )
    parser.add_argument(
        "--scale",
        type=scale_value,
        default=SCALES["small"],
        help="small (60), large (100 000) or N",
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    parser.add_argument(
        "--scenario",
        dest="scenarios",
        action="extend",
        nargs="+",
        choices=SCENARIO_NAMES,
        metavar="NAME",
        help=f"only these (default: all): {', '.join(SCENARIO_NAMES)}",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the databases afterwards, so the next run of this size reuses them",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="build the databases again even if they fit"
    )
    options = parser.parse_args(argv)
    if options.requests < 1 or options.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup not negative")
    return options


def _targets(options: argparse.Namespace) -> tuple[list[Target], list[dict[str, Any]]]:
    """The databases to use, and the runs already settled (PostgreSQL skipped)."""
    targets, skipped = [], []
    if options.db in ("sqlite", "both"):
        targets.append(sqlite_target(options.scale))
    if options.db in ("postgres", "both"):
        problem = postgres_problem()
        if problem is None:
            targets.append(postgres_target(options.scale))
        else:
            print(f"postgres: skipped: no PostgreSQL at {POSTGRES_SERVER_URL} ({problem})")
            skipped.append({"label": "postgres", "skipped": f"no PostgreSQL: {problem}"})
    return targets, skipped


def _measure(target: Target, options: argparse.Namespace) -> dict[str, Any]:
    spec = {
        "label": target.label,
        "scenarios": options.scenarios or list(SCENARIO_NAMES),
        "requests": options.requests,
        "warmup": options.warmup,
    }
    with tempfile.TemporaryDirectory(prefix="svod-bench-") as directory:
        spec_path, output_path = Path(directory, "spec.json"), Path(directory, "result.json")
        spec_path.write_text(json.dumps(spec))
        completed = subprocess.run(
            [
                *(sys.executable, "-m", "bench.measure"),
                *("--spec", str(spec_path), "--output", str(output_path)),
            ],
            cwd=PROJECT_DIR,
            env=target.env(),
            check=False,
        )
        if completed.returncode != 0 or not output_path.exists():
            raise BuildError(f"the measuring process ended with code {completed.returncode}")
        return dict(json.loads(output_path.read_text()))


def _run_target(target: Target, options: argparse.Namespace) -> dict[str, Any]:
    run: dict[str, Any] = {"label": target.label, "clients": target.clients, "url": target.url}
    print(f"{target.label}: preparing {target.clients} clients in {target.display}…", flush=True)
    try:
        build(target, rebuild=options.rebuild)
    except (BuildError, OSError) as error:
        print(f"{target.label}: build failed: {error}", flush=True)
        return {**run, "error": f"build failed: {error}"}
    run.update(build=target.timings, reused=target.reused)
    if target.reused:
        print(
            f"{target.label}: reused the base built earlier (its seed took"
            f" {target.timings['seed']:.1f} s); --rebuild builds it again",
            flush=True,
        )
    else:
        parts = [f"{step} {target.timings[step]:.1f} s" for step in ("migrate", "seed")]
        if target.timings.get("analyze"):
            parts.append(f"vacuum analyze {target.timings['analyze']:.1f} s")
        total = target.timings["total"]
        print(f"{target.label}: built in {total:.1f} s ({', '.join(parts)})", flush=True)
    started = time.perf_counter()
    try:
        run.update(_measure(target, options))
    except BuildError as error:
        run["error"] = str(error)
    run["measure_seconds"] = time.perf_counter() - started
    return run


def _load_warning() -> str | None:
    """Timings mean little while other work keeps the processors busy; say so."""
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load <= cpus * 0.75:
        return None
    return f"load average {load:.1f} on {cpus} CPUs: other work is running, timings are noisy"


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_arguments(argv)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    warning = _load_warning()
    if warning:
        print(f"warning: {warning}", flush=True)
    targets, runs = _targets(options)
    for target in targets:
        runs.append(_run_target(target, options))
        if not options.keep:
            drop(target)
    measured = [run for run in runs if "scenarios" in run or "error" in run]
    print()
    print(scenario_table(measured))
    print()
    print(database_table(measured))
    for line in notes(measured):
        print(f"note: {line}")
    for run in runs:
        if run.get("skipped"):
            print(f"note: postgres skipped: {run['skipped']}")
    warning = _load_warning() or warning
    if warning:
        print(f"warning: {warning}")
    path = write_json(
        {
            "arguments": {
                "scale": options.scale,
                "db": options.db,
                "requests": options.requests,
                "warmup": options.warmup,
                "scenarios": options.scenarios or list(SCENARIO_NAMES),
                "keep": options.keep,
                "rebuild": options.rebuild,
            },
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": {"before": load_before, "after": os.getloadavg()},
            "platform": platform.platform(),
            "runs": runs,
        }
    )
    print(f"\nresults: {path.relative_to(PROJECT_DIR)}")
    failed = any(
        run.get("error") or any(r["status"] == "failed" for r in run.get("scenarios", []))
        for run in runs
    )
    return 1 if failed else 0
