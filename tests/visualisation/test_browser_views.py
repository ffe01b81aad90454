"""The views in headless Debian chromium, offline: they draw, click, filter and stay safe.

A tiny Starlette app stands in for the API's /views routes (same functions,
same query parameters) and serves the fictional example data, a copy with a
hostile partnership name, and a 1,000-council SYNTHETIC graph.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount

from tests.support.browser import OfflineContext, launch_chromium, offline_context, serve_asgi
from tests.support.examples import EASTFORD, NORTHTON, WESTWICK, example_view_data
from tests.support.paths import OUTPUT
from tests.support.synthetic_views import synthetic_view_data
from visualisation import Partnership, ViewData, ViewOptions
from visualisation.routes import view_routes
from visualisation.style import HUB_MIN_MEMBERS

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"

T = TypeVar("T")


def _datasets() -> dict[str, ViewData]:
    example = example_view_data()
    hostile = dataclasses.replace(
        example,
        partnerships=(
            *example.partnerships,
            Partnership(
                id="hostile",
                name=XSS,
                status="operational",
                services=("legal",),
                members=(NORTHTON, WESTWICK),
                start_year=2010,
                savings_note=XSS,
                annual_savings_gbp=1,
            ),
        ),
    )
    return {
        "example": example,
        "hostile": hostile,
        "synthetic": synthetic_view_data(1000, seed=7),
    }


class FixedSource:
    """A view source that always answers with one dataset (the API reads Neo4j instead)."""

    def __init__(self, data: ViewData) -> None:
        self.data = data

    def view_data(
        self,
        year: int | None = None,
        options: ViewOptions | None = None,
        *,
        peers_of: str | None = None,
        peers_service: str | None = None,
    ) -> ViewData:
        return self.data

    def council_code(self, text: str, year: int | None) -> str:
        return text  # fixed data: the view itself says when a code is unknown

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        return compute()  # fixed data: nothing changes, nothing to keep

    def for_request(self, request: Request) -> FixedSource:
        return self


def _app(datasets: dict[str, ViewData]) -> Starlette:
    """The API's view routes, once per dataset: /{dataset}/views/..."""
    return Starlette(
        routes=[
            Mount(
                f"/{name}",
                routes=view_routes(FixedSource(data).for_request),
            )
            for name, data in datasets.items()
        ]
    )


@dataclass
class Session:
    """One offline browser page plus what it logged."""

    base: str
    offline: OfflineContext
    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_asgi(_app(_datasets())) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def session(browser: Browser, base_url: str) -> Iterator[Session]:
    offline = offline_context(browser, viewport={"width": 1280, "height": 860})
    page = offline.context.new_page()
    state = Session(base=base_url, offline=offline, page=page)
    page.on("console", lambda m: state.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: state.errors.append(str(e)))

    def on_dialog(dialog: object) -> None:
        state.dialogs.append(getattr(dialog, "message", "?"))
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    yield state
    # Every view, every test: nothing left 127.0.0.1 and nothing went wrong.
    assert state.offline.blocked == []
    assert state.errors == []
    assert state.dialogs == []
    offline.context.close()


def open_view(session: Session, path: str, *, timeout_ms: int = 20_000) -> None:
    session.page.goto(f"{session.base}{path}")
    session.page.wait_for_function(
        "() => window.councilGraph && window.councilGraph.ready", timeout=timeout_ms
    )


def canvas_colours(page: Page) -> int:
    """How many distinct colours the network canvas shows (1 for a blank canvas)."""
    count: int = page.evaluate(
        """() => {
          const canvas = document.querySelector('#cg-network canvas');
          const ctx = canvas.getContext('2d');
          const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          const seen = new Set();
          for (let i = 0; i < data.length; i += 16) {
            seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2] | (data[i + 3] << 24));
          }
          return seen.size;
        }"""
    )
    return count


def canvas_snapshot(page: Page) -> str:
    snapshot: str = page.evaluate("() => document.querySelector('#cg-network canvas').toDataURL()")
    return snapshot


def click_node(page: Page, node_id: str) -> None:
    """Click a node where vis-network drew it."""
    point = page.evaluate(
        """(id) => {
          const net = window.councilGraph.network;
          const p = net.canvasToDOM(net.getPositions([id])[id]);
          const box = document.getElementById('cg-network').getBoundingClientRect();
          return {x: box.left + p.x, y: box.top + p.y};
        }""",
        node_id,
    )
    page.mouse.click(point["x"], point["y"])


def screenshot(page: Page, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"))


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/example/views/network", "network"),
        ("/example/views/network?two_mode=true", "network_two_mode"),
        ("/example/views/map", "map"),
        ("/example/views/council/E07900001", "council"),
    ],
)
def test_each_view_draws_offline(session: Session, path: str, name: str) -> None:
    open_view(session, path)
    assert canvas_colours(session.page) > 20
    assert session.page.inner_text("#cg-title").endswith("2015")
    assert "Crown copyright" in session.page.inner_text("footer")
    assert session.page.inner_text(".cg-legend").startswith("Legend")
    screenshot(session.page, name)
    assert all(url.startswith(session.base) for url in session.offline.requested)


def test_clicking_a_council_lists_its_partnerships_and_partners(session: Session) -> None:
    open_view(session, "/example/views/network")
    assert session.page.is_hidden("#cg-popup")
    click_node(session.page, NORTHTON)
    session.page.wait_for_selector("#cg-popup:not([hidden])")
    popup = session.page.locator("#cg-popup")
    assert popup.get_attribute("data-council") == NORTHTON
    text = popup.inner_text()
    assert "Shire Legal Partnership" in text
    assert "Northton and Eastford ICT" in text
    for partner in ("Shire County", "Southby", "Eastford"):
        assert popup.locator(".cg-partner", has_text=partner).count() >= 1
    assert "£250,000 a year" in text
    assert "Note: Target, for the county only" in text
    assert "£400,000 a year" in text
    assert "Note: Savings are as reported" in text
    links = popup.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert "https://example.org/shire-legal" in links
    assert not any(link.startswith("javascript:") for link in links)
    assert "javascript:alert(1) (not a web link)" in text
    screenshot(session.page, "network_popup")

    # A partner's button opens that council's pop-up.
    popup.locator(".cg-partner", has_text="Eastford").first.click()
    session.page.wait_for_function(
        "(code) => document.getElementById('cg-popup').dataset.council === code", arg=EASTFORD
    )


def test_map_popup_and_outlines(session: Session) -> None:
    open_view(session, "/example/views/map")
    outline_colour = session.page.evaluate(
        """() => {
          const net = window.councilGraph.network;
          const ring = window.councilGraph.page.outlines['E07900005'][0];
          const p = net.canvasToDOM({x: ring[0] + 7, y: ring[1] - 7});  // inside, off the node
          const canvas = document.querySelector('#cg-network canvas');
          const ratio = canvas.width / canvas.clientWidth;
          const px = canvas.getContext('2d').getImageData(p.x * ratio, p.y * ratio, 1, 1).data;
          return [px[0], px[1], px[2]];
        }"""
    )
    assert outline_colour == [0xFF, 0xD8, 0xA8]  # Lonely Vale: singleton fill
    click_node(session.page, WESTWICK)
    session.page.wait_for_selector("#cg-popup:not([hidden])")
    assert "Riverside and Westwick revenues" in session.page.inner_text("#cg-popup")


def test_switching_a_service_layer_changes_what_is_drawn(session: Session) -> None:
    page = session.page
    open_view(session, "/example/views/network")
    before_edges = page.evaluate("() => window.councilGraph.edges.length")
    before = canvas_snapshot(page)

    page.click(".cg-services summary")
    page.check("input[name=service][value=ict]")
    page.click(".cg-services summary")  # fold the list again: it lies over the Apply button
    page.click("button[type=submit]")
    page.wait_for_url("**/views/network?*service=ict*")
    page.wait_for_function("() => window.councilGraph && window.councilGraph.ready")

    assert page.evaluate("() => window.councilGraph.edges.length") == 1 < before_edges
    assert canvas_snapshot(page) != before
    assert "ICT" in page.inner_text(".cg-subtitle")
    assert page.is_checked("input[name=service][value=ict]")
    screenshot(page, "network_ict")


def test_physics_toggle_switches_the_simulation(session: Session) -> None:
    open_view(session, "/example/views/network")
    enabled = "() => window.councilGraph.network.physics.physicsEnabled"
    assert session.page.evaluate(enabled) is False
    session.page.check("#cg-physics")
    assert session.page.evaluate(enabled) is True


def test_hostile_names_are_shown_as_text_and_never_run(session: Session) -> None:
    page = session.page
    page.add_init_script("window.__alerts = 0; window.alert = () => { window.__alerts += 1; };")
    for path in (
        "/hostile/views/network?two_mode=true",
        "/hostile/views/council/E07900001",
        "/hostile/views/network",
    ):
        open_view(session, path)
        assert page.evaluate("() => window.__alerts") == 0
        assert page.locator("#cg-popup img, .vis-tooltip img").count() == 0

    click_node(page, NORTHTON)
    page.wait_for_selector("#cg-popup:not([hidden])")
    headings = page.locator("#cg-popup h3").all_inner_texts()
    assert XSS in headings  # the literal text, not an element
    assert f"Note: {XSS}" in page.inner_text("#cg-popup")
    assert page.locator("#cg-popup img").count() == 0
    page.wait_for_timeout(200)  # give any injected onerror a chance to fire
    assert page.evaluate("() => window.__alerts") == 0
    assert not any(url.endswith("/x") for url in session.offline.requested)
    screenshot(page, "xss_popup")


def test_bad_query_parameters_get_a_clear_400(session: Session) -> None:
    response = session.page.goto(f"{session.base}/example/views/network?service=legall")
    assert response is not None
    assert response.status == 400
    assert "Did you mean 'legal'?" in session.page.inner_text("body")
    response = session.page.goto(f"{session.base}/example/views/council/E07999999")
    assert response is not None
    assert response.status == 404
    assert "no council matches 'E07999999'" in session.page.inner_text("body")
    # The browser logs the 400 and 404 as console errors; those are expected.
    session.errors.clear()


def test_pages_carry_a_strict_content_security_policy(session: Session) -> None:
    response = session.page.goto(f"{session.base}/example/views/map")
    assert response is not None
    assert "default-src 'none'" in response.headers["content-security-policy"]
    session.page.wait_for_function("() => window.councilGraph && window.councilGraph.ready")


def test_a_thousand_node_synthetic_graph_renders_without_freezing(session: Session) -> None:
    page = session.page
    started = time.monotonic()
    open_view(session, "/synthetic/views/network", timeout_ms=30_000)
    loaded = time.monotonic() - started
    councils = "() => window.councilGraph.nodes.get({filter: n => !n.hub}).length"
    assert page.evaluate(councils) == 1000
    synthetic = _datasets()["synthetic"]
    big = [p for p in synthetic.partnerships if p.is_active(synthetic.year)]
    big = [p for p in big if len(set(p.members)) >= HUB_MIN_MEMBERS]
    hubs = "() => window.councilGraph.nodes.get({filter: n => n.hub}).length"
    assert page.evaluate(hubs) == len(big) > 0
    assert canvas_colours(page) > 20
    # The main thread still answers promptly: two animation frames after a zoom.
    started = time.monotonic()
    page.evaluate(
        """() => new Promise(resolve => {
          window.councilGraph.network.moveTo({scale: 1.5});
          requestAnimationFrame(() => requestAnimationFrame(resolve));
        })"""
    )
    assert time.monotonic() - started < 5.0
    assert loaded < 30.0
    assert "SYNTHETIC DATA" in page.inner_text(".cg-notice")
    screenshot(page, "synthetic_1000")
