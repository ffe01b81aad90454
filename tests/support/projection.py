"""EPSG's own operation between WGS-84 and the British National Grid, as a reference for
graph.geo's pinned pipeline (issue 14)."""

from __future__ import annotations

import warnings

from pyproj import Transformer
from pyproj.transformer import TransformerGroup


def epsg_operation(source: str, target: str) -> Transformer:
    """EPSG's "OSGB36 to WGS 84 (6)" with the British National Grid, from ``source`` to
    ``target`` ("EPSG:4326" and "EPSG:27700", either way round; x first: longitude or
    easting), however pyproj ranks it on this machine (an installed OSTN15 grid ranks first)."""
    with warnings.catch_warnings():  # "Best transformation is not available" (no grid)
        warnings.simplefilter("ignore", UserWarning)
        group = TransformerGroup(source, target, always_xy=True)
    step = "Inverse of OSGB36" if source == "EPSG:4326" else "+ OSGB36"
    (found,) = [t for t in group.transformers if f"{step} to WGS 84 (6)" in t.description]
    return found
