"""A throw-away PostgreSQL cluster on a free loopback port: identity's production database, for the
production rehearsal in the suite and for the benchmarks.

Debian's server binaries (``apt-get install postgresql``: ``/usr/lib/postgresql/<version>/bin``),
a fresh ``initdb`` in a temporary folder, the server on 127.0.0.1 only with its socket in that
folder, trust authentication for the ``postgres`` superuser, and no fsync (nothing here is worth
keeping after the run). ``initdb`` refuses to run as root: as root, every command runs as the
``postgres`` system user, who owns the folder.

    with PostgresCluster() as cluster:
        url = cluster.createdb("nexioq")   # postgres://postgres@127.0.0.1:<port>/nexioq
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from nexioq.devservers import free_port

POSTGRES_LIB = Path(os.environ.get("NEXIOQ_POSTGRES_LIB", "/usr/lib/postgresql"))
INSTALL = "sudo apt-get install -y postgresql"
SUPERUSER = "postgres"


def server_binaries(lib: Path = POSTGRES_LIB) -> Path:
    """The newest installed version's ``bin`` folder (initdb, pg_ctl, psql)."""
    found = sorted(
        (path.parent for path in lib.glob("*/bin/initdb")), key=lambda path: int(path.parent.name.split(".")[0])
    )
    if not found:
        raise RuntimeError(f"PostgreSQL's server is missing (no {lib}/*/bin/initdb): `{INSTALL}`.")
    return found[-1]


class PostgresCluster:
    """One cluster: ``start()``, ``createdb(name)`` -> its URL, ``stop()`` (which deletes everything)."""

    def __init__(self, *, port: int | None = None) -> None:
        self.bin = server_binaries()
        self.port = port or free_port()
        self.root: Path | None = None
        self.running = False
        # initdb refuses root; the system user Debian's package creates runs it instead.
        self._as = ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        """The maintenance database's URL (``createdb`` gives one per database)."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    @property
    def log_path(self) -> Path:
        assert self.root is not None, "start() the cluster first"
        return self.root / "server.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.root and self.log_path.exists() else ""

    def start(self) -> None:
        if self.running:
            return
        # Not under pytest's tmp_path: its folders are private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="nexioq-postgres-"))
        if self._as:
            user = pwd.getpwnam(SUPERUSER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        data = self.root / "data"
        self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        self._run("pg_ctl", "-D", str(data), "-l", str(self.log_path), "-o", options, "-w", "-t", "60", "start")
        self.running = True

    def stop(self) -> None:
        """Stop the server at once (nothing is kept) and delete the cluster."""
        if self.root is None:
            return
        if self.running:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop", check=False)
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def createdb(self, name: str) -> str:
        """A new empty database, owned by the superuser; returns its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name)
        return self.database_url(name)

    def dropdb(self, name: str) -> None:
        self._run("dropdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "--force", "--if-exists", name)

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [*self._as, str(self.bin / program), *args]
        # cwd: the postgres user may not be able to enter the caller's folder.
        result = subprocess.run(command, cwd=self.root, capture_output=True, text=True, timeout=120, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{program} failed ({result.returncode}): {result.stdout}{result.stderr}\n{self.log()}".rstrip()
            )
        return result

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
