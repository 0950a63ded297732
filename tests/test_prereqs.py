"""scripts/prereqs.sh holds Node to what the locked npm packages declare, so the two cannot drift apart, and asks
for Redis the way it asks for Java."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PREREQS = BASE_DIR / "scripts" / "prereqs.sh"


def prereqs(
    lock: Path, *, path: str | None = None, mode: str = "run", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # "run" mode: the checks `make run` does; `make test` already ran them, so nothing is installed here.
    # "test" mode adds the suite's own (Chromium, PostgreSQL): only with a PATH without apt-get here.
    environ = os.environ | {"NEXIOQ_PACKAGE_LOCK": str(lock)} | (env or {})
    if path is not None:
        environ["PATH"] = path
    return subprocess.run([str(PREREQS), mode], cwd=BASE_DIR, env=environ, capture_output=True, text=True, timeout=120)


def test_it_refuses_a_node_outside_a_locked_packages_engines(tmp_path: Path) -> None:
    lock = tmp_path / "package-lock.json"
    packages = {
        "": {"name": "nexioq", "devDependencies": {"from-the-future": "1.0.0"}},
        "node_modules/from-the-future": {"version": "1.0.0", "dev": True, "engines": {"node": ">=99.0.0"}},
        "node_modules/tslib": {"version": "2.8.1", "dev": True, "engines": {"node": ">=6"}},
    }
    lock.write_text(json.dumps({"name": "nexioq", "lockfileVersion": 3, "requires": True, "packages": packages}))

    result = prereqs(lock)

    assert result.returncode == 1, result.stdout + result.stderr
    node_binary = shutil.which("node")
    assert node_binary is not None
    node = subprocess.run([node_binary, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    problems = [line for line in result.stderr.splitlines() if "Node.js" in line]
    assert len(problems) == 1, result.stderr  # tslib's range fits
    assert f"Node.js >=99.0.0 for from-the-future, as declared in {lock} (found {node})" in problems[0]


def test_it_accepts_this_machines_node_for_the_projects_lock() -> None:
    result = prereqs(BASE_DIR / "package-lock.json")

    assert result.returncode == 0, result.stderr
    assert "Node.js" not in result.stderr


def path_without(tmp_path: Path, *hidden: str) -> str:
    """A PATH with every program of this one but ``hidden``: links in one directory, first found wins."""
    farm = tmp_path / "bin"
    farm.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            target = farm / entry.name
            if entry.name in hidden or target.exists() or target.is_symlink():
                continue
            if entry.is_file() and os.access(entry.path, os.X_OK):
                target.symlink_to(entry.path)
    return str(farm)


def test_it_prints_the_exact_install_line_for_a_missing_redis_when_it_cannot_install(tmp_path: Path) -> None:
    # Without apt-get (as for a user who is not root) the script cannot install: it must say how.
    path = path_without(tmp_path, "redis-server", "apt-get")

    result = prereqs(BASE_DIR / "package-lock.json", path=path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "  - System packages: sudo apt-get install -y redis-server" in result.stderr.splitlines()


def test_it_finds_redis_on_this_machine() -> None:
    assert shutil.which("redis-server") is not None
    result = prereqs(BASE_DIR / "package-lock.json")

    assert result.returncode == 0, result.stderr
    assert "redis-server" not in result.stderr


def test_it_prints_the_exact_install_line_for_a_missing_postgresql_when_it_cannot_install(tmp_path: Path) -> None:
    # Debian keeps the server binaries off PATH, in /usr/lib/postgresql/<version>/bin: here an empty folder.
    path = path_without(tmp_path, "apt-get")
    (tmp_path / "postgresql").mkdir()

    result = prereqs(
        BASE_DIR / "package-lock.json",
        path=path,
        mode="test",
        env={"NEXIOQ_POSTGRES_LIB": str(tmp_path / "postgresql")},
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "  - System packages: sudo apt-get install -y postgresql" in result.stderr.splitlines()


def test_it_finds_postgresqls_server_on_this_machine(tmp_path: Path) -> None:
    # The same PATH without apt-get: found, so nothing to install and nothing asked for.
    from deploy.postgres import server_binaries

    assert (server_binaries() / "initdb").exists()
    result = prereqs(BASE_DIR / "package-lock.json", path=path_without(tmp_path, "apt-get"), mode="test")

    assert result.returncode == 0, result.stderr
    assert "postgresql" not in result.stderr
