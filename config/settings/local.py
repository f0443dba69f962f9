"""Development and demo settings (`make run`)."""

from __future__ import annotations

import secrets
from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.env import env_str

DEBUG = True
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")


def _local_secret_key() -> str:
    """A key generated once and kept outside the repository, so local runs need no set-up."""
    path = Path(env_str("SVOD_SECRET_FILE", str(Path.home() / ".config" / "svod" / "secret_key")))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _local_secret_key()  # noqa: F405
