"""The benchmark of Svod: builds a database of a chosen size on SQLite and PostgreSQL, then
measures the main pages and API endpoints against the hand-written SQL they need.

`python -m bench --help` (or `make bench BENCH_ARGS="..."`); see bench/README.md."""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
