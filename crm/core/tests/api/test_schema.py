"""The OpenAPI description of /api/v1/."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS


@pytest.mark.django_db
def test_schema_generates_without_warnings(tmp_path):
    GENERATOR_STATS.reset()  # warnings of schemas generated earlier in this process
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert schema["info"]["title"] == "Svod CRM API"
    for path in (
        "/api/v1/me/",
        "/api/v1/users/",
        "/api/v1/users/{id}/",
        "/api/v1/departments/",
        "/api/v1/notifications/",
        "/api/v1/notifications/read-all/",
        "/api/v1/audit/",
        "/api/v1/audit/{id}/",
    ):
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/v1/me/"]) == {"get", "patch"}
    assert "tokenAuth" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_schema_endpoint_answers_a_logged_in_user(client, manager):
    client.force_login(manager)
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/api/v1/users/" in response.json()["paths"]
