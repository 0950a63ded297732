"""DynamoDB Local, started the way ``make run`` and the suite start it, is reachable from this machine only."""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
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
