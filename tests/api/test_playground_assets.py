"""The playground page and its vendored assets: local-only, complete and as recorded."""

from __future__ import annotations

import hashlib
import http.client
import re
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.routing import Mount

from api.playground import STATIC_DIR, graphiql_html, home_html, static_files
from tests.support.browser import serve_asgi
from tests.support.paths import ROOT

GRAPHIQL_DIR = STATIC_DIR / "graphiql"
ASSET_REF = re.compile(r'(?:src|href)="([^"]+)"')
EXTERNAL_URL = re.compile(r"""(?:src|href)=["']?(?:https?:)?//""", re.IGNORECASE)
CDN_URL = re.compile(r"https?://(cdn|unpkg|cdnjs|esm\.sh|fonts\.googleapis)", re.IGNORECASE)


def test_graphiql_page_loads_every_asset_from_the_static_mount() -> None:
    page = graphiql_html("/graphql", "/static")
    refs = [ref for ref in ASSET_REF.findall(page) if not ref.startswith("data:")]
    assert refs, "the page should reference its scripts and styles"
    assert all(ref.startswith("/static/graphiql/") for ref in refs), refs
    for ref in refs:
        assert (STATIC_DIR / ref.removeprefix("/static/")).is_file(), ref
    assert not EXTERNAL_URL.search(page)
    assert "integrity=" not in page
    assert "isHeadersEditorEnabled: true" in page


def test_graphiql_page_uses_the_given_paths_safely() -> None:
    page = graphiql_html("/api/graphql</script>", "/assets/")
    assert 'src="/assets/graphiql/graphiql.min.js"' in page
    assert '</script>";' not in page
    assert '"/api/graphql\\u003c/script\\u003e"' in page


def test_static_mount_serves_the_vendored_files() -> None:
    app = Starlette(routes=[Mount("/static", app=static_files(), name="static")])
    with serve_asgi(app) as base:
        connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=10)
        try:
            for name, kind in (("graphiql.min.js", "javascript"), ("graphiql.min.css", "css")):
                connection.request("GET", f"/static/graphiql/{name}")
                response = connection.getresponse()
                body = response.read()
                assert response.status == 200, name
                assert kind in response.getheader("content-type", ""), name
                assert body == (GRAPHIQL_DIR / name).read_bytes()
        finally:
            connection.close()


def test_versions_file_records_each_file_with_its_sha256() -> None:
    rows = [
        line.split()
        for line in (GRAPHIQL_DIR / "VERSIONS").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    recorded = {name: digest for _spec, name, digest in rows}
    shipped = {
        str(path.relative_to(GRAPHIQL_DIR))
        for path in GRAPHIQL_DIR.rglob("*")
        if path.is_file() and path.name != "VERSIONS"
    }
    assert set(recorded) == shipped
    for name, digest in recorded.items():
        assert hashlib.sha256((GRAPHIQL_DIR / name).read_bytes()).hexdigest() == digest, name
    specs = {spec for spec, _name, _digest in rows}
    assert {"react@18.2.0", "graphiql@3.8.3", "@graphiql/plugin-explorer@1.0.2"} <= specs


def test_no_shipped_static_file_names_a_cdn() -> None:
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not CDN_URL.search(text), path


def test_home_page_links_the_playground_and_the_views() -> None:
    page = home_html()
    for href in ("/graphql", "/views/network", "/views/map"):
        assert f'href="{href}"' in page
    assert "Crown copyright" in page


def test_static_dir_is_inside_the_api_package() -> None:
    assert ROOT / "api" / "static" == STATIC_DIR
