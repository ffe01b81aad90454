"""Benchmark of the network analysis on a SYNTHETIC national-size network.

SYNTHETIC DATA ONLY: ~350 made-up councils and ~500 made-up partnerships from
:func:`tests.support.synthetic_network.synthetic_network` (seeded). No real council or
partnership is involved, and no Neo4j: this times the pure-Python analysis.

Times, each the median of several runs in this process:

* baseline: building the one-mode council graph from the rows (projection only);
* cold: projection plus every measure (``analyse_network``), nothing cached;
* cached: the same request answered by ``graph.memo.Memo`` (a hit, as a snapshot answers);
* peers: one ``find_peers`` call on the cached rows.

Each is reported as a ratio to the baseline measured in the same run, so the
figures compare across machines. There are no pass/fail thresholds.

Run: ``.venv/bin/python bench/bench_analysis.py`` (or ``make bench``). Writes
``bench/results/analysis.json`` and ``bench/results/analysis.md``.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from graph.analysis.network import NetworkAnalysis, analyse_network  # noqa: E402
from graph.analysis.peers import find_peers  # noqa: E402
from graph.analysis.projection import council_graph  # noqa: E402
from graph.memo import Memo  # noqa: E402
from tests.support.synthetic_network import synthetic_network  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
COUNCILS = 350
PARTNERSHIPS = 500
SEED = 2011


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` calls of `work`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> dict[str, object]:
    net = synthetic_network(councils=COUNCILS, partnerships=PARTNERSHIPS, seed=SEED)

    def cold() -> NetworkAnalysis:
        return analyse_network(net.memberships, net.councils, net.borders)

    baseline = median_seconds(lambda: council_graph(net.memberships, net.councils), repeat=7)
    cold_s = median_seconds(cold, repeat=3)

    cache = Memo()
    key = ("analysis", 2015, None)
    first: NetworkAnalysis = cache.get(key, cold)
    cached_s = median_seconds(lambda: cache.get(key, cold), repeat=1000)
    asker = sorted(net.councils)[0]
    peers_s = median_seconds(
        lambda: find_peers(asker, first.memberships, first.councils, service="legal"), repeat=7
    )

    summary = first.summary
    result: dict[str, object] = {
        "data": "SYNTHETIC (tests.support.synthetic_network; not real councils or partnerships)",
        "when_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "networkx": nx.__version__,
        "scipy_installed": importlib.util.find_spec("scipy") is not None,
        "machine": platform.machine(),
        "synthetic_network": {
            "seed": SEED,
            "councils_generated": COUNCILS,
            "partnerships_generated": PARTNERSHIPS,
            "membership_rows": len(net.memberships),
            "councils_in_graph": summary.councils,
            "ties": summary.ties,
            "communities": summary.communities,
        },
        "seconds": {
            "baseline_projection": baseline,
            "cold_all_measures": cold_s,
            "cached_all_measures": cached_s,
            "find_peers": peers_s,
        },
        "ratio_to_baseline": {
            "cold_all_measures": cold_s / baseline,
            "cached_all_measures": cached_s / baseline,
            "find_peers": peers_s / baseline,
        },
        "cold_over_cached": cold_s / cached_s,
        "cache_info": repr(cache.info()),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "analysis.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "analysis.md").write_text(markdown(result), encoding="utf-8")
    return result


def markdown(result: dict[str, object]) -> str:
    """The results as a short markdown report."""
    seconds = result["seconds"]
    ratios = result["ratio_to_baseline"]
    net = result["synthetic_network"]
    assert isinstance(seconds, dict)
    assert isinstance(ratios, dict)
    assert isinstance(net, dict)
    rows = [
        ("baseline: projection only", seconds["baseline_projection"], 1.0),
        (
            "cold: projection + all measures",
            seconds["cold_all_measures"],
            ratios["cold_all_measures"],
        ),
        (
            "cached: all measures (cache hit)",
            seconds["cached_all_measures"],
            ratios["cached_all_measures"],
        ),
        ("find_peers (one asker, legal)", seconds["find_peers"], ratios["find_peers"]),
    ]
    lines = [
        "# Analysis benchmark (SYNTHETIC data)",
        "",
        "SYNTHETIC network, not real data: "
        f"{net['councils_in_graph']} councils in the graph, {net['ties']} ties, "
        f"{net['membership_rows']} membership rows (seed {net['seed']}).",
        f"Run {result['when_utc']}, Python {result['python']}, networkx {result['networkx']}, "
        f"SciPy installed: {result['scipy_installed']}. Medians; no pass/fail thresholds.",
        "",
        "| step | seconds | x baseline |",
        "|---|---:|---:|",
        *(f"| {name} | {s:.6f} | {r:.4g} |" for name, s, r in rows),
        "",
        f"Cold is {result['cold_over_cached']:.0f} times the cached time.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    outcome = main()
    print(json.dumps(outcome, indent=2))
    sys.exit(0)
