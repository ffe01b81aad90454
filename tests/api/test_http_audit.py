"""GraphQL over HTTP, as the spec's own audit suite checks it: the graphql-http package's
server audits against the live ``/graphql`` of ``councilgraph serve``, with no warnings.

Needs Node.js (skipped only when ``node`` is absent); the package is installed from npm into
the git-ignored ``.audit/`` folder on first use (``make audit-http`` does the same).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.db import Database
from graph.settings import Settings
from tests.api.test_resilience import serve
from tests.support.paths import ROOT

AUDIT_DIR = ROOT / ".audit"
#: The audit suite and the graphql it needs, pinned (the audits change between versions).
PACKAGES = ("graphql-http@1.23.1", "graphql@16.15.0")


def _installed() -> Path:
    modules = AUDIT_DIR / "node_modules"
    if not (modules / "graphql-http" / "package.json").exists():
        AUDIT_DIR.mkdir(exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-save", "--no-audit", "--no-fund", *PACKAGES],
            cwd=AUDIT_DIR, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return modules


@pytest.fixture(scope="module")
def served(
    loaded_db: Database, neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    process, url = serve(neo4j_settings, tmp_path_factory.mktemp("audit"))
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.skipif(shutil.which("node") is None, reason="the audits run on Node.js")
def test_graphql_over_http_audits_pass_without_warnings(served: str) -> None:
    modules = _installed()
    audit = subprocess.run(
        ["node", str(ROOT / "scripts" / "audit_http.cjs"), f"{served}/graphql"],
        env={"NODE_PATH": str(modules), "PATH": "/usr/bin:/bin:/usr/local/bin"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    *problems, summary = audit.stdout.strip().splitlines()
    counts = json.loads(summary)
    assert problems == [], audit.stdout
    assert counts["warn"] == counts["error"] == 0, counts
    assert counts["ok"] >= 60, counts  # every audit of this version ran
    assert audit.returncode == 0, audit.stderr
