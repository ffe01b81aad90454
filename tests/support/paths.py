"""Where things are, for tests in any folder: the project root and the tests' own files."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
OUTPUT = TESTS / "output"
"""Screenshots for review (not committed)."""
FIXTURES = TESTS / "fixtures"
AXE = TESTS / "support" / "axe"
