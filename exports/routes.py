"""``GET /export/{format}``: the views' selection as a file, streamed.

The API mounts the route with its own data source and its way of resolving a bearer token::

    routes += export_routes(lambda request: ExportSource(db, views.view_data), access.user_for)

Query parameters are the views' (``year``, ``service``, ``status``, ``region``; ``two_mode`` and
``physics`` are ignored, so a view's own query string selects the same), plus ``lines=true``
for GeoJSON. The answer has the format's content type and a ``Content-Disposition`` file name.
Contacts are personal data: they are included only for a signed-in editor (or admin);
anonymous requests and contributors get the same file without them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from contributions import contacts_for
from contributions.accounts import Role, User
from exports.formats import FORMATS, file_name, write_export
from exports.selection import ExportOptions, ExportOptionsError, ExportSource
from exports.tables import ContactReader
from graph.db import GraphUnavailable

__all__ = ["ExportSource", "contact_reader", "export_routes"]


def contact_reader(source: ExportSource, user: User | None) -> ContactReader | None:
    """Contacts for editors (and admins) only; None for anyone else."""
    if user is None or not user.can(Role.EDITOR):
        return None

    return lambda ids: contacts_for(source.db, ids)


def export_routes(
    source: Callable[[Request], ExportSource],
    user_for: Callable[[Request], Awaitable[User | None]],
    *,
    path: str = "/export",
) -> list[Route]:
    """The export route.

    Parameters
    ----------
    source : gives the export source for a request.
    user_for : the signed-in account of a request, None for anonymous (raising HTTP 401 for a
        refused token, as ``api.auth.AccessControl.user_for`` does).
    path : where exports live.
    """

    async def endpoint(request: Request) -> Response:
        name = request.path_params["format"]
        fmt = FORMATS.get(name)
        if fmt is None:
            return PlainTextResponse(
                f"No export format {name!r}. Formats: {', '.join(FORMATS)}.", status_code=404
            )
        try:
            options = ExportOptions.from_query(request.query_params)
        except ExportOptionsError as error:
            return PlainTextResponse(f"Bad query parameter: {error}", status_code=400)
        try:
            user = await user_for(request)
        except Exception as error:
            # A refused token: starlette's HTTPException or strawberry's (api.auth raises
            # both kinds); anything else is a bug and propagates.
            status = getattr(error, "status_code", None)
            if not isinstance(status, int):
                raise
            reason = getattr(error, "reason", None) or getattr(error, "detail", None) or error
            headers = getattr(error, "headers", None)
            return PlainTextResponse(str(reason), status_code=status, headers=headers)
        data = source(request)
        contacts = contact_reader(data, user) if fmt.contacts else None
        chunks: Iterator[bytes] = write_export(fmt, data, options, contacts)
        try:
            # The first chunk reads the graph: an unreachable graph is a 503, not a cut file.
            first = await run_in_threadpool(next, chunks, b"")
        except GraphUnavailable as error:
            return PlainTextResponse(f"The graph database is unavailable: {error}", status_code=503)

        def body() -> Iterator[bytes]:
            yield first
            yield from chunks

        return StreamingResponse(
            body(),
            media_type=fmt.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{file_name(fmt, options)}"',
                "X-Content-Type-Options": "nosniff",
                # Personal data must not stay in shared or browser caches.
                "Cache-Control": "private, no-store" if contacts is not None else "no-cache",
            },
        )

    return [Route(f"{path.rstrip('/')}/{{format}}", endpoint, methods=["GET"])]
