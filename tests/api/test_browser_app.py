"""The running app in headless Debian chromium, offline: home page, playground and views.

The real Starlette app (``api.app.create_app``, which mounts
``visualisation.routes.view_routes`` and the playground's static files) against the
tests' Neo4j with the bundled data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from graph.db import Database
from graph.settings import Settings
from tests.support.browser import launch_chromium, offline_context, serve_asgi
from tests.support.paths import OUTPUT

pytestmark = pytest.mark.browser

BASINGSTOKE = "E07000084"
EAST_HAMPSHIRE = "E07000085"


@pytest.fixture(scope="module")
def app_url(neo4j_settings: Settings, loaded_db: Database) -> Iterator[str]:
    from api.app import create_app

    app = create_app(neo4j_settings)
    paths = {getattr(route, "path", None) for route in app.routes}
    assert {"/", "/graphql", "/static", "/views/network", "/views/map"} <= paths
    with serve_asgi(app) as url:
        yield url


def _wait_ready(page: Page) -> None:
    page.wait_for_function("() => window.councilGraph && window.councilGraph.ready", timeout=30_000)


def test_home_views_and_playground_work_offline(app_url: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 1280, "height": 860})
            page = offline.context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            page.goto(f"{app_url}/")
            page.click("text=Network view")
            _wait_ready(page)
            assert page.evaluate("() => window.councilGraph.nodes.length") > 300
            page.screenshot(path=str(OUTPUT / "app_network.png"))

            page.goto(f"{app_url}/")
            page.click("text=Map view")
            _wait_ready(page)
            assert len(page.evaluate("() => Object.keys(window.councilGraph.page.outlines)")) > 250
            page.screenshot(path=str(OUTPUT / "app_map.png"))

            # Legal services in 2012: Basingstoke and Deane is a singleton bordering sharers.
            page.goto(f"{app_url}/views/council/{BASINGSTOKE}?year=2012&service=legal")
            _wait_ready(page)
            popup = page.inner_text("#cg-popup")
            assert "a singleton" in popup
            assert "East Hampshire" in popup
            assert "Wokingham" in popup
            page.screenshot(path=str(OUTPUT / "app_council.png"))

            page.goto(f"{app_url}/graphql?q=%7B%20__typename%20%7D")
            page.wait_for_selector(".graphiql-execute-button", timeout=20_000)
            page.click(".graphiql-execute-button")
            page.wait_for_function(
                "() => (document.querySelector('.result-window') || {}).innerText"
                " && document.querySelector('.result-window').innerText.includes('Query')",
                timeout=20_000,
            )
            page.screenshot(path=str(OUTPUT / "app_playground.png"))

            assert offline.blocked == []
            assert errors == []
        finally:
            browser.close()


def _graphql(app_url: str, query: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(f"{app_url}/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    return body


def test_pages_show_our_count_beside_the_lgas_and_how_years_are_known(app_url: str) -> None:
    stats = _graphql(app_url, "{ stats(year: 2011) { total lgaReference { arrangements } } }")
    total = stats["data"]["stats"]["total"]
    lga = stats["data"]["stats"]["lgaReference"]["arrangements"]
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 1280, "height": 860})
            page = offline.context.new_page()
            for view in ("map", "network"):
                page.goto(f"{app_url}/views/{view}?year=2011")
                _wait_ready(page)
                header = page.inner_text("header")
                assert f"{total} partnerships" in header, header
                assert f"The LGA's own count (2011-12-01 edition): {lga} arrangements" in header
            # An undated partnership's pop-up says how its start is known.
            page.goto(f"{app_url}/views/council/{BASINGSTOKE}?year=2024&service=legal")
            _wait_ready(page)
            popup = page.inner_text("#cg-popup")
            assert "Hart and Basingstoke and Deane shared legal service" in popup
            assert "since 2014 (first evidence)" in popup
            assert offline.blocked == []
        finally:
            browser.close()


def test_playground_opens_with_the_readmes_examples_as_tabs(app_url: str) -> None:
    from api.playground import readme_examples

    examples = readme_examples()
    assert len(examples) >= 5
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 1280, "height": 860})
            page = offline.context.new_page()
            page.goto(f"{app_url}/graphql")
            page.wait_for_selector(".graphiql-execute-button", timeout=20_000)
            assert page.locator(".graphiql-tab").count() == len(examples)
            page.click(".graphiql-execute-button")  # the first tab: Basingstoke and Deane
            page.wait_for_function(
                "() => (document.querySelector('.result-window') || {}).innerText"
                " && document.querySelector('.result-window').innerText.includes('Hart')",
                timeout=20_000,
            )
            assert '"errors"' not in page.inner_text(".result-window")
            page.screenshot(path=str(OUTPUT / "app_playground_examples.png"))
            assert offline.blocked == []
        finally:
            browser.close()


def test_the_council_view_says_who_to_call_and_opens_their_partnerships(app_url: str) -> None:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 1280, "height": 860})
            page = offline.context.new_page()
            # A district, a chosen service: the panel lists peers with their partnerships.
            page.goto(f"{app_url}/views/council/{BASINGSTOKE}?year=2024&service=legal")
            _wait_ready(page)
            panel = page.locator("#cg-popup .cg-who-to-call")
            assert panel.locator("li").count() >= 1
            link = panel.locator(".cg-partnership-link").first
            pid = link.get_attribute("data-partnership")
            name = link.inner_text()
            assert pid
            link.click()
            assert page.locator(f'#cg-popup article[data-partnership="{pid}"]').count() == 1
            assert page.inner_text("#cg-popup-title") == name
            # The public front door is a link (offline: followed only by the user).
            page.goto(f"{app_url}/views/council/{BASINGSTOKE}?year=2024&service=legal")
            _wait_ready(page)
            door = page.locator("#cg-popup .cg-who-to-call a.cg-front-door").first
            assert (door.get_attribute("href") or "").startswith(
                "https://www.gov.uk/find-local-council/"
            )
            assert offline.blocked == []
        finally:
            browser.close()


def test_the_council_view_takes_any_form_of_the_name(app_url: str) -> None:
    by_name = httpx.get(f"{app_url}/views/council/Basingstoke & Deane?year=2024", timeout=60)
    assert by_name.status_code == 200
    assert '"focus": "E07000084"' in by_name.text or '"focus":"E07000084"' in by_name.text
    misspelt = httpx.get(f"{app_url}/views/council/Basingstok?year=2024", timeout=60)
    assert misspelt.status_code == 404
    assert "closest: Basingstoke and Deane (E07000084, 1974-)" in misspelt.text
