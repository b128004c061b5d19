"""A real PostgreSQL server (Debian's `postgresql` package) in a temp dir, for the shared-state tests.

`initdb` and `postgres` refuse to run as root, so under root they run as an
unprivileged user (`nobody`, or a `newsdesk-ci` user created for the purpose)
that owns the temp dir. The server listens on a free 127.0.0.1 port with its
unix socket in the temp dir, and fsync off: nothing here needs to survive a
crash. Each test gets a fresh database on the one session server.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

SUPERUSER = "newsdesk"
INITDB_OPTIONS = ("--auth=trust", "--encoding=UTF8", "--no-sync", "--no-instructions")
# Throwaway data: durability off makes CREATE DATABASE and commits fast.
SERVER_OPTIONS = ("listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off", "full_page_writes=off")
INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, postgres) not found; install Debian's postgresql package: "
    "apt-get install -y --no-install-recommends postgresql"
)


def _free_port() -> int:
    # Not tests.slack_harness.free_port: that module imports conftest, which imports this one.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin, else wherever `initdb` is on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def _unprivileged_user() -> pwd.struct_passwd | None:
    """None when not root (run as ourselves); otherwise a user postgres agrees to run as."""
    if os.geteuid() != 0:
        return None
    for name in ("nobody", "newsdesk-ci"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "newsdesk-ci"], check=True)
    return pwd.getpwnam("newsdesk-ci")


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int
    user: pwd.struct_passwd | None
    process: subprocess.Popen[bytes] | None = None
    databases: list[str] = field(default_factory=list)

    @property
    def log_path(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _dsn(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database} connect_timeout=2"

    def _run_as_owner(self, args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        owner: dict[str, object] = {}
        if self.user is not None:
            owner = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "HOME": str(self.root)}
        return subprocess.Popen(args, cwd=self.root, env=env, **owner, **kwargs)  # type: ignore[call-overload,no-any-return]

    def start(self) -> None:
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        with self.log_path.open("ab") as log:
            if self.user is not None:
                os.chown(self.log_path, self.user.pw_uid, self.user.pw_gid)
            initdb = self._run_as_owner(
                [str(self.bin_dir / "initdb"), "-D", str(self.root / "data"), "-U", SUPERUSER, *INITDB_OPTIONS],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            if initdb.wait(timeout=120) != 0:
                raise RuntimeError(f"initdb failed: {self._log_tail()}")
            self.process = self._run_as_owner(
                [
                    str(self.bin_dir / "postgres"),
                    "-D",
                    str(self.root / "data"),
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.root),
                ]
                + [arg for option in SERVER_OPTIONS for arg in ("-c", option)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_accepting()

    def _wait_until_accepting(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.process.returncode}: {self._log_tail()}")
            try:
                with psycopg.connect(self._dsn()):
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"postgres did not accept connections in {timeout:g} s: {self._log_tail()}"
                    ) from exc
                time.sleep(0.1)

    def _log_tail(self) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").strip().splitlines()[-5:])
        except OSError:
            return "(no log)"

    def create_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self._dsn(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return self.url(name)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)  # "fast" shutdown: disconnect clients, then exit
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the test session; fails (never skips) when the binaries are missing."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None or not (bin_dir / "postgres").exists():
        pytest.fail(INSTALL_HINT, pytrace=False)
    root = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))  # not under pytest's 0700 root-owned tmp tree
    server = PostgresServer(bin_dir, root, _free_port(), _unprivileged_user())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def postgres_url(postgres_server: PostgresServer) -> str:
    """A SQLAlchemy URL of a new database on the session's PostgreSQL server."""
    return postgres_server.create_database()
