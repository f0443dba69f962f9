"""Fixtures shared by every app's tests: one user per role in two departments."""

from __future__ import annotations

import pytest
from hypothesis import settings as hypothesis_settings

from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory

# Property tests check what holds, not how fast: a loaded CI machine must not fail them on
# Hypothesis's per-example deadline.
hypothesis_settings.register_profile("svod", deadline=None)
hypothesis_settings.load_profile("svod")


@pytest.fixture
def department():
    return DepartmentFactory(name="Отдел продаж «Москва»")


@pytest.fixture
def other_department():
    return DepartmentFactory(name="Отдел продаж «Регионы»")


@pytest.fixture
def manager(department):
    return UserFactory(username="manager", department=department, role=Role.MANAGER)


@pytest.fixture
def colleague(department):
    return UserFactory(username="colleague", department=department, role=Role.MANAGER)


@pytest.fixture
def other_manager(other_department):
    return UserFactory(username="other", department=other_department, role=Role.MANAGER)


@pytest.fixture
def head(department):
    return UserFactory(username="head", department=department, role=Role.HEAD_OF_SALES)


@pytest.fixture
def accountant(department):
    return UserFactory(username="accountant", department=None, role=Role.ACCOUNTANT)


@pytest.fixture
def administrator():
    return UserFactory(username="admin", department=None, role=Role.ADMINISTRATOR)


@pytest.fixture(autouse=True)
def _russian_by_default():
    """A request of an English-speaking user activates English for the thread; every test
    starts and ends in the default language so the next one is not affected."""
    from django.utils import translation

    translation.activate("ru")
    yield
    translation.activate("ru")


@pytest.fixture(autouse=True)
def _fresh_work_calendar():
    """The production calendar is cached per process with the administrator's corrections;
    a test's corrections are rolled back, so the cache must not outlive the test."""
    from crm.core import workdays

    workdays.clear_cache()
    yield
    workdays.clear_cache()
