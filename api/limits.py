"""Every limit the API puts on a request, with its default and the variable that sets it.

One home for them: :class:`Limits` is read once at start-up (``create_app``) from the
environment over the ``.env`` file, like :class:`graph.settings.Settings`, and handed to
whatever enforces each limit. ``python -m api.limits`` prints the table that
``docs/limits.md`` carries; ``python -m api.limits docs/limits.md`` writes it there.

The page sizes (``first``, default 20, at most 100) and the cap on unpaginated lists are part
of the schema's contract rather than settings; they live in ``api/types.py`` and
``api/schema.py``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.settings import DEFAULT_ENV_FILE, SettingsError, read_env_file

__all__ = ["Limits", "markdown_table"]


def _limit(default: float | bool, env: str, doc: str) -> Any:
    # Any, so that each attribute keeps its declared type for mypy.
    return field(default=default, metadata={"env": env, "doc": doc})


@dataclass(frozen=True)
class Limits:
    """The API's limits; ``Limits()`` is the defaults."""

    max_body_bytes: int = _limit(
        100_000,
        "COUNCILGRAPH_MAX_BODY_BYTES",
        "Largest request body; larger gets HTTP 413 before anything is parsed.",
    )
    max_tokens: int = _limit(
        3000,
        "COUNCILGRAPH_MAX_TOKENS",
        "Tokens in a GraphQL document (parsing stops there).",
    )
    max_string_chars: int = _limit(
        10_000,
        "COUNCILGRAPH_MAX_STRING_CHARS",
        "Longest string, in a variable or written in the query.",
    )
    max_variable_values: int = _limit(
        1000,
        "COUNCILGRAPH_MAX_VARIABLE_VALUES",
        "Values in `variables`, counting every list item and object field.",
    )
    max_depth: int = _limit(
        10,
        "COUNCILGRAPH_MAX_DEPTH",
        "Nesting of fields below the top level (introspection counted apart).",
    )
    max_aliases: int = _limit(
        30,
        "COUNCILGRAPH_MAX_ALIASES",
        "Aliased fields, counted through every fragment spread.",
    )
    max_cost: int = _limit(
        50_000,
        "COUNCILGRAPH_MAX_COST",
        "Estimated values in the answer (see *Query cost*); more is refused before running.",
    )
    max_validation_work: int = _limit(
        50_000,
        "COUNCILGRAPH_MAX_VALIDATION_WORK",
        "graphql-core's budget for comparing same-named fields (then 'Validation aborted.').",
    )
    introspection: bool = _limit(
        True,
        "COUNCILGRAPH_INTROSPECTION",
        "Whether `__schema` and `__type` may be asked (the playground needs them).",
    )
    max_introspection_depth: int = _limit(
        15,
        "COUNCILGRAPH_MAX_INTROSPECTION_DEPTH",
        "Nesting below `__schema`/`__type` (GraphiQL's own query needs 14).",
    )
    max_response_bytes: int = _limit(
        5_000_000,
        "COUNCILGRAPH_MAX_RESPONSE_BYTES",
        "Largest GraphQL answer (JSON); a larger one is replaced by an error.",
    )
    request_timeout_s: float = _limit(
        15.0,
        "COUNCILGRAPH_REQUEST_TIMEOUT_S",
        "Wall-clock time for running one GraphQL operation.",
    )
    statement_timeout_s: float = _limit(
        10.0,
        "COUNCILGRAPH_STATEMENT_TIMEOUT_S",
        "Neo4j stops any one statement of the API (reads and writes) after this.",
    )
    db_retry_s: float = _limit(
        0.5,
        "COUNCILGRAPH_DB_RETRY_S",
        "How long the driver keeps retrying a failed transaction (one retry, ~1 s later).",
    )
    db_connect_timeout_s: float = _limit(
        1.0,
        "COUNCILGRAPH_DB_CONNECT_TIMEOUT_S",
        "Time to open a connection to Neo4j.",
    )
    db_fail_fast_s: float = _limit(
        1.0,
        "COUNCILGRAPH_DB_FAIL_FAST_S",
        "After Neo4j could not be reached, requests fail at once for this long.",
    )
    shutdown_timeout_s: int = _limit(
        10,
        "COUNCILGRAPH_SHUTDOWN_TIMEOUT_S",
        "After SIGTERM, requests in flight get this long before they are cancelled.",
    )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path = DEFAULT_ENV_FILE
    ) -> Limits:
        """Limits from ``environ`` (default: ``os.environ``) over ``env_file``; unset: default."""
        merged = {**read_env_file(env_file), **(os.environ if environ is None else environ)}
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):
            text = merged.get(spec.metadata["env"], "").strip()
            if text:
                values[spec.name] = _parse(spec.metadata["env"], text, spec.default)
        return cls(**values)


def _parse(env: str, text: str, default: object) -> object:
    if isinstance(default, bool):
        if text.lower() in {"1", "true", "yes", "on"}:
            return True
        if text.lower() in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{env} must be on or off (got {text!r})")
    try:
        value = int(text) if isinstance(default, int) else float(text)
    except ValueError:
        kind = "a whole number" if isinstance(default, int) else "a number of seconds"
        raise SettingsError(f"{env} must be {kind} (got {text!r})") from None
    if value <= 0:
        raise SettingsError(f"{env} must be more than 0 (got {text!r})")
    return value


def _shown(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if name.endswith("_s"):
        return f"{value:g} s"
    return f"{value:,}"


def markdown_table() -> str:
    """The limits as the Markdown table in ``docs/limits.md``."""
    lines = ["| setting | default | what |", "|---|---:|---|"]
    for spec in dataclasses.fields(Limits):
        shown = _shown(spec.name, spec.default)
        lines.append(f"| `{spec.metadata['env']}` | {shown} | {spec.metadata['doc']} |")
    return "\n".join(lines) + "\n"


BEGIN = "<!-- limits: written by `python -m api.limits docs/limits.md` -->\n"
END = "<!-- /limits -->\n"


def write_docs(path: Path) -> None:
    """Replace the table between the markers in ``path`` with :func:`markdown_table`."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    path.write_text(head + BEGIN + markdown_table() + END + tail, encoding="utf-8")


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 1:
        write_docs(Path(sys.argv[1]))
    else:
        print(markdown_table(), end="")
