from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def company_language_and_time_zone() -> Iterator[None]:
    """UserPreferencesMiddleware activates the user's language and time zone for the thread and
    leaves them active after the response; start and end every test with the company's."""
    translation.deactivate()
    timezone.deactivate()
    yield
    translation.deactivate()
    timezone.deactivate()
