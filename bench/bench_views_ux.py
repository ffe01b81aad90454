"""Benchmark of the readable views (names, hubs, search, list, slider) against the views
before them, on a SYNTHETIC national-size graph, in one run.

SYNTHETIC DATA ONLY (``tests.support.synthetic_views``, seeded; no Neo4j).

* before: the ``visualisation`` package as it was at ``--before`` (default: the commit
  this branch started from), taken with ``git archive`` into a temporary folder and run
  in a subprocess that renders the national network and map pages;
* after: this tree's ``render_network``/``render_map`` on the same data.

Both are served from 127.0.0.1 and opened in headless Debian chromium with the network
cut off. Measured per page (medians of several loads): bytes (uncompressed HTML) and
time to interactive (``councilGraph.readyAt``: the first frame drawn after framing the
precomputed layout, from navigation start); ratios after/before. Then the year
slider on the national map and network: the median time from the slider's fetch to the
redrawn frame (``councilGraph.lastRedrawMs``) over several moves. Limits checked and
reported (not asserted): no page over 2 MB, slider median under 200 ms.

Then the same slider on the real app with the bundled data, in the tests' own Neo4j
(started and loaded if needed; never the instance NEO4J_URI points at), stepping from
2012 to 2024: real per-year reads, layouts and pages (``--no-real`` skips it).

Run: ``.venv/bin/python bench/bench_views_ux.py``. Writes ``bench/results/views_ux.json``
and ``bench/results/views_ux.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import HTMLResponse, Response  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402

from tests.support.browser import launch_chromium, offline_context, serve_asgi  # noqa: E402
from tests.support.synthetic_views import synthetic_view_data  # noqa: E402
from visualisation import ViewData, ViewOptions  # noqa: E402
from visualisation.routes import view_routes  # noqa: E402

RESULTS = ROOT / "bench" / "results"
NATIONAL_COUNCILS = 350
SEED = 2013
LOADS = 5
SLIDER_MOVES = 13
PAGE_LIMIT_BYTES = 2_000_000
SLIDER_LIMIT_MS = 200.0

_RENDER = """
import json, statistics, sys, time
from tests.support.synthetic_views import synthetic_view_data
from visualisation import ViewOptions, render_map, render_network
data = synthetic_view_data({n}, seed={seed})
out = {{}}
for name, render in (("network", render_network), ("map", render_map)):
    times = []
    for _ in range(4):
        started = time.perf_counter()
        out[name] = render(data, ViewOptions())
        times.append(time.perf_counter() - started)
    out[name + " seconds"] = {{"cold": times[0], "warm": statistics.median(times[1:])}}
json.dump(out, sys.stdout)
"""

T = TypeVar("T")


def _render(commit: str | None) -> dict[str, Any]:
    """Render the national pages (and time it, in a fresh process) with the visualisation
    package as it was at ``commit``, or as it is in this tree (None)."""
    code = _RENDER.format(n=NATIONAL_COUNCILS, seed=SEED)
    with tempfile.TemporaryDirectory(prefix="councilgraph-before-") as folder:
        paths = [str(ROOT)]
        if commit is not None:
            archive = subprocess.run(
                ["git", "archive", "--format=tar", commit, "visualisation"],
                cwd=ROOT,
                check=True,
                capture_output=True,
            ).stdout
            with tarfile.open(fileobj=BytesIO(archive)) as tar:
                tar.extractall(folder, filter="data")
            paths.insert(0, folder)
        bootstrap = f"import sys; sys.path[:0] = {paths!r}\n" + code
        out = subprocess.run(
            [sys.executable, "-c", bootstrap], cwd=folder, check=True, capture_output=True
        ).stdout
    pages: dict[str, Any] = json.loads(out)
    return pages


class _Fixed:
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


def _app(before: dict[str, Any], after: dict[str, Any], data: ViewData) -> Starlette:
    def page(body: str) -> Any:
        async def endpoint(request: Request) -> Response:
            return HTMLResponse(body)

        return endpoint

    source = _Fixed(data)
    return Starlette(
        routes=[
            # Both sides pre-rendered, so time to interactive is the browser's alone; the
            # after side's .json routes (the slider) render on request, as in the app.
            *(Route(f"/before/views/{name}", page(before[name])) for name in ("network", "map")),
            *(Route(f"/after/views/{name}", page(after[name])) for name in ("network", "map")),
            Mount("/after", routes=view_routes(lambda request: source)),
        ]
    )


def _measure(base: str, paths: list[str]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for path in paths:
                times, size, blocked = [], 0, 0
                for _ in range(LOADS):
                    offline = offline_context(browser, viewport={"width": 1280, "height": 860})
                    page = offline.context.new_page()
                    response = page.goto(f"{base}{path}")
                    assert response is not None
                    size = len(response.body())
                    page.wait_for_function(
                        "() => window.councilGraph && window.councilGraph.ready", timeout=120_000
                    )
                    times.append(float(page.evaluate("() => window.councilGraph.readyAt")))
                    if path.startswith("/after") and path.endswith(("/map", "/network")):
                        results.setdefault(f"{path} slider", _slider(page))
                    blocked += len(offline.blocked)
                    offline.context.close()
                results[path] = {
                    "bytes": size,
                    "interactive_ms": statistics.median(times),
                    "blocked": blocked,
                }
        finally:
            browser.close()
    return results


def _slider(page: Any) -> dict[str, Any]:
    """Median fetch-to-frame time of the year slider over several moves."""
    times = []
    for move in range(SLIDER_MOVES):
        page.evaluate(
            """(move) => {
              const s = document.getElementById('cg-year');
              s.value = String(2010 + move);  // within the rules' years (2009-now)
              s.dispatchEvent(new Event('input'));
            }""",
            move,
        )
        page.wait_for_function(
            "(n) => Number(document.body.dataset.updates || 0) >= n", arg=move + 1
        )
        times.append(float(page.evaluate("() => window.councilGraph.lastRedrawMs")))
    return {
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "first_ms": times[0],  # nothing fetched ahead, the server renders the year afresh
        "moves": len(times),
    }


def _real_slider() -> dict[str, Any]:
    """Slider moves on the real app (bundled data, the tests' Neo4j), 2012 -> 2024."""
    from playwright.sync_api import sync_playwright

    from api.app import create_app
    from graph.db import connect
    from loaders import load_bundled
    from tests import neo4j_instance

    settings = neo4j_instance.start()
    db = connect(settings)
    if not db.read("MATCH (p:Partnership) RETURN count(p) AS n")[0]["n"]:
        load_bundled(db)
    results: dict[str, Any] = {}
    with serve_asgi(create_app(settings)) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for view in ("network", "map"):
                offline = offline_context(browser, viewport={"width": 1280, "height": 860})
                page = offline.context.new_page()
                response = page.goto(f"{base}/views/{view}?year=2011")
                assert response is not None
                size = len(response.body())
                page.wait_for_function(
                    "() => window.councilGraph && window.councilGraph.ready", timeout=120_000
                )
                ready = float(page.evaluate("() => window.councilGraph.readyAt"))
                times = _moves(page, range(2012, 2025), done=0)
                # As after the slider is first touched: every year fetched in the background.
                page.evaluate("() => window.councilGraph.warmYears()")
                page.wait_for_function(
                    """() => window.councilGraph.warmed >=
                         Number(document.getElementById('cg-year').max) -
                         Number(document.getElementById('cg-year').min) + 1""",
                    timeout=300_000,
                )
                warm = _moves(page, range(2023, 2010, -1), done=len(times))
                results[view] = {
                    "bytes": size,
                    "interactive_ms": ready,
                    "slider_median_ms": statistics.median(times),
                    "slider_first_ms": times[0],
                    "slider_max_ms": max(times),
                    "warm_median_ms": statistics.median(warm),
                    "warm_max_ms": max(warm),
                    "moves": len(times),
                    "blocked": len(offline.blocked),
                }
                offline.context.close()
        finally:
            browser.close()
    db.driver.close()
    return results


def _moves(page: Any, years: range, *, done: int) -> list[float]:
    """Move the slider through ``years`` as fast as the page redraws; times of each redraw."""
    times = []
    for move, year in enumerate(years):
        page.evaluate(
            """(year) => {
                          const s = document.getElementById('cg-year');
                          s.value = String(year);
                          s.dispatchEvent(new Event('input'));
                        }""",
            year,
        )
        page.wait_for_function(
            "(n) => Number(document.body.dataset.updates || 0) >= n",
            arg=done + move + 1,
            timeout=60_000,
        )
        times.append(float(page.evaluate("() => window.councilGraph.lastRedrawMs")))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="b4f7a7e", help="commit of the views before")
    parser.add_argument("--no-real", action="store_true", help="skip the real-data slider")
    args = parser.parse_args()
    data = synthetic_view_data(NATIONAL_COUNCILS, seed=SEED)
    before = _render(args.before)
    after = _render(None)
    with serve_asgi(_app(before, after, data)) as base:
        paths = [
            f"/{when}/views/{view}" for view in ("network", "map") for when in ("before", "after")
        ]
        measured = _measure(base, paths)
    rows = []
    for view in ("network", "map"):
        old, new = measured[f"/before/views/{view}"], measured[f"/after/views/{view}"]
        slider = measured[f"/after/views/{view} slider"]
        rows.append(
            {
                "view": view,
                "bytes_before": old["bytes"],
                "bytes_after": new["bytes"],
                "bytes_ratio": round(new["bytes"] / old["bytes"], 3),
                "interactive_ms_before": round(old["interactive_ms"]),
                "interactive_ms_after": round(new["interactive_ms"]),
                "interactive_ratio": round(new["interactive_ms"] / old["interactive_ms"], 3),
                "render_warm_s_before": round(before[f"{view} seconds"]["warm"], 4),
                "render_warm_s_after": round(after[f"{view} seconds"]["warm"], 4),
                "render_cold_s_before": round(before[f"{view} seconds"]["cold"], 4),
                "render_cold_s_after": round(after[f"{view} seconds"]["cold"], 4),
                "slider_median_ms": round(slider["median_ms"], 1),
                "slider_max_ms": round(slider["max_ms"], 1),
                "slider_first_ms": round(slider["first_ms"], 1),
                "under_2mb": new["bytes"] <= PAGE_LIMIT_BYTES,
                "slider_under_200ms": slider["median_ms"] < SLIDER_LIMIT_MS,
                "blocked_requests": old["blocked"] + new["blocked"],
            }
        )
    meta = {
        "run": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "before": args.before,
        "councils": NATIONAL_COUNCILS,
        "seed": SEED,
        "loads": LOADS,
        "slider_moves": SLIDER_MOVES,
    }
    real = {} if args.no_real else _real_slider()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "views_ux.json").write_text(
        json.dumps({"meta": meta, "rows": rows, "real": real}, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        "# Readable views benchmark (SYNTHETIC data)",
        "",
        f"SYNTHETIC graph, not real data: {NATIONAL_COUNCILS} councils (seed {SEED}). "
        f"Run {meta['run']}, Python {meta['python']} on {meta['machine']}. Before: the "
        f"views at commit {args.before}; after: this tree; same data, same run, headless "
        f"Debian chromium offline. Medians of {LOADS} loads; slider: {SLIDER_MOVES} moves, "
        "from the fetch of the year's JSON to the redrawn frame, stepping one year at a "
        "time as Play does (the page fetches the next year ahead; the first move has "
        "nothing fetched ahead and the server renders that year afresh).",
        "",
        "| view | bytes before | bytes after | x | interactive ms before | after | x "
        "| slider median ms | slider first move ms | <= 2 MB | slider < 200 ms | blocked |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['view']} | {row['bytes_before']} | {row['bytes_after']} | "
            f"{row['bytes_ratio']} | {row['interactive_ms_before']} | "
            f"{row['interactive_ms_after']} | {row['interactive_ratio']} | "
            f"{row['slider_median_ms']} | {row['slider_first_ms']} | "
            f"{'yes' if row['under_2mb'] else 'NO'} | "
            f"{'yes' if row['slider_under_200ms'] else 'NO'} | {row['blocked_requests']} |"
        )
    lines += [
        "",
        "Server-side generation (seconds; fresh process each side; cold = first render with "
        "empty caches, warm = median of the next three):",
        "",
        "| view | cold before | cold after | warm before | warm after | x warm |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        warm = row["render_warm_s_after"] / row["render_warm_s_before"]
        lines.append(
            f"| {row['view']} | {row['render_cold_s_before']} | {row['render_cold_s_after']} "
            f"| {row['render_warm_s_before']} | {row['render_warm_s_after']} | {warm:.3f} |"
        )
    if real:
        lines += [
            "",
            "Real data (the bundled data in the tests' Neo4j, the real app): the slider from "
            "2011 to 2024 a year at a time, as fast as the page redraws (cold: each year "
            "read, laid out and rendered by the server on first use), then back from 2023 "
            "to 2011 once every year has been fetched in the background (as after the "
            "slider is first touched):",
            "",
            "| view | bytes (2011) | interactive ms | cold median ms | cold first ms "
            "| cold max ms | warmed median ms | warmed max ms | warmed < 200 ms | blocked |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
        ]
        for view, row in real.items():
            lines.append(
                f"| {view} | {row['bytes']} | {round(row['interactive_ms'])} | "
                f"{round(row['slider_median_ms'], 1)} | {round(row['slider_first_ms'], 1)} | "
                f"{round(row['slider_max_ms'], 1)} | {round(row['warm_median_ms'], 1)} | "
                f"{round(row['warm_max_ms'], 1)} | "
                f"{'yes' if row['warm_median_ms'] < SLIDER_LIMIT_MS else 'NO'} | "
                f"{row['blocked']} |"
            )
    (RESULTS / "views_ux.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
