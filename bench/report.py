"""The benchmark's output: one plain-text table of the scenarios, a short block on the databases
(build time, peak memory of the measuring process) and the JSON file under bench/results/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from bench import RESULTS_DIR

COLUMNS = (
    "scenario",
    "db",
    "requests",
    "p50 ms",
    "p95 ms",
    "max ms",
    "queries",
    "raw p50 ms",
    "ours/raw",
)
NUMERIC = {
    *("requests", "p50 ms", "p95 ms", "max ms", "queries", "raw p50 ms", "ours/raw"),
    *("clients", "build s", "seed s", "peak RSS MB"),
}
DASH = "—"


def _ms(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def scenario_row(label: str, result: dict[str, Any]) -> tuple[str, ...]:
    name = result["name"]
    if result["status"] == "failed":
        status = result.get("http_status")
        return (name, label, DASH, f"FAILED {status or ''}".strip(), *[DASH] * 5)
    if result["status"] == "skipped":
        return (name, label, DASH, "skipped", *[DASH] * 5)
    ratio = result.get("ratio")
    return (
        name,
        label,
        str(result["requests"]),
        _ms(result["p50_ms"]),
        _ms(result["p95_ms"]),
        _ms(result["max_ms"]),
        str(result["queries"]),
        _ms(result.get("raw_p50_ms")),
        f"{ratio:.1f}×" if ratio is not None else DASH,
    )


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(width) if header[i] in NUMERIC else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def scenario_table(runs: list[dict[str, Any]]) -> str:
    """Rows grouped by scenario, the databases side by side."""
    rows = [
        (index, order, scenario_row(run["label"], result))
        for order, run in enumerate(runs)
        for index, result in enumerate(run.get("scenarios", []))
    ]
    rows.sort(key=lambda item: (item[0], item[1]))
    return format_table(COLUMNS, [row for _, _, row in rows])


def database_table(runs: list[dict[str, Any]]) -> str:
    header = ("db", "clients", "build s", "seed s", "peak RSS MB", "version")
    rows: list[tuple[str, ...]] = []
    for run in runs:
        timings = run.get("build", {})
        database = run.get("database", {})
        rows.append(
            (
                run["label"],
                f"{database.get('clients', run.get('clients', 0)):,}".replace(",", " "),
                "reused" if run.get("reused") else f"{timings.get('total', 0):.1f}",
                f"{timings['seed']:.1f}" if "seed" in timings else DASH,
                f"{run['peak_rss_mb']:.0f}" if "peak_rss_mb" in run else DASH,
                str(database.get("version", DASH)),
            )
        )
    return format_table(header, rows)


def notes(runs: list[dict[str, Any]]) -> list[str]:
    lines = []
    for run in runs:
        if run.get("error"):
            lines.append(f"{run['label']}: {run['error']}")
        for result in run.get("scenarios", []):
            if result["status"] != "ok" and result.get("note"):
                lines.append(f"{result['name']} ({run['label']}): {result['note']}")
    return lines


def write_json(payload: dict[str, Any], directory: Path = RESULTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = directory / f"{stamp}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return path
