"""Benchmark of the views against pyvis's defaults, on a SYNTHETIC national-size graph.

SYNTHETIC DATA ONLY: about as many made-up councils and partnerships as the
real national graph (``tests.support.synthetic_views``, seeded); no Neo4j. Pages say
"SYNTHETIC DATA" in their header.

Two measures, each the median of several runs in this process, and each
reported as a ratio to pyvis's defaults measured in the same run (no thresholds):

* server-side generation: our ``render_network``/``render_map`` (cold: layout
  cache empty; warm: layout cached, as on every request after the first for a
  year) against ``Network()`` + ``from_nx`` + ``generate_html()`` with the stock
  template (``cdn_resources="in_line"``, the most self-contained stock mode) on
  the same graph (same nodes, edges, labels, titles, colours; no positions);
* browser time to interactive, in headless Debian chromium with the network cut
  off except for 127.0.0.1: ours = the first frame drawn after framing the
  precomputed layout (physics off); pyvis defaults = the end of vis-network's
  stabilisation (physics on), before which the layout is still moving. The
  stock page's Bootstrap requests go to a CDN and are aborted (counted).

With ``--neo4j-port PORT``, a third measure on the bundled data in a Neo4j of its own (started
on PORT, loaded, stopped): the partnerships a one-service view reads against every partnership
of the year (what the views read and filtered in Python before), as a ratio in the same run.

Run: ``.venv/bin/python bench/bench_views.py`` (or ``make bench``). Writes
``bench/results/views.json`` and ``bench/results/views.md``.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.synthetic_views import synthetic_view_data  # noqa: E402
from visualisation import ViewData, ViewOptions, render_map, render_network  # noqa: E402
from visualisation.graphs import network_graph, select  # noqa: E402
from visualisation.layout import _cached_layout  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SERVER_RUNS = 5
BROWSER_RUNS = 3
BROWSER_TIMEOUT_MS = 120_000
NATIONAL_COUNCILS = 350  # about the number of English councils in a year
SEED = 2013

# Appended to both pages: records when vis-network reports each milestone.
_PROBE = """<script>(function () {
  var marks = window.__bench = window.__bench || {};
  function mark(name) {
    return function () { if (!(name in marks)) marks[name] = performance.now(); };
  }
  if (window.network && window.network.once) {
    network.once("afterDrawing", mark("firstDraw"));
    network.once("stabilizationIterationsDone", mark("stabilised"));
  }
})();</script>"""


def _median_seconds(work: Callable[[], object], runs: int, before: Callable[[], None]) -> float:
    times = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def pyvis_default_html(data: ViewData) -> str:
    """pyvis's defaults on the same graph: stock template, physics on, no positions."""
    from pyvis.network import Network

    G = network_graph(select(data, ViewOptions()))  # noqa: N806 - networkx convention
    plain = nx.Graph()
    for node, attrs in G.nodes(data=True):
        plain.add_node(node, **{k: v for k, v in attrs.items() if k not in {"x", "y"}})
    for u, v, attrs in G.edges(data=True):
        plain.add_edge(u, v, title=attrs["title"], color=attrs["color"], weight=attrs["width"])
    net = Network(cdn_resources="in_line")
    net.from_nx(plain)
    html: str = net.generate_html()
    return html


def server_side(data: ViewData) -> dict[str, float]:
    """Median generation times in seconds."""

    def nothing() -> None:
        return None

    def cold() -> None:
        _cached_layout.cache_clear()

    render_network(data, ViewOptions())  # warm imports and the pyvis/jinja caches
    return {
        "pyvis_defaults": _median_seconds(lambda: pyvis_default_html(data), SERVER_RUNS, nothing),
        "network_cold": _median_seconds(
            lambda: render_network(data, ViewOptions()), SERVER_RUNS, cold
        ),
        "network_warm": _median_seconds(
            lambda: render_network(data, ViewOptions()), SERVER_RUNS, nothing
        ),
        "network_one_service_warm": _median_seconds(
            lambda: render_network(data, ViewOptions(services=("legal",))), SERVER_RUNS, nothing
        ),
        "two_mode_warm": _median_seconds(
            lambda: render_network(data, ViewOptions(two_mode=True)), SERVER_RUNS, nothing
        ),
        "map": _median_seconds(
            lambda: render_map(data, ViewOptions(), project=_plane), SERVER_RUNS, nothing
        ),
    }


def _plane(lon: float, lat: float) -> tuple[float, float]:
    # The synthetic councils have no outlines; a plain projection keeps pyproj out of the timing.
    return (lon + 2.0) * 70_000.0, (lat - 49.0) * 111_000.0


def browser_side(pages: dict[str, str]) -> dict[str, Any]:
    """Median milliseconds from navigation to each page's milestones, offline chromium."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    from tests.support.browser import launch_chromium, offline_context, pages_app, serve_asgi

    results: dict[str, Any] = {}
    probed = {path: html.replace("</body>", _PROBE + "</body>") for path, html in pages.items()}
    with serve_asgi(pages_app(probed)) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for path in probed:
                samples: list[dict[str, float | None]] = []
                blocked = 0
                for _ in range(BROWSER_RUNS):
                    offline = offline_context(browser, viewport={"width": 1280, "height": 860})
                    page = offline.context.new_page()
                    page.goto(f"{base}{path}", wait_until="load")
                    ours = path.startswith("/ours")
                    ready = (
                        "() => window.councilGraph && window.councilGraph.ready"
                        if ours
                        else "() => window.__bench && 'stabilised' in window.__bench"
                    )
                    timed_out = False
                    try:
                        page.wait_for_function(ready, timeout=BROWSER_TIMEOUT_MS)
                    except PlaywrightTimeout:  # a page that never settles is a result too
                        timed_out = True
                    marks = page.evaluate(
                        "() => ({bench: window.__bench || {}, ready: window.councilGraph"
                        " ? window.councilGraph.readyAt : null,"
                        " load: performance.getEntriesByType('navigation')[0].loadEventEnd})"
                    )
                    samples.append(
                        {
                            "load": marks["load"],
                            "first_draw": marks["bench"].get("firstDraw"),
                            "interactive": None
                            if timed_out
                            else (marks["ready"] if ours else marks["bench"].get("stabilised")),
                        }
                    )
                    blocked += len(offline.blocked)
                    offline.context.close()
                results[path] = {
                    key: _median_or_none([s[key] for s in samples])
                    for key in ("load", "first_draw", "interactive")
                } | {
                    "blocked_requests_per_load": blocked / BROWSER_RUNS,
                    "runs": BROWSER_RUNS,
                    "not_interactive_within_timeout": sum(
                        1 for s in samples if s["interactive"] is None
                    ),
                }
        finally:
            browser.close()
    return results


def _median_or_none(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if len(present) == len(values) else None


def _ratio(value: float | None, baseline: float | None) -> str:
    if value is None or not baseline:
        return "-"
    return f"{value / baseline:.3g}"


DB_RUNS = 7
DB_YEAR = 2015


def database_reads(port: int) -> dict[str, Any]:
    """What a one-service view reads from Neo4j, against what every view read before its
    filters went into Cypher (every partnership of the year, filtered in Python): rows and
    median seconds of each read, on the bundled data, with the year's frame already kept.

    Uses a Neo4j of its own on ``port`` (the tests' instance kind: own folder; started if
    need be, loaded if empty, stopped afterwards).
    """
    from graph import repository
    from graph.db import connect
    from graph.snapshot import Snapshots
    from loaders import load_bundled
    from ops import server as neo4j_server
    from tests import neo4j_instance
    from visualisation.data import read_view_data

    cfg = neo4j_instance.config(port)
    db = connect(neo4j_instance.start(cfg))
    try:
        if repository.data_version(db) == 0:
            load_bundled(db)
        snapshot = Snapshots(db).current()
        legal = ViewOptions(year=DB_YEAR, services=("legal",))
        every = read_view_data(snapshot, DB_YEAR)  # also keeps the year's frame
        one = read_view_data(snapshot, DB_YEAR, legal)
        seconds = {
            "every_partnership": _median_seconds(
                lambda: read_view_data(snapshot, DB_YEAR), DB_RUNS, lambda: None
            ),
            "one_service": _median_seconds(
                lambda: read_view_data(snapshot, DB_YEAR, legal), DB_RUNS, lambda: None
            ),
        }
    finally:
        db.driver.close()
        neo4j_server.stop(cfg)
    rows = {"every_partnership": len(every.partnerships), "one_service": len(one.partnerships)}
    return {"year": DB_YEAR, "service": "legal", "partnerships_read": rows, "seconds": seconds}


def _database_lines(reads: dict[str, Any]) -> list[str]:
    base = reads["seconds"]["every_partnership"]
    lines = [
        "",
        f"## Database read of a view's partnerships (bundled data, {reads['year']})",
        "",
        "The year's councils, outlines and whole network (the layout's) are one read kept per "
        "year and data version in both cases; this is the read a view's filters decide.",
        "",
        "| read | partnerships read | seconds | x every partnership |",
        "|---|---:|---:|---:|",
    ]
    for name, seconds in reads["seconds"].items():
        lines.append(
            f"| {name} | {reads['partnerships_read'][name]} | {seconds:.4f} | "
            f"{_ratio(seconds, base)} |"
        )
    return lines


def main() -> None:
    """Run both measures and write bench/results/views.{json,md}; with
    ``--neo4j-port PORT``, also the database read of a one-service view."""
    port = int(sys.argv[sys.argv.index("--neo4j-port") + 1]) if "--neo4j-port" in sys.argv else 0
    data = synthetic_view_data(NATIONAL_COUNCILS, partnerships_per_council=1.4, seed=SEED)
    graph = network_graph(select(data, ViewOptions()))
    server = server_side(data)
    pages = {
        "/ours/network": render_network(data, ViewOptions()),
        "/ours/map": render_map(data, ViewOptions(), project=_plane),
        "/pyvis-defaults/network": pyvis_default_html(data),
    }
    browser = browser_side(pages)
    reads = database_reads(port) if port else None

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "data": "SYNTHETIC",
        "councils": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "partnerships": len(data.partnerships),
        "server_seconds": server,
        "page_bytes": {path: len(html.encode()) for path, html in pages.items()},
        "browser_ms": browser,
        "database_reads": reads,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "views.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    base = server["pyvis_defaults"]
    lines = [
        "# Views benchmark (SYNTHETIC data)",
        "",
        f"SYNTHETIC graph, not real data: {result['councils']} councils, {result['edges']} "
        f"council-council edges, {result['partnerships']} partnerships (seed {SEED}).",
        f"Run {result['when']}, Python {result['python']} on {result['machine']}. "
        "Medians; ratios to pyvis's defaults measured in the same run; no thresholds.",
        "",
        "## Server-side generation",
        "",
        "| page | seconds | x pyvis defaults |",
        "|---|---:|---:|",
    ]
    for name, seconds in server.items():
        lines.append(f"| {name} | {seconds:.4f} | {_ratio(seconds, base)} |")
    stock = browser["/pyvis-defaults/network"]["interactive"]
    lines += [
        "",
        "## Browser (headless Debian chromium, offline)",
        "",
        "Milliseconds from navigation (medians). Interactive: ours = first frame of the "
        "framed, precomputed layout; pyvis defaults = end of stabilisation (physics on), "
        f"given up after {BROWSER_TIMEOUT_MS} ms. Measure on an otherwise idle machine.",
        "",
        "| page | bytes | load | first draw | interactive | x pyvis defaults | blocked requests |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for path, marks in browser.items():
        lines.append(
            f"| {path} | {result['page_bytes'][path]} | {_fmt(marks['load'])} | "
            f"{_fmt(marks['first_draw'])} | {_interactive(marks)} | "
            f"{_ratio(marks['interactive'], stock)} | {marks['blocked_requests_per_load']:g} |"
        )
    lines += _database_lines(reads) if reads else []
    (RESULTS / "views.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def _interactive(marks: dict[str, Any]) -> str:
    missed = marks["not_interactive_within_timeout"]
    if missed:
        return f"> {BROWSER_TIMEOUT_MS} in {missed} of {marks['runs']} runs"
    return _fmt(marks["interactive"])


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


if __name__ == "__main__":
    main()
