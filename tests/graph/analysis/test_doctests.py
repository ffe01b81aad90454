"""Run the examples in the analysis modules' docstrings."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "graph.memo",
    "graph.analysis.brokerage",
    "graph.analysis.groups",
    "graph.analysis.inputs",
    "graph.analysis.introductions",
    "graph.analysis.measures",
    "graph.analysis.mixing",
    "graph.analysis.network",
    "graph.analysis.peers",
    "graph.analysis.projection",
    "graph.analysis.similarity",
    "tests.support.synthetic_network",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
