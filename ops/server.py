"""Run a local Neo4j 5.26 Community server without Docker.

The jars come from Maven Central through Maven (``mvn``, with strict checksum checks) into
a cache outside the repository; a small launcher the project owns
(``ops/neo4j_server/CouncilGraphNeo4j.java``, run by Java 17 in source-file mode) starts
Neo4j embedded with its Bolt connector on 127.0.0.1. One instance per home folder; the home
holds the data, the log, the pid file and a ``ready`` marker.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from graph.errors import CouncilGraphError

NEO4J_VERSION = "5.26.31"
LAUNCHER_DIR = Path(__file__).parent / "neo4j_server"
LAUNCHER = LAUNCHER_DIR / "CouncilGraphNeo4j.java"
POM = LAUNCHER_DIR / "pom.xml"
MANIFEST = "SHA256SUMS"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Neo4j's own launch scripts open these JDK internals; some versions fail to start without.
JVM_OPENS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
)

Echo = Callable[[str], None]


class ServerError(CouncilGraphError):
    """The local server could not be set up, started or stopped; the message says why."""


def default_cache_dir() -> Path:
    """Where the Neo4j jars are kept: $COUNCILGRAPH_CACHE or ~/.cache/councilgraph."""
    configured = os.environ.get("COUNCILGRAPH_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "councilgraph"


@dataclass(frozen=True)
class ServerConfig:
    """One local Neo4j instance: where it lives and how it listens."""

    home: Path
    port: int = 7687
    host: str = "127.0.0.1"
    heap_mb: int = 2048
    pagecache_mb: int = 1024
    tx_timeout_s: int = 60
    cache_dir: Path = field(default_factory=default_cache_dir)

    @property
    def pid_file(self) -> Path:
        return self.home / "neo4j.pid"

    @property
    def ready_file(self) -> Path:
        return self.home / "ready"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "councilgraph-neo4j.log"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{self.host}:{self.port}"

    @classmethod
    def for_uri(cls, uri: str, home: Path) -> ServerConfig:
        """The local instance that serves ``uri`` (NEO4J_URI); refuse a remote one."""
        parts = urlsplit(uri)
        if parts.hostname not in LOCAL_HOSTS:
            raise ServerError(
                f"NEO4J_URI {uri} is not on this machine; `councilgraph neo4j` only manages "
                "a local server (use 127.0.0.1 or localhost)"
            )
        return cls(home=home, port=parts.port or 7687)


# -- jars -------------------------------------------------------------------------------


def jars_dir(cache_dir: Path) -> Path:
    return cache_dir / f"neo4j-{NEO4J_VERSION}" / "lib"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verify(lib: Path) -> str | None:
    """Return None when ``lib`` matches its manifest, else what is wrong."""
    manifest = lib / MANIFEST
    if not manifest.is_file():
        return "no manifest"
    expected: dict[str, str] = {}
    for line in manifest.read_text().splitlines():
        digest, _, name = line.partition("  ")
        expected[name] = digest
    present = {p.name for p in lib.glob("*.jar")}
    if present != set(expected):
        return "the set of jars differs from the manifest"
    for name, digest in expected.items():
        if _sha256(lib / name) != digest:
            return f"{name} is corrupt (checksum mismatch)"
    return None


def ensure_jars(cache_dir: Path, echo: Echo = print) -> Path:
    """Download Neo4j's jars once (Maven, strict checksums) and verify them on every call."""
    lib = jars_dir(cache_dir)
    if lib.is_dir():
        problem = _verify(lib)
        if problem is None:
            return lib
        echo(f"Neo4j jars in {lib} failed verification ({problem}); downloading again")
        shutil.rmtree(lib.parent)
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerError(
            "Maven (mvn) is needed to download Neo4j from Maven Central; "
            "install it (Debian: apt-get install maven) and try again"
        )
    partial = cache_dir / f"neo4j-{NEO4J_VERSION}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    echo(f"Downloading Neo4j {NEO4J_VERSION} from Maven Central into {lib.parent} ...")
    command = [
        mvn, "-q", "-B", "--strict-checksums", "-f", str(POM),
        f"-Dneo4j.version={NEO4J_VERSION}",
        "dependency:copy-dependencies", "-DincludeScope=runtime",
        f"-DoutputDirectory={partial / 'lib'}",
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-5:]
        shutil.rmtree(partial, ignore_errors=True)
        raise ServerError("Maven could not fetch Neo4j: " + " | ".join(tail))
    jars = sorted((partial / "lib").glob("*.jar"))
    if not (partial / "lib" / f"neo4j-{NEO4J_VERSION}.jar").is_file():
        raise ServerError(f"Maven finished but neo4j-{NEO4J_VERSION}.jar is missing")
    for jar in jars:
        if not zipfile.is_zipfile(jar):
            shutil.rmtree(partial, ignore_errors=True)
            raise ServerError(f"downloaded {jar.name} is not a valid jar")
    manifest = "".join(f"{_sha256(jar)}  {jar.name}\n" for jar in jars)
    (partial / "lib" / MANIFEST).write_text(manifest)
    partial.rename(lib.parent)  # atomic: a half-finished download is never used
    echo(f"Neo4j {NEO4J_VERSION}: {len(jars)} jars verified")
    return lib


# -- processes --------------------------------------------------------------------------


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ServerError("Java 17 or 21 is needed to run Neo4j 5.26; install openjdk-17-jre")
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)', out)
    major = int(match.group(1)) if match else 0
    if major not in (17, 21):
        raise ServerError(f"Neo4j 5.26 runs on Java 17 or 21; `java` here is version {major}")
    return java


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path(f"/proc/{pid}")
    if not proc.exists():  # no procfs (not Linux): the signal check is all we have
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes()
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return False
    if state in ("Z", "X"):
        # The main thread has exited; the JVM's other threads (and its sockets) may not yet.
        if _any_thread_running(proc):
            return True
        _reap(pid)  # a zombie until its parent reaps it
        return False
    # An empty command line means the process is still exiting (its sockets may be open).
    # Any other command line without our launcher is a recycled pid: ours is gone.
    return not cmdline or b"CouncilGraphNeo4j" in cmdline


def _any_thread_running(proc: Path) -> bool:
    for stat in proc.glob("task/*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                return True
        except (FileNotFoundError, IndexError, ProcessLookupError):
            continue
    return False


def running_pid(config: ServerConfig) -> int | None:
    """The pid of this instance's server, or None (a stale pid file is removed)."""
    try:
        pid = int(config.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if _pid_alive(pid):
        return pid
    config.pid_file.unlink(missing_ok=True)
    config.ready_file.unlink(missing_ok=True)
    return None


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def _port_frees(config: ServerConfig, *, seconds: float) -> bool:
    """Wait a little for the port to close: a server killed a moment ago may still hold it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if not _port_open(config.host, config.port):
            return True
    return False


def log_tail(config: ServerConfig, lines: int = 20) -> str:
    """The last lines of the server log, for error messages."""
    if not config.log_file.is_file():
        return "(no log yet)"
    return "\n".join(config.log_file.read_text(errors="replace").splitlines()[-lines:])


def start(
    config: ServerConfig, password: str, *, timeout_s: float = 180, echo: Echo = print
) -> int:
    """Start the server unless it runs already; wait until Bolt answers. Returns the pid."""
    had_pid_file = config.pid_file.exists()
    pid = running_pid(config)
    if pid is not None:
        _wait_ready(config, pid, lambda: _pid_alive(pid), timeout_s, echo)
        echo(f"Neo4j already running (pid {pid}) on {config.bolt_uri}")
        return pid
    # A server of ours killed a moment ago (stale pid file) may still be releasing its port.
    if _port_open(config.host, config.port) and not (
        had_pid_file and _port_frees(config, seconds=15)
    ):
        raise ServerError(
            f"port {config.port} on {config.host} is already in use by another process; "
            "stop it, or point NEO4J_URI at another port"
        )
    java = _java()
    lib = ensure_jars(config.cache_dir, echo)
    config.log_file.parent.mkdir(parents=True, exist_ok=True)
    config.ready_file.unlink(missing_ok=True)
    env = {
        **os.environ,
        "NEO4J_PASSWORD": password,
        "COUNCILGRAPH_BOLT_HOST": config.host,
        "COUNCILGRAPH_BOLT_PORT": str(config.port),
        "COUNCILGRAPH_PAGECACHE_MB": str(config.pagecache_mb),
        "COUNCILGRAPH_TX_TIMEOUT_S": str(config.tx_timeout_s),
    }
    command = [
        java, f"-Xms{min(512, config.heap_mb)}m", f"-Xmx{config.heap_mb}m", *JVM_OPENS,
        "-cp", f"{lib}/*", str(LAUNCHER), str(config.home.resolve()),
    ]  # fmt: skip
    with config.log_file.open("ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True,
        )  # fmt: skip
    config.pid_file.write_text(str(process.pid))
    echo(
        f"Starting Neo4j {NEO4J_VERSION} (pid {process.pid}) on {config.bolt_uri}, "
        f"log {config.log_file}"
    )
    # poll() rather than /proc: right after fork the child's cmdline is still Python's.
    _wait_ready(config, process.pid, lambda: process.poll() is None, timeout_s, echo)
    echo(f"Neo4j ready on {config.bolt_uri}")
    return process.pid


def _ready_pid(config: ServerConfig) -> int | None:
    try:
        return int(config.ready_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _wait_ready(
    config: ServerConfig, pid: int, alive: Callable[[], bool], timeout_s: float, echo: Echo
) -> None:
    """Wait until *this* process (its pid in the ready marker) listens on Bolt."""
    deadline = time.monotonic() + timeout_s
    waited = 0
    while time.monotonic() < deadline:
        if not alive():
            config.pid_file.unlink(missing_ok=True)
            raise ServerError(f"Neo4j exited during start-up. Log tail:\n{log_tail(config)}")
        if _ready_pid(config) == pid and _port_open(config.host, config.port):
            return
        time.sleep(1)
        waited += 1
        if waited % 10 == 0:
            echo(f"  waiting for Bolt on {config.bolt_uri} ({waited}s)")
    raise ServerError(
        f"Neo4j did not answer on {config.bolt_uri} within {timeout_s:.0f}s. "
        f"Log tail:\n{log_tail(config)}"
    )


def stop(config: ServerConfig, *, timeout_s: float = 60, echo: Echo = print) -> bool:
    """Shut the server down cleanly (SIGTERM; SIGKILL only after ``timeout_s``)."""
    pid = running_pid(config)
    if pid is None:
        echo("Neo4j is not running")
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and _pid_alive(pid):
        time.sleep(0.2)
    if _pid_alive(pid):
        echo(f"Neo4j (pid {pid}) did not stop within {timeout_s:.0f}s; killing it")
        os.kill(pid, signal.SIGKILL)
    _reap(pid)
    config.pid_file.unlink(missing_ok=True)
    config.ready_file.unlink(missing_ok=True)
    echo(f"Neo4j stopped (pid {pid})")
    return True


def _reap(pid: int) -> None:
    """Collect our own child's exit status so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
