"""What the browser tests share besides fixtures: where Chromium is, logging in, screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("SVOD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "secret-pass-123"  # the password of factory users
SIDEBAR_COLOR = "rgb(23, 34, 59)"  # --svod-sidebar in static/css/svod.css


def login(page: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page, as a person does, and wait for the dashboard."""
    page.goto("/accounts/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(r"^[^?]*://[^/]+/$"))


def screenshot(page: Any, name: str) -> Path:
    """A full-page PNG in test-artifacts/screenshots/ (git-ignored) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_fits_laptop(page: Any) -> None:
    """The sidebar is shown and nothing scrolls sideways."""
    sizes = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert sizes["scroll"] <= sizes["inner"], f"horizontal scroll on {page.url}: {sizes}"
    assert page.locator("#sidebar").is_visible()
