"""The one-call analysis: consistency, determinism and its use with the cache."""

# Graphs are named G, as in networkx (STYLE.md).
# ruff: noqa: N806

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

from graph.analysis.network import NetworkAnalysis, analyse_network
from graph.analysis.peers import find_peers
from graph.memo import Memo
from tests.support.paths import ROOT
from tests.support.synthetic_network import synthetic_network

# Prints a fingerprint of the SYNTHETIC network's analysis, for comparing runs
# under different hash seeds (string hashing changes set iteration order).
FINGERPRINT = """
import json
from graph.analysis.network import analyse_network
from tests.support.synthetic_network import synthetic_network
net = synthetic_network(councils=120, partnerships=160, seed=5)
a = analyse_network(net.memberships, net.councils, net.borders)
print(json.dumps({
    "communities": [sorted(c) for c in a.communities],
    "betweenness": {c: round(m.betweenness, 12) for c, m in a.metrics.items()},
    "constraint": {c: round(m.constraint or -1, 12) for c, m in a.metrics.items()},
    "summary": repr(a.summary),
}))
"""


def small() -> NetworkAnalysis:
    net = synthetic_network(councils=60, partnerships=70, seed=11)
    return analyse_network(net.memberships, net.councils, net.borders)


def test_metrics_cover_every_council_and_agree_with_the_summary() -> None:
    a = small()
    G = a.council_graph
    assert list(a.metrics) == sorted(G)
    assert a.summary.councils == G.number_of_nodes()
    assert a.summary.communities == len(a.communities)
    assert {m.community for m in a.metrics.values()} == set(range(1, len(a.communities) + 1))
    assert sum(m.degree for m in a.metrics.values()) == 2 * a.summary.ties
    # Community 1 is the largest.
    sizes = [len(c) for c in a.communities]
    assert sizes == sorted(sizes, reverse=True)
    assert a.two_mode.number_of_edges() == len(a.memberships)


def test_same_result_on_every_run_and_for_any_row_order() -> None:
    net = synthetic_network(councils=80, partnerships=100, seed=4)
    first = analyse_network(net.memberships, net.councils, net.borders)
    rows = list(net.memberships)
    random.Random(1).shuffle(rows)
    again = analyse_network(rows, net.councils, reversed(net.borders))
    assert again.communities == first.communities
    assert again.metrics == first.metrics
    assert again.summary == first.summary


def test_same_result_under_any_hash_seed() -> None:
    outputs = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", FINGERPRINT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop())["communities"]


def test_service_selection() -> None:
    net = synthetic_network(councils=60, partnerships=70, seed=11)
    a = analyse_network(net.memberships, net.councils, net.borders, service="legal")
    assert a.service == "legal"
    assert all("legal" in m.services for m in a.memberships)
    assert set(a.council_graph) == {m.council_code for m in a.memberships}


def test_isolates_included_on_request() -> None:
    net = synthetic_network(councils=60, partnerships=10, seed=2)
    a = analyse_network(net.memberships, net.councils, include_isolates=True)
    assert a.summary.councils == 60
    lonely = [m for m in a.metrics.values() if m.degree == 0]
    assert lonely
    assert all(m.constraint is None for m in lonely)


def test_cached_analysis_serves_the_peer_finder() -> None:
    net = synthetic_network(councils=60, partnerships=70, seed=11)
    cache = Memo()
    calls = 0

    def compute() -> NetworkAnalysis:
        nonlocal calls
        calls += 1
        return analyse_network(net.memberships, net.councils, net.borders, service="legal")

    key = ("analysis", 2015, "legal")
    a: NetworkAnalysis = cache.get(key, compute)
    b: NetworkAnalysis = cache.get(key, compute)
    assert a is b
    assert calls == 1
    found = find_peers("SYN0001", b.memberships, b.councils, service="legal")
    assert found.peers
    assert all("legal" in p.services for p in found.peers)
    assert "SYN0001" not in {p.code for p in found.peers}
