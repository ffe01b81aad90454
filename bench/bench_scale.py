"""Benchmark: the main queries and national views at 100x the bundled partnerships.

SYNTHETIC data, never mistaken for real: 100 copies of every bundled partnership (ids
``synthetic-N-...``, names ending "(SYNTHETIC copy N)"), the UK's principal councils outside
England (32 Scottish, 22 Welsh, 11 Northern Irish: codes ``SYN-S..``, ``SYN-W..``, ``SYN-N..``)
and 10,000 parish-sized bodies (``SYN-P.....``), named "SYNTHETIC ...". In each copy one
member is swapped for a parish body, so the bodies share too; each body borders the next
two and one bundled council, so singletons and their neighbours exist at scale. Written
straight to the benchmarks' own Neo4j with UNWIND batches, and removed afterwards.

Measured over HTTP against the API with its response cache off (every answer computed) and
its snapshot warm-up on (``COUNCILGRAPH_WARM_EVERY_S``, graph/snapshot.py): once the server
has warmed the data version (its CPU falls idle), each query's first request (which still
reads its own year, and renders a view's layout) and warm median, on the bundled data and at
100x, as ratios. In process, the cold snapshot's parts (round 1's per-partnership COLLECT read
beside this round's flat rows, interleaved) and the map's dot separation against round 2's
(``bench/layout_scale.py``). The loader itself at this scale is not measured here
(docs/performance.md, Not done).

Run: ``.venv/bin/python bench/bench_scale.py``. Writes ``bench/results/scale.json`` and
``bench/results/scale.md``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from bench import synthetic  # noqa: E402  (the same councils as bench_load_scale.py)
from bench.baselines import QUERIES  # noqa: E402
from bench.bench_exports import ADD_SYNTHETIC  # noqa: E402  (the same partnership rows)
from bench.layout_scale import measure_layout  # noqa: E402
from bench.servers import Server, _children, bench_database, bench_settings, serve  # noqa: E402
from graph import bulk, repository  # noqa: E402
from graph.db import Database  # noqa: E402
from graph.memberships import MembershipIndex  # noqa: E402
from graph.schema import bump_data_version  # noqa: E402
from graph.snapshot import Snapshots  # noqa: E402

COPIES = synthetic.COPIES
PARISHES = synthetic.PARISHES
WARM = 5
ROUNDS = 3  # of the in-process snapshot steps, interleaved
WARM_EVERY_S = "2"
OUT = ROOT / "bench" / "results"

#: The API as measured: every answer computed, a new data version warmed within 2 s.
SERVER_ENV = {
    "COUNCILGRAPH_RESPONSE_CACHE": "off",
    "COUNCILGRAPH_REQUEST_TIMEOUT_S": "900",
    "COUNCILGRAPH_STATEMENT_TIMEOUT_S": "900",
    "COUNCILGRAPH_WARM_EVERY_S": WARM_EVERY_S,
}

#: Why each query grows as it does at 100x, for the ones that grow faster than the memberships.
WHY = {
    "stats(2012)": "its first request computes the year's network analysis "
    "(graph/analysis: betweenness over all pairs of a graph that grew from 365 to 10,430 "
    "councils and 101x the ties, louvain groups), which no warm-up holds for 2012; warm, it "
    "is the remembered analysis.",
    "national network view 2012": "the first render lays out the year's graph: the "
    "SYNTHETIC partnerships join most councils into one component, whose spring layout "
    "(visualisation/layout.py, dense Fruchterman-Reingold within a work budget) is quadratic "
    "in its size per iteration. Warm, the page holds tens of thousands of nodes and lines, "
    "and grows about as they do.",
    "national map view 2012": "the first render reads 2012's view data and separates 10,430 "
    "dots (the table above times it in process): the SYNTHETIC parish bodies sit on a grid "
    "~1.4 x 2.8 km apart with dots of radius ~5-8 canvas units, so each overlaps dozens of "
    "neighbours until the final placement spreads them; on the bundled data the dots barely "
    "touch. Warm, the page's elements grow as the network view's.",
    "singletonsBorderingSharers(2012, LEGAL)": "warm, it looks at each singleton's "
    "neighbours among 10,430 councils and 101x the memberships, read from the snapshot.",
}

TIMED: dict[str, tuple[str, str]] = {
    "singletonsBorderingSharers(2012, LEGAL)": (
        "graphql",
        QUERIES["singletonsBorderingSharers(2012, LEGAL) with names"],
    ),
    "stats(2012)": ("graphql", QUERIES["stats(2012)"]),
    "peerSearch(E07000084, LEGAL, 2012)": (
        "graphql",
        """{ peerSearch(code: "E07000084", service: LEGAL, year: 2012, limit: 5) {
            alreadyShares peers { council { name } } nearestNeighbours { council { name } } } }""",
    ),
    "national network view 2012": ("get", "/views/network?year=2012"),
    "national map view 2012": ("get", "/views/map?year=2012"),
}


def add_synthetic(db: Database) -> dict[str, int]:
    """The SYNTHETIC councils and borders (bench/synthetic.py), then COPIES copies of every
    bundled partnership, each with one member swapped for a parish body, written straight with
    UNWIND batches; bumps the data version."""
    facts = repository.partnerships_by_ids(db, repository.all_partnership_ids(db))
    added = synthetic.add_councils(db)
    rows = []
    for copy in range(1, COPIES + 1):
        for n, p in enumerate(facts.values()):
            members = [{"code": m.code, "role": m.role} for m in p.members]
            members[0] = {"code": synthetic.parish((copy * 97 + n) % PARISHES), "role": "partner"}
            rows.append(
                {
                    "props": {"id": f"synthetic-{copy}-{p.id}",
                              "name": f"{p.name} (SYNTHETIC copy {copy})", "status": p.status,
                              "startYear": p.start_year, "endYear": p.end_year},
                    "members": members,
                    "services": list(p.services),
                }
            )  # fmt: skip
    synthetic.write_batches(db, ADD_SYNTHETIC, "rows", rows)
    db.write_transaction(bump_data_version)
    return {**added, "partnerships": len(rows)}


def _request(server: Server, kind: str, what: str) -> float:
    began = time.perf_counter()
    if kind == "graphql":
        response = server.client.post("/graphql", json={"query": what})
        body = response.json()
        assert "errors" not in body, body["errors"]
    else:
        response = server.client.get(what)
    response.raise_for_status()
    return (time.perf_counter() - began) * 1000


def measure(server: Server) -> dict[str, dict[str, float]]:
    """Each query cold (its first request on this data version), then warm (median)."""
    timings = {}
    for name, (kind, what) in TIMED.items():
        cold = _request(server, kind, what)
        warm = statistics.median(_request(server, kind, what) for _ in range(WARM))
        timings[name] = {"cold_ms": round(cold, 1), "warm_ms": round(warm, 1)}
        print(name, timings[name], flush=True)
    return timings


def wait_until_idle(server: Server, limit_s: float = 900.0) -> float:
    """Wait until the server's processes use (almost) no CPU for 3 s: its warm-up of a new
    data version is done. Returns the seconds waited."""
    began = time.perf_counter()
    time.sleep(3.0)  # the watcher looks every WARM_EVERY_S seconds
    while time.perf_counter() - began < limit_s:
        before = _cpu_s(server)
        time.sleep(3.0)
        if _cpu_s(server) - before < 0.15:
            break
    return round(time.perf_counter() - began, 1)


def _cpu_s(server: Server) -> float:
    total = 0
    for pid in [server.process.pid, *_children(server.process.pid)]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def snapshot_steps(db: Database) -> dict[str, float]:
    """The cold snapshot's parts and the warm-up, in process: medians of ROUNDS, interleaved."""
    councils = repository.all_councils(db)
    codes = [c.code for c in councils]
    flat = bulk.all_partnerships(db)
    assert flat == repository.partnerships_by_ids(db, list(flat))  # the same snapshot
    by_code, links = {c.code: c for c in councils}, repository.council_links(db, codes)
    steps: dict[str, Callable[[], object]] = {
        "councils": lambda: repository.all_councils(db),
        "council links": lambda: repository.council_links(db, codes),
        "partnerships, round 1 (COLLECTs per partnership)": lambda: repository.partnerships_by_ids(
            db, repository.all_partnership_ids(db)
        ),
        "partnerships, flat rows (this round)": lambda: bulk.all_partnerships(db),
        "effective memberships 2012, read (the statement)": lambda: (
            repository.effective_memberships(db, 2012)
        ),
        "effective memberships 2012, computed (graph.memberships, index included)": lambda: (
            MembershipIndex(flat.values(), by_code, links).year(2012)
        ),
        "warm-up (snapshot, this year's memberships, plans)": lambda: Snapshots(db).warm(),
    }
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(ROUNDS):
        for name, step in steps.items():
            began = time.perf_counter()
            step()
            times[name].append((time.perf_counter() - began) * 1000)
    found = {name: round(statistics.median(t), 1) for name, t in times.items()}
    print("snapshot steps", found, flush=True)
    return found


def sizes(db: Database) -> dict[str, int]:
    rows = db.read(
        "MATCH (c:Council) WITH count(c) AS councils "
        "MATCH (p:Partnership) WITH councils, count(p) AS partnerships "
        "MATCH ()-[m:MEMBER_OF]->() RETURN councils, partnerships, count(m) AS memberships"
    )
    return {k: int(v) for k, v in rows[0].items()}


def main() -> None:
    settings = bench_settings()
    db = bench_database(settings)
    synthetic.remove_synthetic(db)  # a run stopped halfway leaves none behind
    # The first request of a view still renders its layout (and reads its year when it is not
    # this year): longer than the default request limit at 100x, which scale.md reports.
    run: dict[str, Any] = {}
    with serve("api.app:create_app", settings, env=SERVER_ENV, timeout=900) as server:
        run["bundled_warm_up_wait_s"] = wait_until_idle(server)
        bundled_sizes = sizes(db)
        bundled = measure(server)
        run["bundled_steps"] = snapshot_steps(db)
        run["layout"] = measure_layout(db)  # the 100x map's dots, built from the bundled data
        started = time.perf_counter()
        try:
            added = add_synthetic(db)
            write_s = time.perf_counter() - started
            print(f"SYNTHETIC data written in {write_s:.0f} s: {added}", flush=True)
            run["scaled_warm_up_wait_s"] = wait_until_idle(server)
            scaled_sizes = sizes(db)
            scaled = measure(server)
            rss = server.peak_rss_mb()
            run["scaled_steps"] = snapshot_steps(db)
        finally:
            synthetic.remove_synthetic(db)
    db.driver.close()
    run.update(bundled=bundled_sizes, scaled=scaled_sizes, added=added, write_s=write_s, rss=rss)
    _report(bundled, scaled, run)


def _report(
    bundled: dict[str, dict[str, float]], scaled: dict[str, dict[str, float]], run: dict[str, Any]
) -> None:
    rows = [
        {
            "query": name,
            **{f"bundled_{k}": v for k, v in bundled[name].items()},
            **{f"scaled_{k}": v for k, v in scaled[name].items()},
            "x_cold": round(scaled[name]["cold_ms"] / bundled[name]["cold_ms"], 1),
            "x_warm": round(scaled[name]["warm_ms"] / bundled[name]["warm_ms"], 1),
        }
        for name in TIMED
    ]
    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        **{k: v for k, v in run.items() if k not in ("bundled_steps", "scaled_steps", "layout")},
        "bench_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    steps = [
        {"step": name, "bundled_ms": ms, "scaled_ms": run["scaled_steps"][name],
         "x": round(run["scaled_steps"][name] / ms, 1)}
        for name, ms in run["bundled_steps"].items()
    ]  # fmt: skip
    results = {"meta": meta, "results": rows, "snapshot_steps": steps, "layout": run["layout"]}
    (OUT / "scale.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    render(results)


def render(results: dict[str, Any]) -> None:
    """Write scale.md from scale.json's ``results`` (``--render`` redoes it from the file)."""
    meta, rows = results["meta"], results["results"]
    growth = meta["scaled"]["memberships"] / meta["bundled"]["memberships"]
    lines = _queries_table(rows, meta, growth)
    lines += _steps_table(results["snapshot_steps"]) + _layout_table(results["layout"])
    worse = [r["query"] for r in rows if max(r["x_cold"], r["x_warm"]) > growth]
    steps = [f"{s['step']} ({s['x']}x)" for s in results["snapshot_steps"] if s["x"] > growth]
    lines += [
        "",
        "## Worse than linear",
        "",
        f"Queries growing faster than the memberships ({growth:.0f}x), first request or warm: "
        + (", ".join(worse) if worse else "none")
        + ".",
        "",
        "Steps of the cold snapshot (in process) growing faster: "
        + ("; ".join(steps) if steps else "none")
        + ". docs/performance.md (At 100x) says where their time goes.",
        "",
    ]
    lines += [f"- **{name}**: {WHY[name]}" for name in worse if name in WHY]
    (OUT / "scale.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def _queries_table(rows: list[dict[str, Any]], meta: dict[str, Any], growth: float) -> list[str]:
    load = ", ".join(f"{x:.1f}" for x in meta["load_average"])
    lines = [
        "# Queries and national views at 100x the bundled partnerships (SYNTHETIC)",
        "",
        f"{meta['when']}, Python {meta['python']}, load average at the end {load} (2 cores "
        f"shared with other engineers' runs). Bundled: {meta['bundled']}; with SYNTHETIC "
        f"data: {meta['scaled']} ({growth:.0f}x the memberships). SYNTHETIC rows written with "
        f"UNWIND batches in {meta['write_s']:.0f} s. API (response cache off, warm-up every "
        f"{WARM_EVERY_S} s) peak RSS {meta['rss']} MB.",
        "",
        "`x` is the time at 100x over the time on the bundled data. The server warms each new",
        "data version before answering (snapshot, this year's memberships, plans): it fell idle",
        f"{meta['bundled_warm_up_wait_s']} s after start (bundled) and "
        f"{meta['scaled_warm_up_wait_s']} s after the SYNTHETIC data's version bump. Then",
        "first is each query's first request (its own year's memberships, 2012 here, computed",
        "from the snapshot, and a view's data and layout are not warmed), warm the median of",
        f"{WARM} more.",
        "",
        "| query | bundled first ms | bundled warm ms | 100x first ms | 100x warm ms | x first "
        "| x warm |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['query']} | {r['bundled_cold_ms']} | {r['bundled_warm_ms']} | "
        f"{r['scaled_cold_ms']} | {r['scaled_warm_ms']} | {r['x_cold']} | {r['x_warm']} |"
        for r in rows
    ]
    return lines


def _steps_table(steps: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        f"## The cold snapshot, in process (medians of {ROUNDS}, interleaved)",
        "",
        "| step | bundled ms | 100x ms | x |",
        "|---|---:|---:|---:|",
    ]
    return lines + [
        f"| {s['step']} | {s['bundled_ms']} | {s['scaled_ms']} | {s['x']} |" for s in steps
    ]


def _layout_table(layout: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "## The 100x map's dot separation, in process (bench/layout_scale.py)",
        "",
        "| dots | round 2 s | this round s | round 2 / this | overlapping pairs: at start, "
        "after round 2, after this |",
        "|---:|---:|---:|---:|---|",
    ]
    for row in layout:
        old = row.get("round2_s")
        ratio = f"{old / row['new_s']:.1f}" if old else "-"
        lines.append(
            f"| {row['dots']} | {old if old else 'not run'} | {row['new_s']} | {ratio} | "
            f"{row['start_overlapping']}, {row.get('round2_overlapping', '-')}, "
            f"{row['new_overlapping']} |"
        )
    return lines


if __name__ == "__main__":
    if sys.argv[1:] == ["--render"]:
        render(json.loads((OUT / "scale.json").read_text()))
    else:
        main()
