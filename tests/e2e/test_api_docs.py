"""/api/docs/: the vendored Swagger UI draws every operation of the partner API from /api/schema/
under the Content-Security-Policy, with nothing loaded from another origin (``new_page`` fails the
test on a CSP violation, a JavaScript error or a missing asset)."""

from __future__ import annotations

from urllib.parse import urlparse


def test_the_api_docs_draw_every_operation_without_a_cdn(live_server, demo, new_page):
    page = new_page()
    origins = set()
    page.on("request", lambda r: origins.add(urlparse(r.url).netloc))
    # Swagger UI's bundle is 1.8 MB, served uncompressed by the test server: more time than a page
    page.goto(f"{live_server.url}/api/docs/", timeout=90_000)
    page.locator(".opblock").first.wait_for(state="visible", timeout=60_000)
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    paths = {s.replace("\u200b", "").strip() for s in summaries}
    assert paths == {
        "/api/v1/claims",
        "/api/v1/cases/{number}",
        "/api/v1/events",
        "/api/v1/replies/litigation",
        "/api/v1/replies/referral",
    }
    assert page.get_by_text("提交诉求").first.is_visible()
    assert origins == {urlparse(live_server.url).netloc}
