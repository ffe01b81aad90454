"""The cells of a partnership row that name other things: its member councils (by name or GSS
code, :func:`validate_members`), their own years (:func:`validate_member_years`) and its
sources (:func:`validate_sources`), with errors that give the closest real council."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graph.rules import parse_member_years
from loaders.fields import PartnershipContext, RowErrors, split_list
from loaders.matching import CouncilRef, Match

__all__ = [
    "SourceRef",
    "match_names",
    "report_match",
    "validate_member_years",
    "validate_members",
    "validate_sources",
]


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source URL, the date given for it (text as given: "2013-10-01", "c.2018") and a remark."""

    url: str
    date: str | None
    note: str | None = None


def _closest(council_matches: Sequence[CouncilRef]) -> str:
    return "closest real councils: " + "; ".join(c.label() for c in council_matches)


def match_names(text: str, ctx: PartnershipContext, year: int | None) -> list[tuple[str, Match]]:
    """Split a councils cell into names and match each.

    With no ";" or new line, commas separate names, but some names contain a comma
    ("Bournemouth, Christchurch and Poole"): the longest run of pieces that matches a
    council wins.
    """
    parts = split_list(text)
    if len(parts) == 1 and "," in parts[0]:
        pieces = [p.strip() for p in parts[0].split(",") if p.strip()]
        whole = ctx.councils.match(parts[0], year)
        if whole.council is None:
            results: list[tuple[str, Match]] = []
            i = 0
            while i < len(pieces):
                for j in range(len(pieces), i, -1):
                    candidate = ", ".join(pieces[i:j])
                    found = ctx.councils.match(candidate, year)
                    if found.council is not None or j == i + 1:
                        results.append((candidate, found))
                        i = j
                        break
            return results
    return [(part, ctx.councils.match(part, year)) for part in parts]


def report_match(errors: RowErrors, field_name: str, text: str, match: Match) -> None:
    if match.problem == "ambiguous":
        errors.add(
            field_name,
            text,
            "ambiguous council name",
            "it could be: "
            + "; ".join(c.label() for c in match.candidates)
            + " (give the GSS code or a start_year)",
        )
    else:
        errors.add(
            field_name,
            text,
            "unknown council",
            _closest(match.suggestions) if match.suggestions else "no similar council found",
        )


def validate_members(
    errors: RowErrors, raw: Mapping[str, str], ctx: PartnershipContext, era: int | None
) -> dict[str, str]:
    """Members as code -> name, in file order; codes win over names when both are given."""
    names_text = (raw.get("councils") or "").strip()
    codes_text = (raw.get("council_gss_codes") or "").strip()
    members: dict[str, str] = {}
    matched_names = match_names(names_text, ctx, era) if names_text else []
    if codes_text:
        codes = split_list(codes_text)
        if matched_names and len(codes) != len(matched_names):
            errors.add(
                "council_gss_codes",
                codes_text,
                f"{len(codes)} codes for {len(matched_names)} council names",
                "expected one GSS code per council, in the same order",
            )
        for index, code in enumerate(codes):
            found = ctx.councils.match(code, era)
            if found.council is None:
                report_match(errors, "council_gss_codes", code, found)
                continue
            if index < len(matched_names):
                label, by_name = matched_names[index]
                if by_name.council is not None and by_name.council.code != found.council.code:
                    errors.add(
                        "councils",
                        label,
                        f"the name and the GSS code {code} are different councils",
                        f"{code} is {found.council.label()}; the name matches "
                        f"{by_name.council.label()}",
                    )
            members.setdefault(found.council.code, found.council.name)
    else:
        for label, found in matched_names:
            if found.council is None:
                report_match(errors, "councils", label, found)
            else:
                members.setdefault(found.council.code, found.council.name)
    listed = len(split_list(codes_text)) if codes_text else len(matched_names)
    unresolved = any(e.field in {"councils", "council_gss_codes"} for e in errors.items)
    # A name listed twice, or a former and a current code of one council, count once.
    if listed < 2 or (not unresolved and len(members) < 2):
        errors.add(
            "councils",
            names_text or codes_text,
            f"a partnership needs two or more different councils; this row has {len(members)}",
            "list every member council, separated by ';'",
        )
    return members


def validate_member_years(
    errors: RowErrors,
    text: str,
    members: Mapping[str, str],
    ctx: PartnershipContext,
    era: int | None,
) -> dict[str, tuple[int | None, int | None]]:
    """Member code -> (from, to) for members whose years differ from the partnership's."""
    if not text:
        return {}
    try:
        entries = parse_member_years(text)
    except ValueError as error:
        errors.add("member_years", text, str(error), "e.g. E07000004:2015-;E09000018:2013-2019")
        return {}
    years: dict[str, tuple[int | None, int | None]] = {}
    for entry in entries:
        found = ctx.councils.match(entry.code, era)
        code = found.council.code if found.council is not None else entry.code
        if code not in members:
            errors.add(
                "member_years",
                entry.code,
                "years given for a council that is not a member of this partnership",
                "expected the GSS code of one of: " + "; ".join(members.values()),
            )
            continue
        for value in (entry.from_year, entry.to_year):
            if value is not None and not 1900 <= value <= ctx.max_year:
                errors.add(
                    "member_years",
                    entry.code,
                    f"year {value} out of range",
                    f"expected a year from 1900 to {ctx.max_year}",
                )
        years[code] = (entry.from_year, entry.to_year)
    return years


#: A source: its URL, then optionally a remark in brackets.
_SOURCE = re.compile(r"(https?://\S+)(?:\s+\((.*)\))?")


def validate_sources(errors: RowErrors, urls_text: str, dates_text: str) -> tuple[SourceRef, ...]:
    urls = split_list(urls_text)
    dates = split_list(dates_text)
    if len(dates) > len(urls):
        errors.add(
            "source_dates",
            dates_text,
            f"{len(dates)} dates for {len(urls)} source URLs",
            "expected at most one date per URL, in the same order",
        )
    sources: list[SourceRef] = []
    for index, item in enumerate(urls):
        # A URL may be followed by a remark in brackets, kept as the source's note.
        found = _SOURCE.fullmatch(item)
        if not found:
            errors.add(
                "source_urls",
                item,
                "not a web address",
                "expected http:// or https:// URLs, each optionally followed by (a remark)",
            )
            continue
        date_text = dates[index] if index < len(dates) else None
        sources.append(SourceRef(found.group(1), date_text, found.group(2)))
    return tuple(dict.fromkeys(sources))
