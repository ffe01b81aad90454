"""Contributions: submissions of new or changed partnerships, their review, and contacts.

A contributor's submission is validated by exactly the code that validates a row of a
partnership file (``loaders.validate_partnership``), so both follow the same rules and give
the same errors. An accepted submission is applied by the loaders' own writer
(``loaders.writer.write_partnerships``) in one write transaction that also claims the
submission, writes its audit entry and bumps the data version: it is applied exactly once,
however many editors accept it at the same moment.

Contacts (officers' and members' names, emails and phones) are personal data: they are kept
in ``Contact`` nodes, apart from the partnership's public values and from the audit trail, and
are deleted on request (:func:`delete_contacts`).
"""

from contributions.model import (
    INPUT_FIELDS,
    MAX_ITEMS,
    MAX_TEXT,
    Contact,
    ContributionError,
    Decision,
    NotPermitted,
    ReviewConflict,
    Submission,
    SubmissionInput,
    SubmissionInvalid,
)
from contributions.review import (
    Erasure,
    RateLimiter,
    ReviewOutcome,
    contacts_for,
    delete_contacts,
    review_submission,
)
from contributions.submissions import (
    Preview,
    check_bounds,
    list_submissions,
    submission_by_id,
    submission_diffs,
    submissions_by,
    submit_partnership,
)

__all__ = [
    "INPUT_FIELDS",
    "MAX_ITEMS",
    "MAX_TEXT",
    "Contact",
    "ContributionError",
    "Decision",
    "Erasure",
    "NotPermitted",
    "Preview",
    "RateLimiter",
    "ReviewConflict",
    "ReviewOutcome",
    "Submission",
    "SubmissionInput",
    "SubmissionInvalid",
    "check_bounds",
    "contacts_for",
    "delete_contacts",
    "list_submissions",
    "review_submission",
    "submission_by_id",
    "submission_diffs",
    "submissions_by",
    "submit_partnership",
]
