"""The GraphiQL playground loads with no internet and runs a query in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import strawberry
from playwright.sync_api import sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from strawberry.asgi import GraphQL

from api.playground import graphiql_html, home_html, static_files
from tests.support.browser import launch_chromium, offline_context, serve_asgi
from tests.support.paths import OUTPUT

pytestmark = pytest.mark.browser


def _hello() -> str:
    return "hello"


@strawberry.type
class Query:
    """A trivial schema: the playground, not the data, is under test."""

    hello: str = strawberry.field(resolver=_hello, description="A fixed greeting.")


class PlaygroundGraphQL(GraphQL[None, None]):
    """strawberry's view, answering browsers with the offline playground (as api/app.py does)."""

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html("/graphql", "/static"))


def _app() -> Starlette:
    async def home(request: Request) -> Response:
        return HTMLResponse(home_html())

    return Starlette(
        routes=[
            Route("/", home),
            Route("/graphql", PlaygroundGraphQL(strawberry.Schema(query=Query))),
            Mount("/static", app=static_files(), name="static"),
        ]
    )


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_asgi(_app()) as url:
        yield url


def test_playground_runs_a_query_offline(base_url: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 1280, "height": 800})
            page = offline.context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            page.goto(f"{base_url}/graphql?q=%7B%20__typename%20%7D")
            page.wait_for_selector(".graphiql-execute-button", timeout=20_000)
            # The docs/explorer need the schema: introspection ran through our endpoint.
            page.click(".graphiql-execute-button")
            page.wait_for_function(
                "() => document.querySelector('.result-window')"
                " && document.querySelector('.result-window').innerText.includes('Query')",
                timeout=20_000,
            )
            result = page.inner_text(".result-window")
            assert '"__typename": "Query"' in result
            page.screenshot(path=str(OUTPUT / "playground.png"))

            assert offline.blocked == []
            assert errors == []
            assert any(
                url.endswith("/static/graphiql/graphiql.min.js") for url in offline.requested
            )
        finally:
            browser.close()


def test_home_page_links_reach_the_playground(base_url: str) -> None:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser)
            page = offline.context.new_page()
            page.goto(f"{base_url}/")
            hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
            assert {"/graphql", "/views/network", "/views/map"} <= set(hrefs)
            page.click("text=GraphQL playground")
            page.wait_for_selector(".graphiql-execute-button", timeout=20_000)
            assert offline.blocked == []
        finally:
            browser.close()
