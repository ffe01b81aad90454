"""Print the schema in SDL: ``python -m api.sdl > docs/schema.graphql`` (``make schema``)."""

from __future__ import annotations

from api.schema import build_schema


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"


if __name__ == "__main__":
    print(schema_sdl(), end="")
