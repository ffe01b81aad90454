"""Every Cypher statement of the contributions: parameters only."""

from __future__ import annotations

from typing import LiteralString

PARTNERSHIP_NAME: LiteralString = "MATCH (p:Partnership {id: $id}) RETURN p.name AS name"

CREATE_SUBMISSION: LiteralString = """
CREATE (s:Submission)
SET s = $props, s.submittedAt = datetime()
RETURN properties(s) AS submission
"""

SUBMISSIONS: LiteralString = """
MATCH (s:Submission)
WHERE $status IS NULL OR s.status = $status
RETURN properties(s) AS submission
ORDER BY s.submittedAt, s.id
LIMIT $limit
"""

SUBMISSIONS_BY: LiteralString = """
MATCH (s:Submission {submittedBy: $email})
RETURN properties(s) AS submission
ORDER BY s.submittedAt DESC, s.id
LIMIT $limit
"""

SUBMISSION_BY_ID: LiteralString = """
MATCH (s:Submission {id: $id})
RETURN properties(s) AS submission
"""

# Taking the node's write lock first makes concurrent reviews of one submission queue up;
# the claim below then reads the status the previous reviewer committed (read committed).
LOCK_SUBMISSION: LiteralString = """
MATCH (s:Submission {id: $id})
SET s.lastReviewAttemptAt = datetime()
RETURN s.id AS id, s.submittedBy AS submittedBy
"""

CLAIM_SUBMISSION: LiteralString = """
MATCH (s:Submission {id: $id})
WHERE s.status = 'pending'
SET s.status = $status, s.reviewedBy = $email, s.reviewerRole = $role,
    s.reviewerCouncil = $council, s.reviewedAt = datetime(), s.comment = $comment
RETURN properties(s) AS submission
"""

MERGE_CONTACTS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Partnership {id: row.partnershipId})
MERGE (c:Contact {key: row.key})
SET c += row.props
MERGE (c)-[:CONTACT_FOR]->(p)
"""

CONTACTS_FOR: LiteralString = """
UNWIND $ids AS id
MATCH (c:Contact)-[:CONTACT_FOR]->(:Partnership {id: id})
RETURN id, properties(c) AS contact
ORDER BY c.name, c.key
"""

DELETE_CONTACTS_BY_EMAIL: LiteralString = """
MATCH (c:Contact {email: $email})
DETACH DELETE c
RETURN count(*) AS deleted
"""

# Contacts are kept in a submission as JSON text, where an address may be escaped
# ("\u00e9"), so no text match in Cypher finds exactly one address: every submission with
# contacts is read and compared in Python. Erasure is a rare command; the queue is small.
SUBMISSIONS_WITH_CONTACTS: LiteralString = """
MATCH (s:Submission) WHERE s.contacts IS NOT NULL AND s.contacts <> '[]'
RETURN s.id AS id, s.contacts AS contacts
"""

SET_SUBMISSION_CONTACTS: LiteralString = """
UNWIND $rows AS row
MATCH (s:Submission {id: row.id})
SET s.contacts = row.contacts
"""
