"""The local servers, started the way ``make run`` and the suite start them, are reachable from this machine only;
``make run`` starts them all and stops them all."""

from __future__ import annotations

import contextlib
import fcntl
import http.cookiejar
import ipaddress
import os
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest

from nexioq import devservers

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
TCP_LISTEN = "0A"  # state column of /proc/net/tcp{,6}
SIOCGIFADDR = 0x8915  # linux/sockios.h: an interface's IPv4 address


@pytest.fixture(scope="module")
def dynamodb_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Its own server with data on disk, as ``make run`` keeps it (the suite's shared one is in memory)."""
    port = devservers.free_port()
    process = devservers.start_dynamodb_local(port=port, data_dir=tmp_path_factory.mktemp("dynamodb"))
    yield port
    devservers.stop(process)


def proc_net_address(hex_address: str) -> IPAddress:
    """An address as /proc/net/tcp{,6} prints it: 32-bit words in the kernel's byte order.

    An IPv6 socket bound to an IPv4 address (Java's usual way) reads as that IPv4 address.
    """
    words = [int(hex_address[i : i + 8], 16) for i in range(0, len(hex_address), 8)]
    address = ipaddress.ip_address(b"".join(struct.pack("=I", word) for word in words))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def listening_addresses(port: int) -> list[IPAddress]:
    """The local address of every listening TCP socket on ``port``, IPv4 and IPv6."""
    found = []
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():  # a kernel without IPv6 has no tcp6
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            hex_address, hex_port = fields[1].split(":")
            if fields[3] == TCP_LISTEN and int(hex_port, 16) == port:
                found.append(proc_net_address(hex_address))
    return found


def own_addresses() -> list[tuple[socket.AddressFamily, str, int]]:
    """This machine's non-loopback addresses: (family, address, IPv6 scope id)."""
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                reply = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)
            except OSError:  # the interface has no IPv4 address
                continue
            v4 = ipaddress.IPv4Address(reply[20:24])  # ifreq: 16-byte name, then sockaddr_in
            if not v4.is_loopback:
                found.append((socket.AF_INET, str(v4), 0))
    if_inet6 = Path("/proc/net/if_inet6")
    if if_inet6.exists():
        for line in if_inet6.read_text().splitlines():
            hex_address, hex_index, *_ = line.split()
            v6 = ipaddress.IPv6Address(bytes.fromhex(hex_address))
            if not v6.is_loopback:
                found.append((socket.AF_INET6, str(v6), int(hex_index, 16) if v6.is_link_local else 0))
    return found


def test_it_listens_on_loopback_only(dynamodb_port: int) -> None:
    assert listening_addresses(dynamodb_port) == [ipaddress.IPv4Address("127.0.0.1")]


def test_it_refuses_connections_on_the_machines_own_addresses(dynamodb_port: int) -> None:
    targets = own_addresses()
    if not targets:
        pytest.skip("this machine has no address but loopback (the /proc test still proves the binding)")

    for family, address, scope_id in targets:
        sockaddr = (address, dynamodb_port) if family == socket.AF_INET else (address, dynamodb_port, 0, scope_id)
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            with pytest.raises(ConnectionRefusedError):
                sock.connect(sockaddr)


def test_it_answers_dynamodb_requests_on_loopback(dynamodb_port: int) -> None:
    client = botocore.session.get_session().create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{dynamodb_port}",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )

    assert client.list_tables()["TableNames"] == []


def assert_loopback_only(port: int) -> None:
    assert listening_addresses(port) == [ipaddress.IPv4Address("127.0.0.1")]
    for family, address, scope_id in own_addresses():
        sockaddr = (address, port) if family == socket.AF_INET else (address, port, 0, scope_id)
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            with pytest.raises(ConnectionRefusedError):
                sock.connect(sockaddr)


def test_redis_listens_on_loopback_only_and_keeps_its_data_in_its_directory(tmp_path: Path) -> None:
    port = devservers.free_port()
    process = devservers.start_redis(port=port, data_dir=tmp_path)
    try:
        assert devservers.redis_ping(port)
        assert_loopback_only(port)
    finally:
        devservers.stop(process)

    assert process.returncode == 0
    assert (tmp_path / "dump.rdb").is_file()  # saved on a clean stop, as `make run` keeps it under var/redis


def test_the_mail_sink_listens_on_loopback_only(tmp_path: Path) -> None:
    port = devservers.free_port()
    process = devservers.start_mail_sink(port=port, directory=tmp_path)
    try:
        assert_loopback_only(port)
    finally:
        devservers.stop(process)


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def still_running(pids: list[int], *, seconds: float = 15) -> list[str]:
    """Those of ``pids`` still alive after ``seconds`` (zombies count as gone), with their command lines.

    A Celery worker's pool children exit just after their parent; on a loaded machine that takes a moment.
    """
    deadline = time.monotonic() + seconds
    while True:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if state != "Z":
                alive.append(f"{pid} {command}")
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def descendants_of(pid: int) -> set[int]:
    found = children_of(pid)
    for child in list(found):
        found |= descendants_of(child)
    return found


def read_lines(stream: object, into: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)


def request_password_reset(web: str, email: str) -> None:
    """What a visitor does in the browser: the form, then a POST with its CSRF token and cookie."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{web}/accounts/password/reset/", timeout=30) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None, form
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "email": email}).encode()
    request = urllib.request.Request(f"{web}/accounts/password/reset/", data=data, headers={"Referer": web})  # noqa: S310 - http on loopback
    with opener.open(request, timeout=30) as response:
        assert response.status == 200


def test_make_run_starts_every_server_and_stops_them_all(tmp_path: Path) -> None:
    ports = {name: devservers.free_port() for name in ("web", "dynamo", "redis", "mail")}
    var = tmp_path / "var"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DYNAMODB_", "REDIS_", "EMAIL_", "CELERY_", "MAIL_"))
    }
    env.update(SQLITE_PATH=str(var / "identity.sqlite3"), PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "nexioq.devservers", "run", "--var", str(var)]
    for name in ("port", "dynamo-port", "redis-port", "mail-port"):
        command += [f"--{name}", str(ports[name.removesuffix("-port") if name != "port" else "web"])]
    process = subprocess.Popen(
        command, cwd=devservers.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    output: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while not any("Mail sent:" in line for line in output):
            assert time.monotonic() < deadline and process.poll() is None, "".join(output)
            with contextlib.suppress(queue.Empty):
                output.append(lines.get(timeout=1))
        devservers.wait_for_port(ports["web"], timeout=60)
        web = f"http://127.0.0.1:{ports['web']}"
        # Mail the web process sends goes through the sink to var/mail and /dev/mail/.
        request_password_reset(web, "paciente@sonrisa.example")
        deadline = time.monotonic() + 30
        while not list((var / "mail").glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.2)
        [eml] = (var / "mail").glob("*.eml")
        with urllib.request.build_opener().open(f"{web}/dev/mail/", timeout=30) as response:
            assert response.status == 200
            page = response.read().decode()
        assert "paciente@sonrisa.example" in page
        assert f"/dev/mail/{eml.name}/" in page
        assert f"http://127.0.0.1:{ports['web']}/dev/mail/ (also as .eml files in {var / 'mail'})" in "".join(output)
        for name in ("redis", "mail"):
            assert_loopback_only(ports[name])
        started = descendants_of(process.pid)
        assert len(started) >= 6  # DynamoDB Local, Redis, the sink, the worker (and its pool), beat, runserver
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=120)

    assert code == 0, "".join(output)
    assert [name for name, port in ports.items() if devservers.port_open(port)] == []
    assert still_running(started) == []
    assert (var / "redis" / "dump.rdb").is_file()
    assert (var / "log" / "celery-worker.log").is_file()
    assert list(var.glob("celerybeat-schedule*"))
