"""Throwaway PostgreSQL 15 and Redis servers on loopback, for the service test tier.

Standard library only, so it runs before the project is importable (and as a plain script).

    pg = start_postgres(base_dir)   # pg.url connects as `merimna`: no superuser, RLS applies
    redis = start_redis(base_dir)
    ...
    redis.stop(); pg.stop()

    python tests/services.py up --env-file .env.test   # both, until SIGTERM/SIGINT

PostgreSQL refuses to run as root, so when we are root the server runs as an unprivileged
system user (`postgres`, which Debian's package creates, else `merimna-test`, created here).
Nothing is ever skipped: a server that cannot start raises `ServiceError` saying why.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Self

PG_VERSION = "15"
APP_ROLE = "merimna"
APP_PASSWORD = "merimna"
APP_DATABASE = "merimna"
START_TIMEOUT = 60.0
_PG_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    # Throwaway data: durability only costs time.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ServiceError(RuntimeError):
    """A test server could not be found, started or stopped."""


# --- helpers -------------------------------------------------------------------------------


def free_port() -> int:
    """A currently free loopback TCP port (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text[-lines:]) or f"(log {path} is empty)"


def _clean_env() -> dict[str, str]:
    """Our environment without PG* variables, which would redirect psql and pg_ctl."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def _run(
    argv: list[str],
    what: str,
    *,
    cwd: Path | None = None,
    log: Path | None = None,
    timeout: float = START_TIMEOUT,
) -> str:
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ServiceError(f"{what}: {argv[0]} not found") from exc
    except subprocess.TimeoutExpired as exc:
        extra = f"\n--- {log} ---\n{_tail(log)}" if log else ""
        raise ServiceError(
            f"{what}: timed out after {timeout:.0f}s: {shlex.join(argv)}{extra}"
        ) from exc
    if proc.returncode != 0:
        extra = f"\n--- {log} ---\n{_tail(log)}" if log else ""
        raise ServiceError(
            f"{what} failed (exit {proc.returncode}): {shlex.join(argv)}\n"
            f"{proc.stdout.strip()}\n{proc.stderr.strip()}{extra}".rstrip()
        )
    return proc.stdout


def _interrupt_on_sigterm() -> None:
    """Let SIGTERM (e.g. from `timeout` in scripts/test.sh) unwind like Ctrl-C, so the test
    run's teardown and atexit stop the servers instead of leaving them behind. Only where
    nobody installed a handler already, and only from the main thread (Python's rule)."""
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, _raise_interrupt)


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# --- PostgreSQL ----------------------------------------------------------------------------


def find_pg_bindir() -> Path:
    """PostgreSQL 15's server binaries, which Debian keeps off PATH.

    Order: $MERIMNA_PG_BINDIR, `dpkg -L postgresql-15`, /usr/lib/postgresql/15/bin.
    """
    candidates: list[Path] = []
    if os.environ.get("MERIMNA_PG_BINDIR"):
        candidates.append(Path(os.environ["MERIMNA_PG_BINDIR"]))
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        listing = subprocess.run(
            ["dpkg", "-L", f"postgresql-{PG_VERSION}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
        candidates += [
            Path(line).parent for line in listing.splitlines() if line.endswith("/bin/initdb")
        ]
    candidates.append(Path(f"/usr/lib/postgresql/{PG_VERSION}/bin"))
    for bindir in candidates:
        if (bindir / "initdb").is_file():
            missing = [b for b in ("pg_ctl", "postgres", "psql") if not (bindir / b).is_file()]
            if missing:
                raise ServiceError(
                    f"PostgreSQL {PG_VERSION} in {bindir} lacks {missing}: "
                    "install postgresql-15 (bash scripts/setup.sh)"
                )
            return bindir
    raise ServiceError(
        f"initdb (PostgreSQL {PG_VERSION}) not found in "
        f"{[str(c) for c in candidates]}: run `bash scripts/setup.sh` "
        "(apt-get install postgresql-15 postgresql-contrib)"
    )


def _server_user() -> str | None:
    """Who runs the server: None means ourselves; as root, an unprivileged system user."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "merimna-test"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    argv = [
        "useradd",
        "--system",
        "--user-group",
        "--no-create-home",
        "--shell",
        "/usr/sbin/nologin",
    ]
    _run([*argv, "merimna-test"], "creating user merimna-test")
    return "merimna-test"


def _as_user(user: str | None, argv: list[str]) -> list[str]:
    if user is None:
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", user, "--", *argv]
    return ["su", "-s", "/bin/sh", user, "-c", shlex.join(argv)]


def _private_dir(base_dir: Path, user: str | None) -> Path:
    """A fresh directory the server user owns, under base_dir when that user can reach it."""
    base_dir.mkdir(parents=True, exist_ok=True)
    parent: Path | None = base_dir
    if user is not None:
        reach = subprocess.run(
            _as_user(user, ["test", "-w", str(base_dir), "-a", "-x", str(base_dir)]),
            capture_output=True,
            check=False,
        )
        if reach.returncode != 0:
            parent = None  # e.g. a 0700 mkdtemp of root: use the system temp dir instead
    if len(str(base_dir)) > 60:
        parent = None  # the socket path (<dir>/.s.PGSQL.<port>) must stay under 107 bytes
    path = Path(tempfile.mkdtemp(prefix="merimna-pg-", dir=parent))
    if user is not None:
        shutil.chown(path, user, user)
    return path


class PostgresService:
    """One PostgreSQL cluster; `url` is the app's non-superuser login, `admin_url` the superuser."""

    def __init__(self, root: Path, bindir: Path, user: str | None, port: int) -> None:
        self.root = root
        self.data_dir = root / "data"
        self.socket_dir = root
        self.log_file = root / "server.log"
        self.bindir = bindir
        self.user = user
        self.port = port
        self.running = False
        self._removed = False

    @property
    def url(self) -> str:
        return self.database_url(APP_DATABASE)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql://{APP_ROLE}:{APP_PASSWORD}@127.0.0.1:{self.port}/{name}"

    def _bin(self, name: str) -> str:
        return str(self.bindir / name)

    def _initdb(self) -> None:
        base = [self._bin("initdb"), "-D", str(self.data_dir), "-A", "trust", "-U", "postgres"]
        base += ["--encoding=UTF8", "--no-sync"]
        try:
            _run(_as_user(self.user, [*base, "--locale=C.UTF-8"]), "initdb", cwd=self.root)
        except ServiceError:
            # A system without the C.UTF-8 locale: byte-order collation is what tests need anyway.
            shutil.rmtree(self.data_dir, ignore_errors=True)
            _run(_as_user(self.user, [*base, "--no-locale"]), "initdb --no-locale", cwd=self.root)

    def start_server(self) -> None:
        """Start the cluster (after initdb or `stop_server`) and wait until it accepts queries."""
        opts = [f"-p {self.port}", f"-k {self.socket_dir}"]
        opts += [f"-c {k}={v}" for k, v in _PG_SETTINGS.items()]
        argv = [self._bin("pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file)]
        argv += ["-o", " ".join(opts), "-w", "-t", str(int(START_TIMEOUT)), "start"]
        what = f"starting PostgreSQL on 127.0.0.1:{self.port}"
        _run(_as_user(self.user, argv), what, cwd=self.root, log=self.log_file)
        self.running = True
        deadline = time.monotonic() + START_TIMEOUT
        while True:  # pg_ctl -w waited for the socket; make sure TCP answers a query too
            try:
                self.psql("select 1")
                return
            except ServiceError:
                if time.monotonic() > deadline:
                    raise

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server but keep its data (mode: smart, fast or immediate)."""
        if self.running and self._postmaster_alive():
            argv = [self._bin("pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "-t", "30"]
            _run(
                _as_user(self.user, [*argv, "stop"]),
                "stopping PostgreSQL",
                cwd=self.root,
                log=self.log_file,
            )
        self.running = False

    def _postmaster_alive(self) -> bool:
        """False when a test killed the server: pg_ctl would wait for it in vain. (A killed
        postmaster can linger as a zombie where PID 1 reaps nobody, as in containers.)"""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, ValueError, IndexError):
            return False
        return state != "Z"

    def restart(self, mode: str = "fast") -> None:
        """Stop and start again: same port, same data (for fault tests).

        `mode="immediate"` simulates a crash; with synchronous_commit=off the commits of the
        last ~200 ms (wal_writer_delay) are then lost, as they would be in production.
        """
        self.stop_server(mode)
        self.start_server()

    def stop(self) -> None:
        """Stop the server and delete its data. Safe to call twice."""
        if self._removed:
            return
        try:
            self.stop_server("immediate")
        finally:
            self._removed = True
            shutil.rmtree(self.root, ignore_errors=True)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser; returns unaligned, tuples-only output."""
        flags = [
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
        ]
        argv = [self._bin("psql"), *flags, "-p", str(self.port), "-d", database, "-c", sql]
        return _run(argv, f"psql on port {self.port}", log=self.log_file, timeout=30)

    def create_database(self, name: str) -> str:
        """A new empty database owned by the app role; returns its app URL."""
        if not _IDENT.match(name):
            raise ValueError(f"not a plain lowercase identifier: {name!r}")
        self.psql(f'CREATE DATABASE "{name}" OWNER {APP_ROLE}')
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        if not _IDENT.match(name):
            raise ValueError(f"not a plain lowercase identifier: {name!r}")
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_postgres(base_dir: Path) -> PostgresService:
    """initdb + start a PostgreSQL 15 cluster on a free loopback port, with role and database
    `merimna` (LOGIN, not superuser, no BYPASSRLS) owning database `merimna`."""
    _interrupt_on_sigterm()
    bindir = find_pg_bindir()
    user = _server_user()
    root = _private_dir(Path(base_dir), user)
    service = PostgresService(root, bindir, user, free_port())
    atexit.register(service.stop)  # a crashed test run must not leave a server behind
    try:
        service._initdb()
        for attempt in range(3):  # another process may grab the free port before we bind it
            try:
                service.start_server()
                break
            except ServiceError:
                if attempt == 2 or "could not bind" not in _tail(service.log_file, 50):
                    raise
                service.port = free_port()
        service.psql(
            f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}' "
            "NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB"
        )
        service.psql(f"CREATE DATABASE {APP_DATABASE} OWNER {APP_ROLE}")
    except BaseException:
        service.stop()
        raise
    return service


# --- Redis ---------------------------------------------------------------------------------


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisService:
    """One redis-server child process with no persistence."""

    def __init__(self, root: Path, binary: str, port: int) -> None:
        self.root = root
        self.binary = binary
        self.port = port
        self.log_file = root / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._removed = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start_server(self) -> None:
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--daemonize", "no", "--dir", str(self.root)]
        argv += ["--logfile", ""]  # log to stdout, which goes to redis.log
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.root
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not _redis_ping(self.port):
            if self.process.poll() is not None:
                raise ServiceError(
                    f"redis-server exited with {self.process.returncode} on port "
                    f"{self.port}\n--- {self.log_file} ---\n{_tail(self.log_file)}"
                )
            if time.monotonic() > deadline:
                self.stop_server()
                raise ServiceError(
                    f"redis-server did not answer PING on port {self.port}\n"
                    f"--- {self.log_file} ---\n{_tail(self.log_file)}"
                )
            time.sleep(0.05)

    def stop_server(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); `start_server` brings it back."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def restart(self) -> None:
        """Stop and start again on the same port (all data is lost: nothing is persisted)."""
        self.stop_server()
        self.start_server()

    def stop(self) -> None:
        if self._removed:
            return
        try:
            self.stop_server()
        finally:
            self._removed = True
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_redis(base_dir: Path) -> RedisService:
    """redis-server on a free loopback port, no persistence, as our child process."""
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
    )
    if binary is None:
        raise ServiceError(
            "redis-server not found: run `bash scripts/setup.sh` (apt-get install redis-server)"
        )
    _interrupt_on_sigterm()
    Path(base_dir).mkdir(parents=True, exist_ok=True)
    service = RedisService(
        Path(tempfile.mkdtemp(prefix="merimna-redis-", dir=base_dir)), binary, free_port()
    )
    atexit.register(service.stop)
    try:
        for attempt in range(3):
            try:
                service.start_server()
                break
            except ServiceError:
                if attempt == 2 or "Address already in use" not in _tail(service.log_file):
                    raise
                service.port = free_port()
    except BaseException:
        service.stop()
        raise
    return service


# --- command line --------------------------------------------------------------------------


def _up(env_file: Path) -> int:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    base = Path(tempfile.mkdtemp(prefix="merimna-services-"))
    pg: PostgresService | None = None
    redis: RedisService | None = None
    try:
        pg = start_postgres(base)
        redis = start_redis(base)
        lines = [
            f"MERIMNA_TEST_DATABASE_URL={pg.url}",
            f"MERIMNA_TEST_REDIS_URL={redis.url}",
            f"MERIMNA_TEST_PG_ADMIN_URL={pg.admin_url}",
        ]
        env_file.write_text("\n".join(lines) + "\n")
        print(
            "\n".join(lines),
            f"(written to {env_file}; Ctrl-C or SIGTERM stops both)",
            sep="\n",
            flush=True,
        )
        while not stop.wait(1.0):
            if redis.process is not None and redis.process.poll() is not None:
                print("redis-server exited", file=sys.stderr)
                return 1
        return 0
    finally:
        for service in (redis, pg):
            if service is not None:
                service.stop()
        env_file.unlink(missing_ok=True)  # its URLs point at servers that are gone now
        shutil.rmtree(base, ignore_errors=True)
        print("services stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start PostgreSQL and Redis until SIGTERM/SIGINT")
    up.add_argument(
        "--env-file", type=Path, required=True, help="where to write the MERIMNA_TEST_* URLs"
    )
    args = parser.parse_args(argv)
    try:
        return _up(args.env_file)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
