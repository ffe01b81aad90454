"""Forgiving council names: one normal form for every way people write a council's name.

``normalise`` turns "The Royal Borough of Kingston upon Thames", "Kingston-upon-Thames LB"
and "kingston upon thames" into the same key, so loaders and the API can look councils up
by whatever name a spreadsheet or a user typed. ``council_aliases`` produces the name forms
a council is commonly written in, which the loaders store (with their keys) on each Council.

The normal form is a lookup key, not a display name: never show it to a user.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["GSS_CODE", "council_aliases", "normalise"]

#: A GSS code as written, e.g. E07000084 (match with ``fullmatch`` on the upper-cased text).
GSS_CODE = re.compile(r"[EWSN]\d{8}")

# Longest first: "metropolitan borough council" must win over "borough council".
_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        (
            "city and district council",
            "city and district",
            "metropolitan borough council",
            "metropolitan district council",
            "royal borough council",
            "london borough council",
            "borough council",
            "district council",
            "county council",
            "city council",
            "unitary authority",
            "unitary council",
            "corporation",
            "council",
            "county borough",
            "metropolitan borough",
            "borough",
            "district",
            "county",
            "mbc",
            "mdc",
            "lbc",
            "rbc",
            "dc",
            "bc",
            "cc",
            "lb",
            "ua",
        ),
        key=len,
        reverse=True,
    )
)
_PREFIXES: tuple[str, ...] = tuple(
    sorted(
        (
            "the",
            "royal borough of",
            "london borough of",
            "metropolitan borough of",
            "borough of",
            "city and county of",
            "city of",
            "county of",
            "county",
            "district of",
            "council of the",
            "lb of",
            "lb",
            "rb",
        ),
        key=len,
        reverse=True,
    )
)
# Where the prefix or suffix *is* the name, stripping would leave something wrong or empty.
_KEEP_WHOLE = frozenset({"city of london"})
# Word-level spellings people use interchangeably.
_WORD_SYNONYMS = {"saint": "st", "&": "and", "+": "and"}
_NON_WORD = re.compile(r"[^a-z0-9&+ ]+")
_SPACES = re.compile(r"\s+")
# "B.C." and "D.C." must become "bc"/"dc", not "b c": join single letters separated by dots.
_DOTTED_LETTERS = re.compile(r"\b([A-Za-z])\.(?=[A-Za-z]\.)")
_DOTTED_LETTER = re.compile(r"\b([A-Za-z])\.")
# The affixes as tested against a key (issue 14: a load normalises thousands of names): a
# suffix with the space before it and its cut, a prefix with the space after it; and the
# whole tuples, so that a key with none of them is told by one endswith/startswith.
_SUFFIX_CUTS = tuple((f" {suffix}", len(suffix) + 1) for suffix in _SUFFIXES)
_ANY_SUFFIX = tuple(spaced for spaced, _ in _SUFFIX_CUTS)
_PREFIX_CUTS = tuple((f"{prefix} ", len(prefix) + 1) for prefix in _PREFIXES)
_ANY_PREFIX = tuple(spaced for spaced, _ in _PREFIX_CUTS)
_NOT_A_REST = frozenset({"the", "city of", "county of"})
_INVERTED = frozenset({"city of", "county of", "city and county of", "the"})


def _fold(text: str) -> str:
    """Lower case, accents off, apostrophes gone, other punctuation to spaces, words normalised."""
    if not text.isascii():  # NFKD leaves ASCII text as it is
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower()
    # "King's Lynn" and "Kings Lynn" are the same place: drop apostrophes rather than split.
    text = text.replace("'", "").replace("\u2019", "")
    text = text.replace("&", " & ").replace("+", " + ")
    text = _NON_WORD.sub(" ", text)
    words = [_WORD_SYNONYMS.get(word, word) for word in text.split()]
    return " ".join(words)


def normalise(name: str) -> str:
    """The lookup key of a council name.

    Case, accents, punctuation, "&"/"and", "Saint"/"St", council-type suffixes ("Borough
    Council", "DC", "LB" ...) and prefixes ("Royal Borough of", "City of" ...) are ignored;
    ONS's inverted forms ("Bristol, City of") are turned round first.

    >>> normalise("The Royal Borough of Kingston-upon-Thames")
    'kingston upon thames'
    >>> normalise("Basingstoke & Deane B.C.")
    'basingstoke and deane'
    >>> normalise("Bristol, City of")
    'bristol'
    >>> normalise("City of London Corporation")
    'city of london'
    """
    return _normalised(name)


@functools.lru_cache(maxsize=16_384)
def _normalised(name: str) -> str:
    # Memoised: a load asks for the same few thousand names over and over (every council's
    # names and aliases, every member of every partnership), and the rules are fixed.
    # ONS writes "Kingston upon Hull, City of" and "Herefordshire, County of".
    head, sep, tail = name.rpartition(",")
    if sep and _fold(tail) in _INVERTED:
        name = head
    if "." in name:
        name = _DOTTED_LETTER.sub(r"\1", _DOTTED_LETTERS.sub(r"\1", name))
    key = _fold(name)
    # Suffixes first, so that "City of London Corporation" loses "corporation" and is then
    # recognised as a whole name before "city of" could be stripped from it.
    changed = True
    while changed and key not in _KEEP_WHOLE:
        changed = False
        if key.endswith(_ANY_SUFFIX):
            for spaced, cut in _SUFFIX_CUTS:
                if key.endswith(spaced) and (rest := key[:-cut]) and rest not in _NOT_A_REST:
                    key = rest
                    changed = True
                    break
        if changed or key in _KEEP_WHOLE:
            continue
        if key.startswith(_ANY_PREFIX):
            for spaced, cut in _PREFIX_CUTS:
                if key.startswith(spaced) and len(key) > cut:
                    key = key[cut:]
                    changed = True
                    break
    return key


def _with_and_forms(names: Iterable[str]) -> set[str]:
    forms: set[str] = set()
    for name in names:
        forms.add(name)
        if " and " in name:
            forms.add(name.replace(" and ", " & "))
        if " & " in name:
            forms.add(name.replace(" & ", " and "))
    return forms


def council_aliases(
    nice_name: str, kind: str, *, official_name: str = "", others: Iterable[str] = ()
) -> list[str]:
    """Every common way of writing a council's name, sorted, without duplicates.

    Parameters
    ----------
    nice_name : the short name, e.g. "Basingstoke and Deane".
    kind : the Council ``kind`` (``district``, ``county``, ``unitary``, ``metropolitan_district``,
        ``london_borough``, ``city_of_london``); decides which forms are plausible.
    official_name : e.g. "Basingstoke and Deane Borough Council".
    others : further known variants (the sources' alt-names and name lookups).

    >>> council_aliases("Hart", "district")[:4]
    ['Hart', 'Hart BC', 'Hart Borough Council', 'Hart Council']
    """
    # mySociety's nice name for some new unitaries already ends in "Council" ("Dorset Council").
    base = nice_name.strip().removesuffix(" Council")
    forms = {base, f"{base} Council"}
    if official_name:
        forms.add(official_name.strip())
    if kind == "district":
        forms |= {f"{base} District Council", f"{base} DC", f"{base} Borough Council", f"{base} BC"}
    elif kind == "county":
        stem = base.removesuffix(" County")
        forms |= {stem, f"{stem} County", f"{stem} County Council", f"{stem} CC"}
    elif kind == "unitary":
        forms |= {
            f"{base} Borough Council",
            f"{base} BC",
            f"{base} Unitary Authority",
            f"{base} UA",
        }
    elif kind == "metropolitan_district":
        forms |= {
            f"{base} Metropolitan Borough Council",
            f"{base} MBC",
            f"{base} Metropolitan District Council",
        }
    elif kind == "london_borough":
        forms |= {
            f"London Borough of {base}",
            f"LB {base}",
            f"{base} LBC",
            f"{base} London Borough Council",
        }
        forms |= {f"Royal Borough of {base}", f"{base} Borough Council"}
    if "city" in official_name.lower().split():
        # Only cities get the city forms: "Hart City Council" would be a made-up name.
        forms |= {f"{base} City Council", f"City of {base}"}
    if kind == "city_of_london":
        forms |= {"City of London", "City of London Corporation", "Corporation of London"}
    forms |= {other.strip() for other in others if other.strip()}
    return sorted(_with_and_forms(forms))
