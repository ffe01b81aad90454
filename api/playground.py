"""The GraphiQL playground and home page, served with no internet access.

strawberry's stock GraphiQL page loads React, GraphiQL and the explorer plugin
from unpkg. Council networks often block CDNs (and our servers have no internet),
so this module serves the same page with every asset loaded from the app itself:
the files are vendored, unchanged, in ``api/static/graphiql/`` by
``scripts/vendor_assets.sh`` (versions and sha256 in ``api/static/graphiql/VERSIONS``).

Wiring (done in ``api/app.py``)::

    Mount("/static", app=static_files(), name="static")

and a ``strawberry.asgi.GraphQL`` subclass whose ``render_graphql_ide`` returns
``HTMLResponse(graphiql_html("/graphql", "/static"))``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from pathlib import Path

from starlette.staticfiles import StaticFiles

__all__ = ["README", "STATIC_DIR", "graphiql_html", "home_html", "readme_examples", "static_files"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""The directory to mount at ``/static`` (holds ``graphiql/``)."""
README = Path(__file__).resolve().parents[1] / "README.md"
"""The project's README, whose ```graphql examples open as the playground's tabs."""

_FENCE = re.compile(r"^```graphql[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)

# Adapted from strawberry 0.341's static/graphiql.html (MIT): the same page,
# with CDN <script>/<link> tags (and their SRI hashes, which named CDN URLs)
# replaced by local paths, and the GraphQL endpoint passed in rather than
# derived from the page's URL, so the page can be served from any path.
_GRAPHIQL_TEMPLATE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Council Graph · GraphiQL</title>
    <link rel="icon" href="data:," />
    <style>
      body {
        height: 100%;
        margin: 0;
        width: 100%;
        overflow: hidden;
      }

      #graphiql {
        height: 100vh;
        display: flex;
      }

      .docExplorerHide {
        display: none;
      }

      .doc-explorer-contents {
        overflow-y: hidden !important;
      }

      .docExplorerWrap {
        width: unset !important;
        min-width: unset !important;
      }

      .graphiql-explorer-actions select {
        margin-left: 4px;
      }
    </style>

    <script src="__STATIC__/graphiql/react.production.min.js"></script>
    <script src="__STATIC__/graphiql/react-dom.production.min.js"></script>
    <script src="__STATIC__/graphiql/js.cookie.min.js"></script>
    <link rel="stylesheet" href="__STATIC__/graphiql/graphiql.min.css" />
    <link rel="stylesheet" href="__STATIC__/graphiql/plugin-explorer.css" />
  </head>

  <body>
    <div id="graphiql" class="graphiql-container">Loading...</div>
    <script src="__STATIC__/graphiql/graphiql.min.js"></script>
    <script src="__STATIC__/graphiql/plugin-explorer.umd.js"></script>
    <script>
      const GRAPHQL_PATH = __GRAPHQL_PATH_JSON__;
      // The README's examples, one tab each (read by the app at start-up).
      const EXAMPLES = __EXAMPLES_JSON__;
      const EXAMPLE_QUERY = `# Council Graph: English councils and their shared services.
#
# Type queries here; Ctrl-Space autocompletes, Ctrl-Enter runs the query.
# The Docs and Explorer panels (left) describe every type and field.
# Views: open / for the network, map and council views.
#
{
  __typename
}
`;

      // Parse URL parameters for sharing queries
      const parameters = {};

      for (const entry of window.location.search.slice(1).split("&")) {
        const eq = entry.indexOf("=");
        if (eq >= 0) {
          parameters[decodeURIComponent(entry.slice(0, eq))] =
            decodeURIComponent(entry.slice(eq + 1));
        }
      }

      function updateURL(data) {
        Object.assign(parameters, data);

        const newSearch =
          "?" +
          Object.keys(parameters)
            .filter(function (key) {
              return Boolean(parameters[key]);
            })
            .map(function (key) {
              return (
                encodeURIComponent(key) +
                "=" +
                encodeURIComponent(parameters[key])
              );
            })
            .join("&");
        history.replaceState(null, null, newSearch);
      }

      const fetchURL = new URL(GRAPHQL_PATH, window.location.href).toString();

      function httpUrlToWebSockeUrl(url) {
        const parsedURL = new URL(url);
        const protocol = parsedURL.protocol === "http:" ? "ws:" : "wss:";
        parsedURL.protocol = protocol;
        parsedURL.hash = "";
        return parsedURL.toString();
      }

      const defaultHeaders = {};
      const csrfToken = Cookies.get("csrftoken");

      if (csrfToken) {
        defaultHeaders["x-csrftoken"] = csrfToken;
      }

      const subscriptionUrl = httpUrlToWebSockeUrl(fetchURL);

      const fetcher = GraphiQL.createFetcher({
        url: fetchURL,
        headers: defaultHeaders,
        subscriptionUrl,
      });

      function GraphiQLWithExplorer() {
        const [query, setQuery] = React.useState(
          parameters.q || (EXAMPLES.length ? undefined : EXAMPLE_QUERY),
        );
        const [variables, setVariables] = React.useState(
          parameters.variables,
        );
        const [headers, setHeaders] = React.useState(parameters.headers);

        function onEditQuery(newQuery) {
          setQuery(newQuery);
          updateURL({ q: newQuery });
        }

        function onEditVariables(newVariables) {
          setVariables(newVariables);
          updateURL({ variables: newVariables });
        }

        function onEditHeaders(newHeaders) {
          setHeaders(newHeaders);
        }

        const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

        return React.createElement(GraphiQL, {
          fetcher: fetcher,
          defaultEditorToolsVisibility: true,
          plugins: [explorerPlugin],
          defaultTabs: EXAMPLES.map(function (example) { return { query: example }; }),
          query: query,
          variables: variables,
          headers: headers,
          onEditQuery: onEditQuery,
          onEditVariables: onEditVariables,
          onEditHeaders: onEditHeaders,
          inputValueDeprecation: true,
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: true,
        });
      }

      const root = ReactDOM.createRoot(document.getElementById("graphiql"));
      root.render(React.createElement(GraphiQLWithExplorer));
    </script>
  </body>
</html>
"""

_HOME_TEMPLATE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Council Graph</title>
    <link rel="icon" href="data:," />
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 44rem;
             padding: 0 1rem; color: #1f2933; }
      h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
      li { margin: 0.4rem 0; }
      a { color: #0b5cad; }
      small { color: #52606d; }
    </style>
  </head>
  <body>
    <h1>Council Graph</h1>
    <p>English councils and the services they share, as a graph.</p>
    <ul>
      <li><a href="__GRAPHQL__">GraphQL playground</a>
        <small>explore the schema and run queries (GraphiQL)</small></li>
      <li><a href="__VIEWS__/network">Network view</a>
        <small>councils linked by the services they share</small></li>
      <li><a href="__VIEWS__/map">Map view</a>
        <small>the same network on council boundaries</small></li>
    </ul>
    <p><small>A single council: <code>__VIEWS__/council/&lt;GSS code&gt;</code>.
      Every view takes <code>year</code>, <code>service</code>, <code>status</code>
      and <code>region</code> as query parameters.</small></p>
    <p><small>Contains Ordnance Survey data © Crown copyright and database right 2014-2024.
      Contains ONS data licensed under the Open Government Licence v3.0. Council names and
      codes from mySociety (CC-BY-4.0). Boundaries by Martin Chorley (CC-BY-4.0).</small></p>
  </body>
</html>
"""


def _script_json(value: str) -> str:
    """Encode ``value`` as a JS string literal that is safe inside ``<script>``."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def readme_examples(readme: Path = README) -> tuple[str, ...]:
    """The README's ```graphql examples, each headed by the sentence that introduces it.

    Returns an empty tuple when the README is not there (e.g. an installed wheel): the
    playground then opens on its welcome text.
    """
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return ()
    examples: list[str] = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").split("\n\n")[-1].strip()
        intro = "".join(f"# {line.strip()}\n" for line in before.splitlines() if line.strip())
        query = match.group(1)
        # An anonymous query gets a name (its first field's), so its tab is titled by it.
        first = re.match(r"\s*\{\s*(\w+)", query)
        if first:
            name = first.group(1)[0].upper() + first.group(1)[1:]
            query = f"query {name} " + query.lstrip()
        examples.append(intro + query)
    return tuple(examples)


def graphiql_html(
    graphql_path: str = "/graphql",
    static_prefix: str = "/static",
    examples: Sequence[str] = (),
) -> str:
    """Return the GraphiQL playground page, loading its assets from the app.

    Parameters
    ----------
    graphql_path
        URL (usually a path) that the playground sends queries to.
    static_prefix
        Where ``static_files()`` is mounted, without a trailing slash.
    examples
        Queries to open as ready tabs (e.g. :func:`readme_examples`); a ``q`` URL
        parameter still opens that query instead.

    Returns
    -------
    str
        A complete HTML page that requests nothing outside its own origin.
    """
    prefix = html.escape(static_prefix.rstrip("/"), quote=True)
    return (
        _GRAPHIQL_TEMPLATE.replace("__STATIC__", prefix)
        .replace("__GRAPHQL_PATH_JSON__", _script_json(graphql_path))
        .replace("__EXAMPLES_JSON__", _script_json_value(list(examples)))
    )


def _script_json_value(value: object) -> str:
    """Encode ``value`` as JSON that is safe inside ``<script>``."""
    return (
        json.dumps(value)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def home_html(graphql_path: str = "/graphql", views_prefix: str = "/views") -> str:
    """Return the home page linking the playground and the network, map and council views."""
    return _HOME_TEMPLATE.replace("__GRAPHQL__", html.escape(graphql_path, quote=True)).replace(
        "__VIEWS__", html.escape(views_prefix.rstrip("/"), quote=True)
    )


def static_files() -> StaticFiles:
    """Return the ASGI app serving ``api/static`` (mount it at ``/static``)."""
    return StaticFiles(directory=STATIC_DIR)
