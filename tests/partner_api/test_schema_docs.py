"""/api/schema/ (OpenAPI 3, from drf-spectacular) and /api/docs/ (the vendored Swagger UI, no CDN)."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client

OPERATIONS = {
    ("/api/v1/claims", "post"),
    ("/api/v1/cases/{number}", "get"),
    ("/api/v1/events", "get"),
    ("/api/v1/replies/litigation", "post"),
    ("/api/v1/replies/referral", "post"),
}


def test_the_schema_is_openapi_3_and_describes_every_operation(db):
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    found = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert found == OPERATIONS
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    create = schema["paths"]["/api/v1/claims"]["post"]
    assert create["responses"]["409"]["content"]["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    header = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and header["required"] is True
    channel = schema["components"]["schemas"]["ClaimCreateRequest"]["properties"]["channel"]
    assert channel.get("enum") == ["hotline", "grid", "api", "referral"] or "$ref" in str(channel)


def test_the_schema_yaml_is_served_too(db):
    response = Client().get("/api/schema/")
    assert response.status_code == 200 and b"openapi: 3" in response.content


def test_the_docs_page_renders_the_vendored_swagger_ui(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html and "合作方 REST 接口" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]  # no CDN
    assert any("vendor/swagger-ui/swagger-ui-bundle" in s for s in sources)
    assert "<script>" not in html  # no inline script: the CSP allows our origin's files only
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "VERSION"):
        assert finders.find(f"vendor/swagger-ui/{name}")
    assert 'data-schema-url="/api/schema/?format=json"' in html


def test_an_unknown_path_under_the_api_answers_a_problem_body(db):
    response = Client().post("/api/v1/claim", {})
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert "/api/docs/" in response.json()["detail"]
