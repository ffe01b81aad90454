"""Network analysis of councils and their shared-service partnerships.

Pure functions over networkx graphs built from one year's membership rows; no
database access and no I/O (the caller reads the rows and the data version).
See ``docs/analysis.md`` for the measures, their weights and the peer finder.
"""

from graph.analysis.brokerage import constraint, effective_size
from graph.analysis.groups import DEFAULT_SEED, communities, components
from graph.analysis.inputs import border_pairs, council_attrs, memberships_from_rows
from graph.analysis.introductions import Introducer, Introductions, Step, introductions
from graph.analysis.measures import (
    CouncilMetrics,
    NetworkSummary,
    betweenness,
    council_metrics,
    network_summary,
    rank_councils,
)
from graph.analysis.mixing import attribute_assortativity, bordering_pairs
from graph.analysis.network import NetworkAnalysis, analyse_network
from graph.analysis.peers import (
    DEFAULT_WEIGHTS,
    Neighbour,
    Peer,
    PeerSearch,
    PeerWeights,
    find_peers,
    haversine_km,
    nearest_neighbours,
)
from graph.analysis.projection import (
    AnalysisInputError,
    CouncilAttrs,
    Membership,
    council_graph,
    select_memberships,
    two_mode_graph,
)

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_WEIGHTS",
    "AnalysisInputError",
    "CouncilAttrs",
    "CouncilMetrics",
    "Introducer",
    "Introductions",
    "Membership",
    "Neighbour",
    "NetworkAnalysis",
    "NetworkSummary",
    "Peer",
    "PeerSearch",
    "PeerWeights",
    "Step",
    "analyse_network",
    "attribute_assortativity",
    "betweenness",
    "border_pairs",
    "bordering_pairs",
    "communities",
    "components",
    "constraint",
    "council_attrs",
    "council_graph",
    "council_metrics",
    "effective_size",
    "find_peers",
    "haversine_km",
    "introductions",
    "memberships_from_rows",
    "nearest_neighbours",
    "network_summary",
    "rank_councils",
    "select_memberships",
    "two_mode_graph",
]
