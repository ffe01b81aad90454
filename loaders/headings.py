"""Mapping a partnership file's headings to fields, by meaning (the synonyms of
:mod:`loaders.vocabulary`) and by the user's ``--column FIELD=HEADER`` choices, with errors
that list the headings found and the best candidate for a missing column."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

from loaders.errors import DataError
from loaders.vocabulary import (
    FIELDS,
    HEADER_ALIASES,
    HEADING_VARIANTS,
    IGNORED_FIELDS,
    STATUSES,
    header_key,
    phrase_key,
)

__all__ = ["best_heading", "map_headers"]


#: Required fields: (alternatives that satisfy it, what to say, what to add).
_REQUIRED = (
    (("name", "id"), "no column for the partnership name", "a 'name' (or 'Partnership') column"),
    (
        ("councils", "council_gss_codes"),
        "no column for the member councils",
        "a 'councils' (or 'Councils involved') column",
    ),
    (("status",), "no column for the status", "a 'status' column: " + ", ".join(STATUSES)),
)


def best_heading(field_name: str, headings: Sequence[str]) -> tuple[str, float] | None:
    """The heading most like one of ``field_name``'s synonyms, with its similarity (0-1); a
    heading sharing a whole word with a synonym scores at least 0.6. None without headings."""
    variants = [header_key(v) for v in HEADING_VARIANTS.get(field_name, (field_name,))]
    variant_words = {
        w for v in HEADING_VARIANTS.get(field_name, (field_name,)) for w in phrase_key(v).split()
    }
    best: tuple[str, float] | None = None
    for heading in headings:
        key = header_key(heading)
        if not key:
            continue
        score = max(difflib.SequenceMatcher(None, key, v).ratio() for v in variants)
        if set(phrase_key(heading).split()) & variant_words:
            score = max(score, 0.6)
        if best is None or score > best[1]:
            best = (heading, score)
    return best


def map_headers(
    headers: Sequence[str],
    display_name: str,
    overrides: Mapping[str, str] | None = None,
) -> tuple[dict[int, str], list[DataError], list[str]]:
    """Map headings to fields, by meaning (:data:`HEADER_ALIASES`, case and punctuation
    insensitive) and by the user's ``overrides`` (field -> heading, ``--column FIELD=HEADER``),
    which win over the synonyms.

    Returns
    -------
    (column index -> field, errors, warnings). Errors: an override naming an unknown field or
    a heading the file does not have, a missing required column (listing the headings found
    and the best candidate for the field), two columns for one field. Warnings: unknown
    columns and recognised-but-ignored ones.
    """
    errors: list[DataError] = []
    found_list = ", ".join(repr(h) for h in headers if h)
    chosen = _chosen_columns(headers, display_name, overrides or {}, found_list, errors)
    mapping, seen, warnings = _columns_by_meaning(
        headers, display_name, overrides or {}, chosen, errors
    )
    unused = [h for i, h in enumerate(headers) if i not in mapping and h]
    for alternatives, problem, add in _REQUIRED:
        if set(alternatives) & set(seen):
            continue
        field_name = alternatives[0]
        candidate = best_heading(field_name, unused)
        hint = (
            f"; the best candidate is {candidate[0]!r}: use --column {field_name}={candidate[0]!r}"
            if candidate is not None and candidate[1] >= 0.4
            else ""
        )
        errors.append(
            DataError(
                display_name,
                1,
                None,
                field_name,
                "",
                problem,
                f"headings found: {found_list}{hint}; or add {add}",
            )
        )
    return mapping, errors, warnings


def _chosen_columns(
    headers: Sequence[str],
    display_name: str,
    overrides: Mapping[str, str],
    found_list: str,
    errors: list[DataError],
) -> dict[int, str]:
    """Column index -> field for the user's ``--column FIELD=HEADER`` choices."""
    chosen: dict[int, str] = {}
    for field_name, heading in overrides.items():
        if field_name not in FIELDS:
            errors.append(
                DataError(
                    display_name, None, None, None, f"{field_name}={heading}",
                    f"--column names an unknown field {field_name!r}",
                    "fields: " + ", ".join(FIELDS),
                )
            )  # fmt: skip
            continue
        matches = [i for i, h in enumerate(headers) if header_key(h) == header_key(heading)]
        if not matches:
            errors.append(
                DataError(
                    display_name, 1, None, field_name, heading,
                    f"--column {field_name}={heading}: the file has no column {heading!r}",
                    f"headings found: {found_list}",
                )
            )  # fmt: skip
            continue
        chosen[matches[0]] = field_name
    return chosen


def _columns_by_meaning(
    headers: Sequence[str],
    display_name: str,
    overrides: Mapping[str, str],
    chosen: Mapping[int, str],
    errors: list[DataError],
) -> tuple[dict[int, str], dict[str, str], list[str]]:
    """(column index -> field, field -> heading, warnings) for every column: the user's choice,
    else the heading's meaning; unknown, ignored and doubled columns are said."""
    mapping: dict[int, str] = {}
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for index, heading in enumerate(headers):
        if index in chosen:
            name: str | None = chosen[index]
        else:
            key = header_key(heading.replace("£", ""))
            name = HEADER_ALIASES.get(key) or HEADER_ALIASES.get(key.removesuffix("gbp"))
            if name is not None and name in overrides:
                warnings.append(
                    f"{display_name}: column {heading!r} not used: --column {name}="
                    f"{overrides[name]!r} chose another column"
                )
                continue
        if name is None:
            close = difflib.get_close_matches(key, list(HEADER_ALIASES), n=1, cutoff=0.75)
            hint = f" (did you mean {HEADER_ALIASES[close[0]]!r}?)" if close else ""
            warnings.append(f"{display_name}: unknown column {heading!r} ignored{hint}")
            continue
        if name in IGNORED_FIELDS:
            warnings.append(f"{display_name}: column {heading!r} {IGNORED_FIELDS[name]}")
            continue
        if name in seen:
            errors.append(
                DataError(
                    display_name,
                    1,
                    heading,
                    name,
                    heading,
                    f"two columns for {name}: {seen[name]!r} and {heading!r}",
                    f"keep one of them, or choose one with --column {name}=HEADING",
                )
            )
            continue
        seen[name] = heading
        mapping[index] = name
    return mapping, seen, warnings
