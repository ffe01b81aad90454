"""The project's errors: one base, so a caller can catch everything Council Graph raises on
purpose, and one "unknown council" with the same suggestions in the API, the views and the CLI.

Each message is one a council officer can act on: what was wrong, and what would be valid.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["CouncilGraphError", "UnknownCeremonialCounty", "UnknownCouncil"]


class CouncilGraphError(Exception):
    """The base of every error Council Graph raises for its users to act on."""


class UnknownCouncil(CouncilGraphError, LookupError):
    """No council, or more than one, matches what was asked for.

    ``closest`` are the suggestions as shown ("Basingstoke and Deane (E07000084, 1974-)");
    the message lists them, so every front end says the same.
    """

    def __init__(self, asked: str, closest: Sequence[str] = (), *, ambiguous: bool = False) -> None:
        self.asked = asked
        self.closest = tuple(closest)
        self.ambiguous = ambiguous
        if ambiguous:
            problem = f"{asked!r} could be more than one council"
        else:
            problem = f"no council matches {asked!r}"
        hint = "; closest: " + "; ".join(self.closest) if self.closest else ""
        super().__init__(f"{problem}{hint} (give the GSS code or any form of the name)")


class UnknownCeremonialCounty(UnknownCouncil):
    """Neither a ceremonial county nor a council matches what was asked for as a county."""

    def __init__(self, asked: str, closest: Sequence[str] = ()) -> None:
        super().__init__(asked, closest)
        hint = "; closest: " + "; ".join(self.closest) if self.closest else ""
        self.args = (
            f"no ceremonial county or council matches {asked!r}{hint} (give a county of the "
            "Lieutenancies Act 1997, e.g. 'Kent' or 'Greater London', or a council in it)",
        )
