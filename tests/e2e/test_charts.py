"""The chart pages draw with the custom ECharts build (static/vendor/echarts/echarts.custom.min.js,
made by `make echarts`): every chart area gets an SVG with its title, its legend and (the test
database has no cases) the "no data" text of the graphic component, ECharts writes no error or warning to the
console (it warns instead of failing on a component missing from the build), and the page reports
no JavaScript error or missing asset (the ``new_page`` fixture fails the test on either)."""

from __future__ import annotations

import pytest
from test_role_homes import login


def chart_texts(page, area_selector: str) -> dict[str, list[str]]:
    """The texts each drawn chart's SVG holds, by its data-chart key."""
    return page.evaluate(
        """(selector) => Object.fromEntries([...document.querySelectorAll(selector + " [data-chart]")]
            .filter((el) => el.querySelector("svg"))
            .map((el) => [el.dataset.chart, [...el.querySelectorAll("svg text")].map((t) => t.textContent)]))""",
        area_selector,
    )


def assert_charts_drawn(page, area_selector: str, data_id: str, series: tuple[str, ...]) -> None:
    page.locator(area_selector).wait_for(state="visible")
    assert page.evaluate("typeof window.echarts.init") == "function"
    data = page.evaluate(f"JSON.parse(document.getElementById('{data_id}').textContent)")
    drawn = chart_texts(page, area_selector)
    assert "trend" in drawn
    for key, texts in drawn.items():
        assert data["titles"][key] in texts, f"chart {key}: no title (TitleComponent)"
        assert data["labels"]["empty"] in texts, f"chart {key}: no 'no data' text (GraphicComponent)"
    for name in series:  # the trend chart's legend (LegendComponent)
        assert data["labels"][name] in drawn["trend"], f"trend chart: no legend entry {name}"


@pytest.mark.parametrize(
    ("path", "area", "data_id", "series"),
    [
        ("/supervision/kpi/", "[data-kpi-charts]", "kpi-chart-data", ("registered", "closed", "on_time_rate")),
        ("/mediation/kpi/", "[data-mediation-charts]", "mediation-chart-data", ("settled", "failed", "success_rate")),
    ],
)
def test_chart_pages_draw_with_the_custom_echarts(live_server, demo, new_page, path, area, data_id, series):
    page = new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    login(page, live_server.url, "fs_supervisor")
    page.goto(live_server.url + path)
    assert "echarts.custom.min.js" in page.content()
    assert_charts_drawn(page, area, data_id, series)
    assert not console, console


def test_pages_without_charts_do_not_load_echarts(live_server, demo, new_page):
    page = new_page()
    login(page, live_server.url, "fs_supervisor")
    assert "echarts" not in page.content()
    assert page.evaluate("typeof window.echarts") == "undefined"
