"""The words partnership files use: fields and their heading synonyms, statuses, and service
labels matched by their words against the taxonomy (``graph.taxonomy``).

Headings and values are matched case- and punctuation-insensitively; docs/loading.md has the
table of synonyms (a test keeps it complete).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from graph import rules, taxonomy

STATUSES = rules.STATUSES
#: The bundled partnership file's columns, in order (data/partnerships/partnerships_cited.csv):
#: what exports write, so that an exported file loads back.
BUNDLED_COLUMNS = (
    "id",
    "name",
    "councils",
    "council_gss_codes",
    "service_areas",
    "status",
    "start_year",
    "end_year",
    "lead_council",
    "annual_savings_gbp",
    "savings_note",
    "source_urls",
    "source_dates",
    "notes",
    "member_years",
)
#: Canonical fields a partnership row can carry: the bundled columns, and cumulative savings
#: (LGA sheets; kept in the savings note).
FIELDS = (
    *BUNDLED_COLUMNS[: BUNDLED_COLUMNS.index("savings_note")],
    "savings_to_date_gbp",
    *BUNDLED_COLUMNS[BUNDLED_COLUMNS.index("savings_note") :],
)
#: Columns recognised but deliberately not loaded, with the reason given to the user.
IGNORED_FIELDS = {
    "region": "not loaded: a council's region comes from the council data",
    "contact": "not loaded: contact details are personal data",
}


def header_key(text: str) -> str:
    """Case and punctuation never matter: "Councils involved" == "councils_involved"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


HEADING_VARIANTS: dict[str, tuple[str, ...]] = {
    "id": ("id", "partnership id", "ref", "reference", "ref no"),
    "name": (
        "name",
        "partnership",
        "partnership name",
        "partnership title",
        "partnership description",
        "title",
        "arrangement",
        "arrangement name",
        "shared service",
        "shared service name",
        "scheme",
        "scheme name",
    ),
    "councils": (
        "councils",
        "councils involved",
        "council names",
        "authorities",
        "authorities involved",
        "local authorities",
        "partners",
        "partner councils",
        "members",
        "member councils",
        "member authorities",
        "participating councils",
        "participating authorities",
        "councils in partnership",
        "authorities in partnership",
    ),
    "council_gss_codes": ("council gss codes", "gss codes", "council codes", "codes"),
    "service_areas": (
        "service areas",
        "service area",
        "service",
        "services",
        "category",
        "categories",
        "service category",
        "service categories",
        "service type",
        "type of service",
        "service layer",
        "service layers",
        "function",
        "functions",
    ),
    "status": ("status", "stage", "current status", "state", "progress"),
    "start_year": (
        "start year",
        "start",
        "year started",
        "started",
        "since",
        "start date",
        "date started",
        "year established",
        "established",
        "go live",
        "go live date",
        "date of go live",
    ),
    "end_year": ("end year", "end", "year ended", "ended", "end date", "date ended", "ceased"),
    "lead_council": ("lead council", "lead authority", "lead", "host authority", "host council"),
    "annual_savings_gbp": (
        "annual savings gbp",
        "annual savings",
        "savings",
        "projected savings",
        "projected annual savings",
        "savings per year",
    ),
    "savings_to_date_gbp": ("savings to date", "savings achieved", "savings to date gbp"),
    "savings_note": ("savings note", "savings notes", "savings comment", "savings basis"),
    "source_urls": ("source urls", "sources", "source", "url", "urls", "links", "link"),
    "source_dates": ("source dates", "source date", "date of source"),
    "notes": ("notes", "description", "details", "comments", "summary"),
    "member_years": ("member years", "membership years", "members years", "years of members"),
    "region": ("region", "regions"),
    "contact": (
        "contact",
        "contacts",
        "contact name",
        "contact email",
        "contact details",
        "email",
    ),
}
#: Heading key (see ``header_key``) -> canonical field.
HEADER_ALIASES: Mapping[str, str] = {
    header_key(variant): name for name, variants in HEADING_VARIANTS.items() for variant in variants
}

STATUS_SYNONYMS = {
    "operational": "operational",
    "live": "operational",
    "active": "operational",
    "in operation": "operational",
    "in place": "operational",
    "operating": "operational",
    "running": "operational",
    "established": "operational",
    "implemented": "operational",
    "live and operating": "operational",
    "in development": "in_development",
    "developing": "in_development",
    "under development": "in_development",
    "planned": "in_development",
    "proposed": "in_development",
    "being developed": "in_development",
    "in progress": "in_development",
    "under discussion": "in_development",
    "under consideration": "in_development",
    "exploring": "in_development",
    "scoping": "in_development",
    "ended": "ended",
    "ceased": "ended",
    "closed": "ended",
    "discontinued": "ended",
    "dissolved": "ended",
    "no longer operating": "ended",
    "abandoned": "abandoned",
    "cancelled": "abandoned",
    "withdrawn": "abandoned",
    "not progressed": "abandoned",
    "not pursued": "abandoned",
}


def phrase_key(text: str) -> str:
    """Lower-case words only, "&" as "and": "Revs & Bens" -> "revs and bens"."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def service_area_lookup(areas: Mapping[str, str]) -> dict[str, str]:
    """Phrase -> service area code: each area's code and label (``areas``: code -> label) and
    the words spreadsheets use for it (``graph.taxonomy``, data/taxonomy/service_synonyms.csv)."""
    lookup = {phrase_key(code): code for code in areas}
    lookup |= {phrase_key(label): code for code, label in areas.items()}
    lookup |= {
        phrase_key(word): layer.code
        for layer in taxonomy.layers()
        if layer.code in areas
        for word in layer.synonyms
    }
    return lookup


#: Words that say nothing about which service a label means ("Shared legal services").
_FILLER = frozenset(
    {
        "a", "and", "for", "in", "of", "the", "service", "services", "shared", "joint", "team",
        "teams", "function", "functions", "partnership", "provision",
    }
)  # fmt: skip


def _words(phrase: str) -> frozenset[str]:
    # "counter-fraud" -> counter, fraud; plural "s" dropped so "Revenues" meets "revenue".
    return frozenset(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in phrase_key(phrase).split()
        if w not in _FILLER
    )


def match_service(text: str, lookup: Mapping[str, str]) -> tuple[str | None, tuple[str, ...]]:
    """The service layer a label means: ``(code, ())``, or ``(None, candidates)``.

    First the label as a whole against the taxonomy's codes, labels and synonyms
    (:func:`service_area_lookup`); then by its words: a layer is a candidate when the label's
    words are all among the words of one of its names, or the words of one of its names are
    all in the label ("Audit & counter-fraud" -> finance_audit_fraud by its label "Finance,
    audit and counter-fraud"; "Legal services team" -> legal). One candidate is the match;
    several are returned for the error to name (never a guess); none is an unknown label.
    """
    code = lookup.get(phrase_key(text))
    if code is not None:
        return code, ()
    words = _words(text)
    if not words:
        return None, ()
    candidates = {
        layer
        for phrase, layer in lookup.items()
        if (names := _words(phrase)) and (words <= names or names <= words)
    }
    if len(candidates) == 1:
        return candidates.pop(), ()
    return None, tuple(sorted(candidates))
