"""The two baselines bench_api.py measures the GraphQL API against, as one Starlette app.

E (``/bare/{query}``): the best single Cypher statement we could write for the same answer,
run through the same driver (a read transaction) and returned as the same JSON
(``{"data": ...}``), with nothing else around it: no parsing, validation, limits or resolvers.
The rules of time are not restated: the statements compose ``repository.EFFECTIVE_MEMBERSHIPS``
(graph/rules.py's Cypher twins) in a ``CALL () {...}`` and shape the answer in Cypher.

D (``/snapshot/{query}``): the same answer computed in plain Python from the data version's
in-memory snapshot (``graph.snapshot``; one DataVersion read per request, as the API does),
the floor for anything that answers from memory.

``path`` is a breadth-first search, which Cypher cannot express over effective memberships
(succession makes them a derived relation): E reads the year's memberships in one statement
and searches them in Python with the API's own ``shortest_chain``.

Run by bench_api.py as ``uvicorn bench.baselines:create_app --factory`` (a separate process,
measured over HTTP); tests/api/test_baselines.py checks both answer exactly as GraphQL does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, LiteralString

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.schema import shortest_chain
from graph import repository as repo
from graph.db import Database, connect
from graph.rules import ACTIVE_STATUSES, current_year
from graph.settings import Settings
from graph.snapshot import Snapshot, Snapshots

__all__ = ["QUERIES", "bare_answer", "create_app", "snapshot_answer"]

#: The bench's GraphQL queries, by name; E and D answer each with the same JSON.
QUERIES: dict[str, str] = {
    "singletonsBorderingSharers(2012, LEGAL) with names": """{
        singletonsBorderingSharers(year: 2012, service: LEGAL) {
            council { name } sharingNeighbours { name } } }""",
    "stats(2012)": """{ stats(year: 2012) {
        total councils activeSharers singletons byService { key count } } }""",
    "council(E07000084) partners + partnerships": """{ council(code: "E07000084") {
        name partners(year: 2024, service: LEGAL) { name }
        partnerships(year: 2024, service: LEGAL) {
            name members(year: 2024) { role council { name } } } } }""",
    "councils(first: 50) > partnerships > members": """{ councils(first: 50,
        filter: {year: 2012}) { nodes { name partnerships { name members {
        role council { name } } } } } }""",
    "page: councils(first: 100), 1,000+ objects": """{ councils(first: 100) { nodes {
        code name partnerships { id name members { council { code } } } } } }""",
    "path(E07000084 -> E09000024, 2015)": """{
        path(fromCode: "E07000084", toCode: "E09000024", year: 2015) { name } }""",
}

# Existence of council `c` in $year (graph.rules.exists_in; the same test as in
# EFFECTIVE_MEMBERSHIPS).
_EXISTS: LiteralString = """c.validFrom <= date({year: $year, month: 12, day: 31})
  AND (c.validTo IS NULL OR c.validTo > date({year: $year, month: 1, day: 1}))"""

_EFFECTIVE: LiteralString = "CALL () {\n" + repo.EFFECTIVE_MEMBERSHIPS + "\n}\n"

SINGLETONS_BORDERING_SHARERS: LiteralString = (
    _EFFECTIVE
    + """WITH collect(DISTINCT code) AS sharers
MATCH (c:Council) WHERE """
    + _EXISTS
    + """ AND NOT c.code IN sharers
WITH c, sharers ORDER BY c.name, c.code
WITH c, COLLECT { MATCH (c)-[:BORDERS]-(n:Council) WHERE n.code IN sharers
                  RETURN {name: n.name} ORDER BY n.name, n.code } AS neighbours
WHERE size(neighbours) > 0
RETURN {council: {name: c.name}, sharingNeighbours: neighbours} AS row
LIMIT 500
"""
)

STATS: LiteralString = (
    _EFFECTIVE
    + """WITH collect(DISTINCT code) AS sharers,
     collect(DISTINCT {id: partnershipId, services: services}) AS partnerships
CALL (partnerships) {
  UNWIND partnerships AS p UNWIND p.services AS service
  WITH service, count(*) AS n ORDER BY n DESC, service
  RETURN collect({key: service, count: n}) AS byService
}
MATCH (c:Council) WHERE """
    + _EXISTS
    + """
WITH partnerships, byService, sharers, collect(c.code) AS existing
WITH size(partnerships) AS total, byService, size(existing) AS councils,
     size([x IN existing WHERE x IN sharers]) AS activeSharers
RETURN {total: total, councils: councils, activeSharers: activeSharers,
        singletons: councils - activeSharers, byService: byService} AS row
"""
)

COUNCIL_PARTNERS: LiteralString = (
    _EFFECTIVE
    + """WITH partnershipId, collect({code: code, role: role}) AS members
WHERE $code IN [m IN members | m.code]
WITH partnershipId, members ORDER BY partnershipId
WITH collect({id: partnershipId, members: members}) AS mine
MATCH (c:Council {code: $code})
RETURN {name: c.name,
  partners: COLLECT { UNWIND mine AS p UNWIND p.members AS m WITH DISTINCT m.code AS code
                      WHERE code <> $code MATCH (n:Council {code: code})
                      RETURN {name: n.name} ORDER BY n.name, n.code },
  partnerships: COLLECT { UNWIND mine AS p MATCH (q:Partnership {id: p.id})
                          RETURN {name: q.name,
                                  members: COLLECT { UNWIND p.members AS m
                                                     MATCH (n:Council {code: m.code})
                                                     RETURN {role: toUpper(m.role),
                                                             council: {name: n.name}} } } }
} AS row
"""
)

_LISTED: LiteralString = """COLLECT { MATCH (c)-[:MEMBER_OF]->(p:Partnership)
  RETURN {name: p.name, members: COLLECT {
    MATCH (n:Council)-[r:MEMBER_OF]->(p)
    RETURN {role: toUpper(r.role), council: {name: n.name}} ORDER BY n.code } }
  ORDER BY p.name, p.id }"""

COUNCILS_NESTED: LiteralString = (
    "MATCH (c:Council) WHERE "
    + _EXISTS
    + """
WITH c ORDER BY c.name, c.code LIMIT 50
RETURN {name: c.name, partnerships: """
    + _LISTED
    + "} AS row"
)

COUNCILS_PAGE: LiteralString = """
MATCH (c:Council) WITH c ORDER BY c.name, c.code LIMIT 100
RETURN {code: c.code, name: c.name, partnerships: COLLECT {
  MATCH (c)-[:MEMBER_OF]->(p:Partnership)
  RETURN {id: p.id, name: p.name, members: COLLECT {
    MATCH (n:Council)-[:MEMBER_OF]->(p) RETURN {council: {code: n.code}} ORDER BY n.code } }
  ORDER BY p.name, p.id } } AS row
"""

PATH_MEMBERSHIPS: LiteralString = (
    _EFFECTIVE + "RETURN partnershipId, code ORDER BY partnershipId, code"
)

COUNCIL_NAMES: LiteralString = """
UNWIND range(0, size($codes) - 1) AS i
MATCH (c:Council {code: $codes[i]})
RETURN {name: c.name} AS row ORDER BY i
"""


def _rules(year: int, service: str | None) -> dict[str, Any]:
    return {
        "year": year,
        "service": service,
        "currentYear": current_year(),
        "activeStatuses": list(ACTIVE_STATUSES),
    }


def _rows(db: Database, statement: LiteralString, parameters: dict[str, Any]) -> list[Any]:
    return [r["row"] for r in db.read(statement, parameters)]


def _path(db: Database) -> list[Any] | None:
    memberships = tuple(
        repo.Membership(r["partnershipId"], r["code"], "partner")
        for r in db.read(PATH_MEMBERSHIPS, _rules(2015, None))
    )
    chain = shortest_chain(memberships, "E07000084", "E09000024")
    return None if chain is None else _rows(db, COUNCIL_NAMES, {"codes": chain})


BARE: dict[str, Callable[[Database], Any]] = {
    "singletonsBorderingSharers": lambda db: _rows(
        db, SINGLETONS_BORDERING_SHARERS, _rules(2012, "legal")
    ),
    "stats": lambda db: _rows(db, STATS, _rules(2012, None))[0],
    "council": lambda db: next(
        iter(_rows(db, COUNCIL_PARTNERS, {**_rules(2024, "legal"), "code": "E07000084"})), None
    ),
    "councils": lambda db: {"nodes": _rows(db, COUNCILS_NESTED, {"year": 2012})},
    "page": lambda db: {"nodes": _rows(db, COUNCILS_PAGE, {})},
    "path": _path,
}


def bare_answer(db: Database, name: str) -> dict[str, Any]:
    """E's answer to the bench query ``name`` (a key of QUERIES), as GraphQL's JSON."""
    return {"data": {_field(name): BARE[_kind(name)](db)}}


# -- D: the same answers from the snapshot ---------------------------------------------


def _names(s: Snapshot, codes: list[str]) -> list[dict[str, str]]:
    found = [s.councils_by_code[c] for c in codes if c in s.councils_by_code]
    return [{"name": c.name} for c in sorted(found, key=lambda c: (c.name, c.code))]


def _d_singletons(s: Snapshot) -> list[Any]:
    sharers = {m.code for m in s.memberships(2012, "legal")}
    rows = []
    for c in s.councils:
        if c.exists_in(2012) and c.code not in sharers:
            link = s.links.get(c.code)
            near = [n for n in (link.borders if link else ()) if n in sharers]
            if near:
                rows.append({"council": {"name": c.name}, "sharingNeighbours": _names(s, near)})
    return rows[:500]


def _d_stats(s: Snapshot) -> dict[str, Any]:
    memberships = s.memberships(2012)
    sharers = {m.code for m in memberships}
    services: dict[str, tuple[str, ...]] = {m.partnership_id: m.services for m in memberships}
    counts: dict[str, int] = {}
    for covered in services.values():
        for service in covered:
            counts[service] = counts.get(service, 0) + 1
    existing = [c.code for c in s.councils if c.exists_in(2012)]
    active = sum(1 for code in existing if code in sharers)
    return {
        "total": len(services),
        "councils": len(existing),
        "activeSharers": active,
        "singletons": len(existing) - active,
        "byService": [
            {"key": k, "count": n}
            for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


def _d_council(s: Snapshot) -> dict[str, Any]:
    code, council = "E07000084", s.councils_by_code["E07000084"]
    legal = list(s.memberships(2024, "legal"))
    mine = sorted({m.partnership_id for m in legal if m.code == code})
    partners = sorted({m.code for m in legal if m.partnership_id in mine} - {code})
    return {
        "name": council.name,
        "partners": _names(s, partners),
        "partnerships": [
            {
                "name": s.partnerships[pid].name,
                "members": [
                    {"role": m.role.upper(), "council": {"name": s.councils_by_code[m.code].name}}
                    for m in legal
                    if m.partnership_id == pid
                ],
            }
            for pid in mine
        ],
    }


def _d_listed(s: Snapshot, code: str, member: Callable[[str, str], dict[str, Any]]) -> list[Any]:
    return [
        {
            "name": s.partnerships[pid].name,
            "members": [member(m.code, m.role) for m in s.partnerships[pid].members],
        }
        for pid in s.listed.get(code, ())
    ]


def _d_councils(s: Snapshot) -> dict[str, Any]:
    chosen = [c for c in s.councils if c.exists_in(2012)][:50]

    def member(code: str, role: str) -> dict[str, Any]:
        return {"role": role.upper(), "council": {"name": s.councils_by_code[code].name}}

    return {
        "nodes": [{"name": c.name, "partnerships": _d_listed(s, c.code, member)} for c in chosen]
    }


def _d_page(s: Snapshot) -> dict[str, Any]:
    nodes = []
    for c in s.councils[:100]:
        partnerships = [
            {"id": pid, **p}
            for pid, p in zip(
                s.listed.get(c.code, ()),
                _d_listed(s, c.code, lambda code, role: {"council": {"code": code}}),
                strict=True,
            )
        ]
        nodes.append({"code": c.code, "name": c.name, "partnerships": partnerships})
    return {"nodes": nodes}


def _d_path(s: Snapshot) -> list[Any] | None:
    chain = shortest_chain(s.memberships(2015), "E07000084", "E09000024")
    return None if chain is None else [{"name": s.councils_by_code[c].name} for c in chain]


SNAPSHOT: dict[str, Callable[[Snapshot], Any]] = {
    "singletonsBorderingSharers": _d_singletons,
    "stats": _d_stats,
    "council": _d_council,
    "councils": _d_councils,
    "page": _d_page,
    "path": _d_path,
}


def snapshot_answer(snapshots: Snapshots, name: str) -> dict[str, Any]:
    """D's answer to the bench query ``name``, as GraphQL's JSON."""
    return {"data": {_field(name): SNAPSHOT[_kind(name)](snapshots.current())}}


def _kind(name: str) -> str:
    """The answer's key in BARE and SNAPSHOT: the query's name up to "(" or ":"."""
    return name.split("(")[0].split(":")[0]


def _field(name: str) -> str:
    """The top-level field of the query ``name`` in GraphQL's answer."""
    return "councils" if _kind(name) == "page" else _kind(name)


def create_app(settings: Settings | None = None) -> Starlette:
    """E at ``/bare/{n}`` and D at ``/snapshot/{n}``, ``n`` the index of a query in QUERIES."""
    db = connect(settings or Settings.from_env())
    snapshots = Snapshots(db)
    names = list(QUERIES)
    answers: Mapping[str, Callable[[str], dict[str, Any]]] = {
        "bare": lambda name: bare_answer(db, name),
        "snapshot": lambda name: snapshot_answer(snapshots, name),
    }

    async def answer(request: Request) -> Response:
        which = answers[request.path_params["kind"]]
        name = names[int(request.path_params["n"])]
        return JSONResponse(await run_in_threadpool(which, name))

    return Starlette(routes=[Route("/{kind:str}/{n:int}", answer)])
