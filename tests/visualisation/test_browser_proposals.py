"""The proposal map and the council view's lineage in headless Debian chromium, offline,
served by the real app on the tests' Neo4j with the bundled data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from graph import reorganisation_proposals as rp
from graph import rules
from graph.db import Database
from graph.settings import Settings
from graph.snapshot import Snapshots
from tests.support.browser import launch_chromium, offline_context, serve_asgi
from tests.support.paths import OUTPUT
from tests.support.reorganisation import rows
from visualisation.proposals import UNIT_COLOURS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(neo4j_settings: Settings, loaded_db: Database) -> Iterator[str]:
    from api.app import create_app

    with serve_asgi(create_app(neo4j_settings)) as url:
        yield url


def test_proposal_map_draws_offline_with_units_crossings_and_popups(
    app_url: str, loaded_db: Database
) -> None:
    snapshot = Snapshots(loaded_db).current()
    proposal = rp.find_proposal(snapshot, "surrey-two-unitaries")
    assert proposal is not None
    check = rp.check_proposal(snapshot, proposal, rules.current_year())
    crossing = {p.partnership.name for p in check.placed(rp.Placement.CROSSING)}
    east = {
        r["unit_name"]: r["member_gss_codes"].split(";")
        for r in rows("reorganisation/proposals_cited.csv")
        if r["proposal_id"] == "surrey-two-unitaries"
    }
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 1400, "height": 900})
            page = offline.context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{app_url}/views/proposals")
            page.click("text=Surrey: two unitary councils")
            page.wait_for_selector("#map path.unit-shape")
            shaded = page.eval_on_selector_all(
                "#map path.unit-shape",
                "els => els.map(e => [e.dataset.unit, e.getAttribute('fill')])",
            )
            by_unit: dict[str, set[str]] = {}
            counts: dict[str, int] = {}
            for unit, fill in shaded:
                by_unit.setdefault(unit, set()).add(fill)
                counts[unit] = counts.get(unit, 0) + 1
            assert counts == {name: len(codes) for name, codes in east.items()}
            assert by_unit == {"East Surrey": {UNIT_COLOURS[0]}, "West Surrey": {UNIT_COLOURS[1]}}
            drawn = page.eval_on_selector_all("#map g.crossing", "els => els.length")
            assert drawn == len(crossing) > 0
            assert (
                page.eval_on_selector_all("#map g.crossing line", "els => els.length") >= 2 * drawn
            )
            page.click("#map path[data-unit='East Surrey']")
            popup = page.inner_text("#popup")
            assert "Partnerships to unpick" in popup
            unpick = {
                p.partnership.name
                for p in check.placed(rp.Placement.CROSSING)
                if "East Surrey" in p.units
            }
            assert unpick
            assert all(name in popup for name in unpick)
            page.screenshot(path=str(OUTPUT / "proposal_map.png"))
            assert offline.blocked == []
            assert errors == []

            page.goto(f"{app_url}/views/council/E07000246?year=2020")
            lineage = page.inner_text("#lineage")
            assert "Taunton Deane" in lineage
            assert "West Somerset" in lineage
            assert "shared management" in lineage
            assert offline.blocked == []
        finally:
            browser.close()
