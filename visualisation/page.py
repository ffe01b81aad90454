"""The offline page around a pyvis network: template, legend, pop-up data, safe JSON.

pyvis's stock template pulls vis-network, tom-select and Bootstrap from CDNs
(every ``cdn_resources`` mode still requests something remote), so
:func:`use_offline_template` points a ``pyvis.network.Network`` at our own
template (``templates/view.html``), which inlines the vis-network JS and CSS
that pyvis ships in its package folder. ``Network.generate_html()`` then
returns one self-contained page, including for notebook users who call it
themselves.

Data never becomes markup: the page is autoescaped Jinja, and everything the
script needs travels as JSON in ``<script type="application/json">`` blocks
with ``<``, ``>`` and ``&`` escaped (:func:`script_json`), read back with
``JSON.parse`` and written into the page with ``textContent``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import pyvis
from markupsafe import Markup
from pyvis.network import Network

__all__ = [
    "TEMPLATE_DIR",
    "TEMPLATE_NAME",
    "VIS_NETWORK_VERSION",
    "is_web_link",
    "script_json",
    "use_offline_template",
]

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "view.html"
VIS_NETWORK_VERSION = "9.1.2"
"""The vis-network build pyvis 0.3.2 ships (``pyvis/lib/vis-9.1.2``), inlined in every page."""


def script_json(value: Any) -> Markup:
    """JSON that is safe inside any ``<script>`` element (and as HTML text).

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e`` and ``\\u0026``, so data can
    never close the script element or open a comment; ``JSON.parse`` restores them.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # U+2028/2029 are valid in JSON but not in older JS string literals; keep them inert.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - escaped above for the script-data context


def is_web_link(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL (the only kind rendered as a link)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def _inline_safe(text: str, what: str) -> Markup:
    lowered = text.lower()
    if "</script" in lowered or "<!--" in lowered or "</style" in lowered:
        raise ValueError(f"{what} cannot be inlined: it contains an HTML end tag or comment")
    return Markup(text)  # noqa: S704 - our own or pyvis's bundled asset, checked above


@cache
def _assets() -> dict[str, Markup]:
    vis_dir = files(pyvis) / "lib" / f"vis-{VIS_NETWORK_VERSION}"
    return {
        "vis_js": _inline_safe(
            (vis_dir / "vis-network.min.js").read_text(encoding="utf-8"), "vis-network.min.js"
        ),
        "vis_css": _inline_safe(
            (vis_dir / "vis-network.css").read_text(encoding="utf-8"), "vis-network.css"
        ),
        "view_js": _inline_safe((TEMPLATE_DIR / "view.js").read_text(encoding="utf-8"), "view.js"),
        "view_css": _inline_safe(
            (TEMPLATE_DIR / "view.css").read_text(encoding="utf-8"), "view.css"
        ),
    }


def _graph_json(
    nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]], options: Any
) -> Markup:
    """The ``cg-graph`` block: pyvis's nodes, edges and options (a JSON string in pyvis)."""
    parsed = json.loads(options) if isinstance(options, str) else options
    return script_json({"nodes": list(nodes), "edges": list(edges), "options": parsed})


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    env.globals.update(_assets())
    env.globals["graph_json"] = _graph_json
    return env


class _BoundTemplate:
    """Our template with one page's context bound in.

    pyvis's ``generate_html`` renders ``templateEnv.get_template(path)`` with a
    fixed set of variables (nodes, edges, options...), so the page's own context
    is bound here rather than stored in shared (and thread-unsafe) Jinja globals.
    """

    def __init__(self, template: jinja2.Template, context: Mapping[str, Any]) -> None:
        self._template = template
        self._context = dict(context)

    def render(self, **pyvis_context: Any) -> str:
        """Render with pyvis's variables plus this page's context."""
        return self._template.render(**pyvis_context, **self._context)

    def get_template(self, name: str) -> _BoundTemplate:
        """Stand in for ``Environment.get_template`` (pyvis asks for ``net.path``)."""
        return self


def use_offline_template(net: Network, page: Mapping[str, Any], page_data: Any) -> Network:
    """Make ``net.generate_html()`` render our offline template with this page's context.

    Parameters
    ----------
    net : the pyvis network (changed in place and returned).
    page : what the autoescaped template shows (title, subtitle, form state, legend...).
    page_data : what the page's script needs (pop-up contents, outlines); embedded as JSON.
    """
    bound = _BoundTemplate(
        _environment().get_template(TEMPLATE_NAME),
        {"page": page, "page_json": script_json(page_data)},
    )
    net.templateEnv = bound
    net.path = TEMPLATE_NAME
    net.template = bound  # generate_html(notebook=True) renders net.template
    return net
