"""The analyst's queries of issue 18 (docs/cookbook.md) for the GraphQL-vs-direct benchmark:
sorted, filtered and aggregated, as ``QUERIES`` in ``bench/bench_api.py`` takes them.

``bench_api.py`` (engineer B's) can add them with ``QUERIES.update(ANALYST_QUERIES)``.
"""

from __future__ import annotations

__all__ = ["ANALYST_QUERIES"]

ANALYST_QUERIES: dict[str, str] = {
    "top 10 councils by partnerships 2019 (sorted)": """{ councils(first: 10,
        orderBy: [{field: PARTNERSHIP_COUNT, direction: DESC, year: 2019}]) {
        nodes { code name partnershipCount(year: 2019) } } }""",
    "savings >= 1m, largest first (range filter + sort)": """{ partnerships(first: 100,
        filter: {savings: {gte: 1000000}}, orderBy: [{field: SAVINGS, direction: DESC}]) {
        totalCount nodes { id name annualSavingsGbp } } }""",
    "London with partners outside London (member-set filter)": """{ partnerships(first: 100,
        filter: {members: {some: {kind: [LONDON_BOROUGH]}},
                 NOT: {members: {all: {region: [LONDON]}}}}) {
        totalCount nodes { id name members { council { code region } } } } }""",
    "starts per year (aggregate)": """{ partnershipAggregate(groupBy: START_YEAR) {
        startYear count savings { reportedTotalGbp partnershipsWithFigure } } }""",
    "regions 2012-2019 (aggregate over a range)": """{ partnershipAggregate(groupBy: REGION,
        years: {gte: 2012, lte: 2019}) { year region count } }""",
    "ordered by start year, page 1 of keyset pages": """{ partnerships(first: 100,
        orderBy: [{field: START_YEAR}, {field: NAME}]) {
        pageInfo { hasNextPage endCursor } nodes { id startYear } } }""",
    "full-text search": """{ search(query: "shared audit", first: 20) {
        type score partnership { id name } council { code name } } }""",
}
