"""Every Cypher statement the loaders run: parameters only, writes as ``UNWIND $rows``.

Relationship types cannot be parameters in Cypher, so each type has its own statements
rather than one statement with the type formatted in.
"""

from __future__ import annotations

from typing import LiteralString

# --- Reads: the current state, to tell created / updated / unchanged apart -----------------

READ_COUNCILS: LiteralString = """
MATCH (c:Council)
RETURN c.code AS code, properties(c) AS props
"""

READ_COUNCIL_LINKS: LiteralString = """
MATCH (a:Council)-[r:WITHIN|SUCCEEDED_BY|BORDERS]->(b:Council)
RETURN type(r) AS type, a.code AS a, b.code AS b
"""

READ_SERVICE_AREAS: LiteralString = """
MATCH (s:ServiceArea)
RETURN s.code AS code, properties(s) AS props
"""

READ_PARTNERSHIPS: LiteralString = """
UNWIND $ids AS id
MATCH (p:Partnership {id: id})
RETURN p.id AS id,
       properties(p) AS props,
       COLLECT { MATCH (c:Council)-[m:MEMBER_OF]->(p)
                 RETURN [c.code, m.role, m.fromYear, m.toYear] } AS members,
       COLLECT { MATCH (p)-[:COVERS]->(s:ServiceArea) RETURN s.code } AS areas,
       COLLECT { MATCH (p)-[r:SOURCED_FROM]->(s:Source) RETURN [s.url, r.date, r.note] } AS sources
"""

READ_LGA_EDITIONS: LiteralString = """
MATCH (e:LgaEdition)
RETURN e.edition AS edition, properties(e) AS props
"""

#: What matching needs to know about every council (for loading a user's file).
READ_COUNCIL_REFS: LiteralString = """
MATCH (c:Council)
RETURN c.code AS code, c.name AS name, c.aliases AS aliases, c.aliasKeys AS aliasKeys,
       c.formerCodes AS formerCodes, c.validFrom AS validFrom, c.validTo AS validTo,
       COLLECT { MATCH (c)-[:SUCCEEDED_BY]->(n:Council) RETURN n.code } AS replacedBy
"""

READ_SERVICE_AREA_LABELS: LiteralString = """
MATCH (s:ServiceArea)
RETURN s.code AS code, s.label AS label
ORDER BY code
"""

# --- Writes ---------------------------------------------------------------------------------

MERGE_SERVICE_AREAS: LiteralString = """
UNWIND $rows AS row
MERGE (s:ServiceArea {code: row.code})
SET s = row
"""

# ``SET c = row.props`` replaces every property, so a property dropped from the source
# disappears from the graph too; the centroid is a point, built here from two numbers.
MERGE_COUNCILS: LiteralString = """
UNWIND $rows AS row
MERGE (c:Council {code: row.props.code})
SET c = row.props,
    c.centroid = point({longitude: row.longitude, latitude: row.latitude})
"""

# Deliberately alike (duplicates tool): a relationship type cannot be a parameter and nothing
# is formatted into a statement (STYLE.md 1), so each type has its own MERGE and DELETE.
MERGE_WITHIN: LiteralString = """
UNWIND $pairs AS pair
MATCH (a:Council {code: pair[0]}), (b:Council {code: pair[1]})
MERGE (a)-[:WITHIN]->(b)
"""

DELETE_WITHIN: LiteralString = """
UNWIND $pairs AS pair
MATCH (:Council {code: pair[0]})-[r:WITHIN]->(:Council {code: pair[1]})
DELETE r
"""

MERGE_SUCCEEDED_BY: LiteralString = """
UNWIND $pairs AS pair
MATCH (a:Council {code: pair[0]}), (b:Council {code: pair[1]})
MERGE (a)-[:SUCCEEDED_BY]->(b)
"""

DELETE_SUCCEEDED_BY: LiteralString = """
UNWIND $pairs AS pair
MATCH (:Council {code: pair[0]})-[r:SUCCEEDED_BY]->(:Council {code: pair[1]})
DELETE r
"""

# Stored once per pair, a.code < b.code (docs/graph-model.md); readers match it undirected.
MERGE_BORDERS: LiteralString = """
UNWIND $pairs AS pair
MATCH (a:Council {code: pair[0]}), (b:Council {code: pair[1]})
MERGE (a)-[:BORDERS]->(b)
"""

DELETE_BORDERS: LiteralString = """
UNWIND $pairs AS pair
MATCH (:Council {code: pair[0]})-[r:BORDERS]->(:Council {code: pair[1]})
DELETE r
"""

MERGE_LGA_EDITIONS: LiteralString = """
UNWIND $rows AS row
MERGE (e:LgaEdition {edition: row.edition})
SET e = row
"""

DELETE_LGA_EDITIONS: LiteralString = """
UNWIND $editions AS edition
MATCH (e:LgaEdition {edition: edition})
DELETE e
"""

MERGE_PARTNERSHIPS: LiteralString = """
UNWIND $rows AS row
MERGE (p:Partnership {id: row.id})
SET p = row.props
"""

# A changed partnership's links are replaced as a whole: simpler and as cheap as diffing them
# in Cypher, and the counts are computed in Python beforehand.
DELETE_PARTNERSHIP_LINKS: LiteralString = """
UNWIND $ids AS id
MATCH (p:Partnership {id: id})
OPTIONAL MATCH (p)-[out:COVERS|SOURCED_FROM]->()
OPTIONAL MATCH (:Council)-[m:MEMBER_OF]->(p)
DELETE out, m
"""

CREATE_MEMBERSHIPS: LiteralString = """
UNWIND $rows AS row
MATCH (c:Council {code: row.code}), (p:Partnership {id: row.id})
CREATE (c)-[:MEMBER_OF {role: row.role, fromYear: row.fromYear, toYear: row.toYear}]->(p)
"""

CREATE_COVERS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Partnership {id: row.id}), (s:ServiceArea {code: row.code})
CREATE (p)-[:COVERS]->(s)
"""

CREATE_SOURCED_FROM: LiteralString = """
UNWIND $rows AS row
MATCH (p:Partnership {id: row.id})
MERGE (s:Source {url: row.url})
CREATE (p)-[:SOURCED_FROM {date: row.date, note: row.note}]->(s)
"""

DELETE_ORPHAN_SOURCES: LiteralString = """
MATCH (s:Source)
WHERE NOT EXISTS { (s)<-[:SOURCED_FROM]-() }
DELETE s
"""

# Provenance (docs/graph-model.md): one node per distinct file content loaded from a path.
RECORD_LOADED_FILES: LiteralString = """
UNWIND $rows AS row
MERGE (f:LoadedFile {path: row.path, sha256: row.sha256})
ON CREATE SET f.firstLoadedAt = datetime()
SET f.loadedAt = datetime(),
    f.kind = row.kind,
    f.rows = row.rows,
    f.created = row.created,
    f.updated = row.updated,
    f.unchanged = row.unchanged,
    f.errors = row.errors
"""
