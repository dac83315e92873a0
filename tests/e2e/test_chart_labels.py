"""No chart label is cut off (issue #17), on a phone (390 px) and a desktop (1280 px): with the demo
cases and mediations loaded, every text ECharts draws lies inside its chart's box, none is shortened
with an ellipsis, and every category's name (matter, region, mediation organisation) stands in full."""

from __future__ import annotations

import re

from test_role_homes import login

from demo.cases import load_demo_cases
from demo.mediation import load_demo_mediations, load_demo_mediators

PAGES = (
    ("/supervision/kpi/", "[data-kpi-charts]", "kpi-chart-data", ("matter", "region")),
    ("/mediation/kpi/", "[data-mediation-charts]", "mediation-chart-data", ("organisation",)),
)
VIEWPORTS = ({"width": 390, "height": 844}, {"width": 1280, "height": 800})

MEASURE = """(selector) => [...document.querySelectorAll(selector + " [data-chart]")]
  .filter((el) => el.querySelector("svg"))
  .map((el) => {
    const box = el.getBoundingClientRect();
    return {chart: el.dataset.chart, box: [box.left, box.top, box.right, box.bottom],
      texts: [...el.querySelectorAll("svg text")].map((t) => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent, box: [r.left, r.top, r.right, r.bottom]};
      }).filter((t) => t.text.trim())};
  })"""


def cut_labels(chart: dict) -> list[str]:
    """The chart's texts that reach outside its box or end in an ellipsis."""
    left, top, right, bottom = chart["box"]
    cut = []
    for text in chart["texts"]:
        x0, y0, x1, y1 = text["box"]
        if x0 < left - 1 or x1 > right + 1 or y0 < top - 1 or y1 > bottom + 1:
            cut.append(f"{text['text']} outside {[round(v) for v in chart['box']]}: {[round(v) for v in text['box']]}")
        if text["text"].rstrip().endswith(("...", "…")):
            cut.append(f"{text['text']} shortened")
    return cut


def test_no_chart_label_is_cut_off_on_a_phone_or_a_desktop(live_server, demo, new_page, screenshots):
    load_demo_cases()
    load_demo_mediators()
    load_demo_mediations()
    checked = 0
    for viewport in VIEWPORTS:
        page = new_page(viewport)
        login(page, live_server.url, "fs_supervisor")
        for path, area, data_id, categorical in PAGES:
            page.goto(live_server.url + path)
            page.locator(area).wait_for(state="visible")
            data = page.evaluate(f"JSON.parse(document.getElementById('{data_id}').textContent)")
            charts = {c["chart"]: c for c in page.evaluate(MEASURE, area)}
            page.locator(area).screenshot(
                path=screenshots / f"charts-{viewport['width']}{path.rstrip('/').replace('/', '-')}.png"
            )
            for key, chart in charts.items():
                assert not cut_labels(chart), (viewport["width"], path, key, cut_labels(chart))
            for key in categorical:
                assert data[key]["labels"], (path, key)  # the demo fills the chart
                drawn = re.sub(r"\s", "", "".join(t["text"] for t in charts[key]["texts"]))
                missing = [label for label in data[key]["labels"] if re.sub(r"\s", "", label) not in drawn]
                assert not missing, (viewport["width"], path, key, missing)
                checked += len(data[key]["labels"])
    assert checked >= 20
