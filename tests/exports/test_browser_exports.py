"""The GeoJSON export in a real browser: fetched over HTTP from the running app by headless
Debian chromium (offline), parsed by the page and drawn on a canvas, feature by feature.

The page is the app's own origin (``/health``), so the browser fetches ``/export/geojson``
the way a web map would; the drawing code is a plain canvas projection written here, so what
is checked is the file, not a mapping library.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from graph.db import Database
from graph.settings import Settings
from tests.support.browser import launch_chromium, offline_context, serve_asgi
from tests.support.paths import OUTPUT

pytestmark = pytest.mark.browser


DRAW = """
async (url) => {
  const response = await fetch(url);
  const type = response.headers.get("content-type");
  const data = await response.json();
  const canvas = document.createElement("canvas");
  canvas.width = 600; canvas.height = 720;
  document.body.replaceChildren(canvas);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  // England: about 6.4 W to 1.8 E, 49.8 N to 55.9 N (equirectangular, good enough to see).
  const x = (lon) => (lon + 6.4) / 8.2 * canvas.width;
  const y = (lat) => (55.9 - lat) / 6.1 * canvas.height;
  const trace = (points) => points.forEach(
    ([lon, lat], i) => i ? ctx.lineTo(x(lon), y(lat)) : ctx.moveTo(x(lon), y(lat)));
  let polygons = 0, drawn = 0, lines = 0;
  for (const feature of data.features) {
    const g = feature.geometry;
    if (g.type === "MultiPolygon") {
      ctx.beginPath();
      for (const polygon of g.coordinates) {
        polygons += 1;
        for (const ring of polygon) {
          trace(ring);
          ctx.closePath();
        }
      }
      ctx.fillStyle = feature.properties.singleton ? "#d62728" : "#1f77b4";
      ctx.globalAlpha = 0.5; ctx.fill("evenodd"); ctx.globalAlpha = 1;
      ctx.strokeStyle = "#333"; ctx.lineWidth = 0.3; ctx.stroke();
      drawn += 1;
    } else if (g.type === "MultiLineString") {
      ctx.beginPath();
      for (const line of g.coordinates) {
        trace(line);
      }
      ctx.strokeStyle = "#000"; ctx.lineWidth = 0.5; ctx.stroke();
      lines += 1;
    }
  }
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] < 250 || pixels[i + 1] < 250 || pixels[i + 2] < 250) painted += 1;
  }
  const at = (lon, lat) =>
    Array.from(ctx.getImageData(Math.round(x(lon)), Math.round(y(lat)), 1, 1).data);
  return {type, features: data.features.length, drawn, polygons, lines, painted,
          total: canvas.width * canvas.height,
          london: at(-0.12, 51.5), sea: at(-5.5, 50.5)};
}
"""


@pytest.fixture(scope="module")
def app_url(neo4j_settings: Settings, loaded_db: Database) -> Iterator[str]:
    from api.app import create_app

    with serve_asgi(create_app(neo4j_settings)) as url:
        yield url


def test_the_geojson_export_draws_in_a_browser(app_url: str, loaded_db: Database) -> None:
    from exports import ExportOptions, ExportSource

    selection = ExportSource(loaded_db).selection(ExportOptions(year=2012))
    councils_2012, partnerships_2012 = len(selection.councils), len(selection.partnerships)
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 700, "height": 800})
            page = offline.context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{app_url}/health")
            result = page.evaluate(DRAW, "/export/geojson?year=2012&lines=true")
            page.screenshot(path=str(OUTPUT / "export_geojson_2012.png"))
        finally:
            browser.close()
    assert errors == []
    assert offline.blocked == []
    assert result["type"].startswith("application/geo+json")
    assert result["drawn"] == councils_2012  # every council of the year has an outline
    assert result["lines"] == partnerships_2012
    assert result["features"] == councils_2012 + partnerships_2012
    assert result["polygons"] > 500
    # England covers about a fifth of the frame; the sea off Cornwall stays white.
    assert 0.1 < result["painted"] / result["total"] < 0.6
    assert result["london"][:3] != [255, 255, 255]
    assert result["sea"][:3] == [255, 255, 255]
