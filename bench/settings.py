"""Settings the benchmark builds and measures with: the local settings as production would serve
them (DEBUG off, so no query log and no debug pages), any host name, no API throttling.

The runner passes SECRET_KEY in the environment, so the local settings never generate a key
file; nothing here writes into the repository."""

from __future__ import annotations

from config.settings.local import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
# A few hundred API requests a minute from one user is the benchmark, not abuse.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None}}  # noqa: F405
