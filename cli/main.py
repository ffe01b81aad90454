"""``councilgraph``: run the local Neo4j, load data, serve the API, render views, analyse.

Exit codes: 0 ok, 1 data errors, 2 usage or connection errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from graph.db import Database, GraphUnavailable, connect
from graph.settings import Settings, SettingsError, ensure_password
from ops.server import ServerConfig, ServerError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def local_home() -> Path:
    """The local server's folder (git-ignored): $COUNCILGRAPH_NEO4J_HOME or ./.neo4j/local."""
    return Path(os.environ.get("COUNCILGRAPH_NEO4J_HOME", ".neo4j/local"))


def _neo4j(args: argparse.Namespace) -> int:
    from ops import server

    settings = Settings.from_env()
    config = ServerConfig.for_uri(settings.uri, local_home())
    if args.action == "start":
        server.start(config, ensure_password())
        return EXIT_OK
    if args.action == "stop":
        server.stop(config)
        return EXIT_OK
    pid = server.running_pid(config)
    if pid is None:
        print(f"stopped (NEO4J_URI {settings.uri}, home {config.home})")
        return 3  # like `systemctl status`: not running is not an error, but is not 0
    database = connect(Settings.from_env())
    try:
        print(f"running: Neo4j {database.server_version()} on {settings.uri} (pid {pid})")
    finally:
        database.driver.close()
    return EXIT_OK


def _with_database(
    command: Callable[[argparse.Namespace, Database], int],
) -> Callable[[argparse.Namespace], int]:
    """Open the process's one driver for ``command`` and close it afterwards."""

    def run(args: argparse.Namespace) -> int:
        database = connect(Settings.from_env())
        try:
            return command(args, database)
        finally:
            database.driver.close()

    return run


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.auth import WORKERS_ENV
    from api.limits import Limits
    from graph.snapshot import WARM_EVERY_ENV

    # Each worker process throttles failed sign-ins on its own: tell them how many share the
    # limit (api/auth.py), through the environment they inherit.
    os.environ[WORKERS_ENV] = str(args.workers)
    # Each worker warms a new data version's snapshot ahead of requests (graph/snapshot.py).
    os.environ.setdefault(WARM_EVERY_ENV, "5")
    if args.graceful_timeout is None:
        args.graceful_timeout = Limits.from_env().shutdown_timeout_s

    uvicorn.run(
        "api.app:create_app", factory=True, host=args.host, port=args.port, uds=args.uds,
        workers=args.workers, log_level="info",
        # On SIGTERM, requests in flight get this long; then they are cancelled and it exits.
        timeout_graceful_shutdown=args.graceful_timeout,
    )  # fmt: skip
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="councilgraph",
        description="Council Graph: English councils' shared-service partnerships as a graph.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    neo4j = commands.add_parser("neo4j", help="start, stop or check the local Neo4j server")
    neo4j.add_argument("action", choices=["start", "stop", "status"])
    neo4j.set_defaults(handler=_neo4j)

    serve = commands.add_parser("serve", help="serve the GraphQL API, playground and views")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (each with its own caches, kept current by the data version; "
        "rate limits are shared out between them: docs/performance.md)",
    )
    serve.add_argument(
        "--uds",
        default=None,
        metavar="PATH",
        help="listen on this Unix socket instead of --host/--port (behind a local proxy)",
    )
    serve.add_argument(
        "--graceful-timeout",
        type=int,
        default=None,
        metavar="SECONDS",
        help="after SIGTERM, how long requests in flight may finish "
        "(default: COUNCILGRAPH_SHUTDOWN_TIMEOUT_S, else 10)",
    )
    serve.set_defaults(handler=_serve)

    _add_data_commands(commands)
    return parser


def _add_data_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Commands contributed by the loaders, analysis and visualisation packages."""
    # Deliberately alike (duplicates tool): each command is added the same way, its module
    # imported only here so that `councilgraph --help` stays quick.
    from loaders.cli import add_load_arguments, run_load

    load = commands.add_parser("load", help="load the bundled data or a partnership file")
    add_load_arguments(load)
    load.set_defaults(handler=_with_database(run_load))

    from cli.analysis import add_peers_arguments, add_stats_arguments, run_peers, run_stats

    peers = commands.add_parser("peers", help="councils a council could learn from")
    add_peers_arguments(peers)
    peers.set_defaults(handler=_with_database(run_peers))

    stats = commands.add_parser("stats", help="headline figures and network measures for a year")
    add_stats_arguments(stats)
    stats.set_defaults(handler=_with_database(run_stats))

    from visualisation.cli import add_render_arguments, run_render

    render = commands.add_parser("render", help="write a network, map or council view as HTML")
    add_render_arguments(render)
    render.set_defaults(handler=_with_database(run_render))

    from exports.cli import add_export_arguments, run_export

    export = commands.add_parser("export", help="write the views' selection as CSV, XLSX, ...")
    add_export_arguments(export)
    export.set_defaults(handler=_with_database(run_export))

    from cli.accounts import add_account_commands

    add_account_commands(commands, _with_database)  # users add/revoke, contacts delete

    from cli.proposals import add_proposal_commands

    add_proposal_commands(commands, _with_database)  # docs/reorganisation.md


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except (GraphUnavailable, ServerError, SettingsError) as error:
        print(f"councilgraph: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("councilgraph: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
