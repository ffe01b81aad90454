"""Every Cypher statement the loaders run: parameters only, writes as ``UNWIND $rows``.

Relationship types cannot be parameters in Cypher, so each type has its own statements
rather than one statement with the type formatted in.
"""

from __future__ import annotations

from typing import LiteralString

# --- Reads: the current state, to tell created / updated / unchanged apart -----------------

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

# The partnerships of $ids with their links (as READ_PARTNERSHIPS) and their accepted edits
# (as graph.audit.ACCEPTED_EDITS): what a load compares partnerships with.
_ACCEPTED_AND_STORED: LiteralString = """
CALL () {
  UNWIND $ids AS id
  MATCH (s:Submission {partnershipId: id, status: 'accepted'})
  WITH id, s ORDER BY s.reviewedAt DESC
  WITH id, collect(s)[0] AS last
  RETURN collect({id: id, submissionId: last.id, reviewedAt: last.reviewedAt}) AS accepted
}
CALL () {
  UNWIND $ids AS id
  MATCH (p:Partnership {id: id})
  RETURN collect({
    id: p.id,
    props: properties(p),
    members: COLLECT { MATCH (c:Council)-[m:MEMBER_OF]->(p)
                       RETURN [c.code, m.role, m.fromYear, m.toYear] },
    areas: COLLECT { MATCH (p)-[:COVERS]->(s:ServiceArea) RETURN s.code },
    sources: COLLECT { MATCH (p)-[r:SOURCED_FROM]->(s:Source) RETURN [s.url, r.date, r.note] }
  }) AS partnerships
}
"""

#: A staged load's one read per file (loaders/staged.py).
READ_PARTNERSHIP_STATE: LiteralString = _ACCEPTED_AND_STORED + "RETURN accepted, partnerships\n"

# Everything the bundled load compares with, in one read (issue 14: one round trip for seven):
# whole labels of the reference data, the partnerships of $ids with their links (as
# READ_PARTNERSHIPS) and accepted edits (as graph.audit.ACCEPTED_EDITS), and the data version.
READ_LOAD_STATE: LiteralString = (
    """
CALL () { MATCH (s:ServiceArea) RETURN collect({code: s.code, props: properties(s)}) AS areas }
CALL () { MATCH (c:Council) RETURN collect({code: c.code, props: properties(c)}) AS councils }
CALL () {
  MATCH (a:Council)-[r:WITHIN|SUCCEEDED_BY|BORDERS]->(b:Council)
  RETURN collect([type(r), a.code, b.code]) AS links
}
CALL () {
  MATCH (e:LgaEdition) RETURN collect({edition: e.edition, props: properties(e)}) AS editions
}
CALL () {
  MATCH (p:Proposal)
  RETURN collect({name: p.name, origin: p.origin, fingerprint: p.fingerprint}) AS proposals
}
"""
    + _ACCEPTED_AND_STORED
    + """
OPTIONAL MATCH (v:DataVersion {key: 'data'})
RETURN areas, councils, links, editions, proposals, accepted, partnerships, v.version AS version
"""
)

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

# The reference data and councils of the bundled load in one statement (issue 14): each kind
# in its own subquery, in order: nodes first, then links (deleted before merged). ``SET c =
# row.props`` replaces every property, so a property dropped from the source disappears from
# the graph too; the centroid is a point, built here from two numbers. A relationship type
# cannot be a parameter and nothing is formatted into a statement (STYLE.md 1), so each type
# has its own subqueries. BORDERS is stored once per pair, a.code < b.code
# (docs/graph-model.md); readers match it undirected.
WRITE_REFERENCE: LiteralString = """
CALL () {
  UNWIND $areas AS row
  MERGE (s:ServiceArea {code: row.code})
  SET s = row
}
CALL () {
  UNWIND $councils AS row
  MERGE (c:Council {code: row.props.code})
  SET c = row.props,
      c.centroid = point({longitude: row.longitude, latitude: row.latitude})
}
CALL () {
  UNWIND $withinGone AS pair
  MATCH (:Council {code: pair[0]})-[r:WITHIN]->(:Council {code: pair[1]})
  DELETE r
}
CALL () {
  UNWIND $succeededByGone AS pair
  MATCH (:Council {code: pair[0]})-[r:SUCCEEDED_BY]->(:Council {code: pair[1]})
  DELETE r
}
CALL () {
  UNWIND $bordersGone AS pair
  MATCH (:Council {code: pair[0]})-[r:BORDERS]->(:Council {code: pair[1]})
  DELETE r
}
CALL () {
  UNWIND $within AS pair
  MATCH (a:Council {code: pair[0]}), (b:Council {code: pair[1]})
  MERGE (a)-[:WITHIN]->(b)
}
CALL () {
  UNWIND $succeededBy AS pair
  MATCH (a:Council {code: pair[0]}), (b:Council {code: pair[1]})
  MERGE (a)-[:SUCCEEDED_BY]->(b)
}
CALL () {
  UNWIND $borders AS pair
  MATCH (a:Council {code: pair[0]}), (b:Council {code: pair[1]})
  MERGE (a)-[:BORDERS]->(b)
}
CALL () {
  UNWIND $editions AS row
  MERGE (e:LgaEdition {edition: row.edition})
  SET e = row
}
CALL () {
  UNWIND $editionsGone AS edition
  MATCH (e:LgaEdition {edition: edition})
  DELETE e
}
"""

# A partnership's links from its row (p and row bound): memberships with their own years,
# service areas, sources (merged on url). Shared by every statement that writes a partnership.
PARTNERSHIP_LINKS: LiteralString = """
CALL (p, row) {
  UNWIND row.members AS member
  MATCH (c:Council {code: member.code})
  CREATE (c)-[:MEMBER_OF {role: member.role, fromYear: member.fromYear, toYear: member.toYear}]->(p)
}
CALL (p, row) {
  UNWIND row.areas AS code
  MATCH (s:ServiceArea {code: code})
  CREATE (p)-[:COVERS]->(s)
}
CALL (p, row) {
  UNWIND row.sources AS source
  MERGE (s:Source {url: source.url})
  CREATE (p)-[:SOURCED_FROM {date: source.date, note: source.note}]->(s)
}
"""

# A changed partnership is written whole by one statement (issue 14: one round trip instead
# of five): its node, then its links, the old ones first removed (a new node has none). A
# changed partnership's links are replaced as a whole: simpler and as cheap as diffing them in
# Cypher, and the counts are computed in Python beforehand.
WRITE_PARTNERSHIPS: LiteralString = (
    """
UNWIND $rows AS row
MERGE (p:Partnership {id: row.id})
SET p = row.props
WITH p, row
CALL (p) {
  MATCH (p)-[out:COVERS|SOURCED_FROM]->()
  DELETE out
}
CALL (p) {
  MATCH (:Council)-[m:MEMBER_OF]->(p)
  DELETE m
}
"""
    + PARTNERSHIP_LINKS
)

# --- The staged load (loaders/staged.py) ----------------------------------------------------

# A changed partnership staged: a new node under a label no reader matches, with its links
# (readers always reach memberships, services and sources from a :Partnership).
STAGE_PARTNERSHIPS: LiteralString = (
    """
UNWIND $rows AS row
CREATE (p:StagedPartnership)
SET p = row.props
WITH p, row
"""
    + PARTNERSHIP_LINKS
)

STAGE_AUDIT_ENTRIES: LiteralString = """
UNWIND $rows AS row
CREATE (a:StagedAuditEntry)
SET a = row, a.at = datetime()
"""

# What a crashed or refused staged load left, removed in bounded transactions (one a call).
DELETE_STAGED: LiteralString = """
MATCH (n:StagedPartnership|StagedAuditEntry)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
"""

# Publishing, in one transaction: a staged partnership that replaces a stored one is copied
# onto it (its node kept, so anything else linked to it stays), its links replaced ...
PUBLISH_REPLACED: LiteralString = """
MATCH (s:StagedPartnership)
MATCH (p:Partnership {id: s.id})
CALL (p) {
  MATCH (p)-[out:COVERS|SOURCED_FROM]->()
  DELETE out
}
CALL (p) {
  MATCH (:Council)-[m:MEMBER_OF]->(p)
  DELETE m
}
SET p = properties(s)
WITH s, p
CALL (s, p) {
  MATCH (c:Council)-[m:MEMBER_OF]->(s)
  CREATE (c)-[n:MEMBER_OF]->(p)
  SET n = properties(m)
}
CALL (s, p) {
  MATCH (s)-[:COVERS]->(a:ServiceArea)
  CREATE (p)-[:COVERS]->(a)
}
CALL (s, p) {
  MATCH (s)-[r:SOURCED_FROM]->(source:Source)
  CREATE (p)-[n:SOURCED_FROM]->(source)
  SET n = properties(r)
}
DETACH DELETE s
RETURN count(*) AS replaced
"""

# ... and every other staged node simply changes label.
PUBLISH_NEW: LiteralString = """
MATCH (s:StagedPartnership)
REMOVE s:StagedPartnership
SET s:Partnership
RETURN count(*) AS created
"""

PUBLISH_AUDIT_ENTRIES: LiteralString = """
MATCH (a:StagedAuditEntry)
REMOVE a:StagedAuditEntry
SET a:AuditEntry, a.at = datetime()
"""

# One staged load at a time: the StagedLoad node (unique key) names the run holding it. A run
# takes it when it is free, its own, or not renewed for $staleS seconds (its load crashed).
TAKE_STAGED_LOCK: LiteralString = """
MERGE (l:StagedLoad {key: 'staged'})
ON CREATE SET l.run = $run, l.heartbeat = datetime(), l.startedAt = datetime()
WITH l, l.run = $run OR l.heartbeat < datetime() - duration({seconds: $staleS}) AS taken
FOREACH (_ IN CASE WHEN taken AND l.run <> $run THEN [1] ELSE [] END |
  SET l.run = $run, l.startedAt = datetime())
FOREACH (_ IN CASE WHEN taken THEN [1] ELSE [] END | SET l.heartbeat = datetime())
RETURN taken, toString(l.startedAt) AS since
"""

# Renewed by its run before each file and at the publish (which then holds it to commit).
RENEW_STAGED_LOCK: LiteralString = """
MATCH (l:StagedLoad {key: 'staged'})
WHERE l.run = $run
SET l.heartbeat = datetime()
RETURN count(l) AS held
"""

RELEASE_STAGED_LOCK: LiteralString = """
MATCH (l:StagedLoad {key: 'staged'})
WHERE l.run = $run
DELETE l
"""

# At the publish, after the data version's lock is taken: a partnership edited (a submission
# accepted) since its file was compared with the graph is left as the edit made it, as every
# load leaves edited partnerships; its staged node and audit entry are dropped.
DROP_EDITED_SINCE_STAGED: LiteralString = """
MATCH (s:StagedPartnership)
WHERE EXISTS { MATCH (:Submission {partnershipId: s.id, status: 'accepted'}) }
WITH collect(s) AS edited, collect(s.id) AS ids
CALL (ids) {
  UNWIND CASE WHEN ids = [] THEN [] ELSE [true] END AS _  // usually none: then no scan
  MATCH (a:StagedAuditEntry)
  WHERE a.partnershipId IN ids
  DETACH DELETE a
}
FOREACH (s IN edited | DETACH DELETE s)
RETURN ids
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
