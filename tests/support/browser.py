"""Offline headless-Chromium helpers shared by the browser tests and bench/.

Everything here runs against Debian's ``chromium`` package (never a browser
downloaded by ``playwright install``) with the network cut off except for the
local server under test, so a page that reaches for a CDN fails loudly.

Playwright and uvicorn are imported lazily: the views themselves need neither.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright, Route
    from starlette.types import ASGIApp

__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_PATH",
    "LOCAL_HOSTS",
    "OfflineContext",
    "launch_chromium",
    "offline_context",
    "pages_app",
    "serve_asgi",
]

CHROMIUM_PATH = "/usr/bin/chromium"
"""Debian's chromium binary; Playwright drives it via ``executable_path``."""

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


def launch_chromium(playwright: Playwright) -> Browser:
    """Launch headless Debian chromium with background networking switched off."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM_PATH, headless=True, args=list(CHROMIUM_ARGS)
    )


@dataclass
class OfflineContext:
    """A browser context whose requests to any non-local host are aborted and recorded."""

    context: BrowserContext
    blocked: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)


def offline_context(browser: Browser, **context_options: Any) -> OfflineContext:
    """Open a context that lets through only requests to 127.0.0.1/localhost (or data:)."""
    context = browser.new_context(**context_options)
    state = OfflineContext(context=context)

    def handle(route: Route) -> None:
        url = route.request.url
        state.requested.append(url)
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            state.blocked.append(url)
            route.abort()

    context.route("**/*", handle)
    return state


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve_asgi(
    app: ASGIApp, *, timeout: float = 10.0, lifespan: Literal["auto", "on", "off"] = "auto"
) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yield its base URL.

    ``lifespan`` is uvicorn's setting: ``"auto"`` runs the app's lifespan if it has one.
    """
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the local test server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout)


def pages_app(pages: Mapping[str, str]) -> ASGIApp:
    """Return a Starlette app serving each HTML string in ``pages`` at its path."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route as StarletteRoute

    def make_endpoint(body: str) -> Any:
        async def endpoint(request: Request) -> Response:
            return HTMLResponse(body)

        return endpoint

    routes = [StarletteRoute(path, make_endpoint(body)) for path, body in pages.items()]
    return Starlette(routes=routes)
