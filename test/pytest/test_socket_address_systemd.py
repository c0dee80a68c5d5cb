# SPDX-License-Identifier: MIT
"""Listen addresses: porter's parser against systemd's own.

systemd-socket-activate (systemd 252 here) parses -l with systemd's
socket_address_parse(); porter-activate -l uses porter's.  For each address
both must agree: refused with the same error, or listening on the same
normalized address.  The forms systemd added after 252 (named VSOCK CIDs, the
vsock-*: prefixes) are checked against v258's documented behaviour instead.
"""
import os
import re
import shutil
import socket
import subprocess

import pytest

from conftest import program

SYSTEMD_ACTIVATE = shutil.which("systemd-socket-activate")

# {p} is replaced by a free high port.
ADDRESSES = [
    "{p}", "+{p}", "0x{px}", "0{p}", " {p}", "{p} ", "0", "65536", "99999999999",
    "127.0.0.1:{p}", "127.0.0.1:+{p}", "127.0.0.1:0x{px}", "127.0.0.1: {p}", "127.0.0.1:0",
    "127.0.0.1", "01.2.3.4:{p}", "1.2.3:{p}", "*:{p}", "localhost:{p}", ":{p}",
    "127.0.0.1:{p}%lo", "127.0.0.1:{p}%porter-nodev0",
    "[::1]:{p}", "[::1]:0{p}", "[::1]", "::1", "::1:{p}", "[::1:{p}", "[]:{p}",
    "[::1]:{p}%lo", "[::1]:{p}%1", "[fe80::1%lo]:{p}", "[::1]:{p}%porter-nodev0",
    "[::ffff:127.0.0.1]:{p}",
    "@porter-pytest-{p}", "@", "/", "relative/path",
    "vsock::{p}", "vsock:4294967295:{p}", "vsock:{p}",
]

# Accepted by systemd v258 (spec §2.1) but not by the 252 binary here.
V258_ONLY = ["vsock:host:{p}", "vsock:local:{p}", "vsock-stream::{p}", "vsock-dgram::{p}"]

RESULT = re.compile(r"(Listening on (?P<addr>.*) as 3\.|Failed to parse socket address .*: (?P<err>.*))$")


def outcome(argv):
    """('listen', address) or ('error', strerror) from an activator's stderr.

    systemd 252's activator has no --now: it listens and then waits for a
    connection, so the first matching line decides and the process (ours)
    is then stopped."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            m = RESULT.search(lines[-1])
            if m:
                return ("listen", m["addr"]) if m["addr"] else ("error", m["err"])
        return ("other", "\n".join(lines))
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stderr.close()


_next_port = [10000 + os.getpid() % 20000]


def free_port():
    """A TCP port nobody holds right now on [::] (dual-stack, so IPv4 too).
    Ports come from below the kernel's ephemeral range (32768 and up), so
    that outgoing connections of other programs on this machine cannot take
    one between this probe and the activators' bind()."""
    for _ in range(1000):
        port = _next_port[0]
        _next_port[0] = 10000 if port >= 31999 else port + 1
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
            s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            try:
                s6.bind(("::", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32768")


def fill(template):
    p = free_port()
    return template.format(p=p, px=format(p, "x"))


@pytest.mark.skipif(SYSTEMD_ACTIVATE is None, reason="systemd-socket-activate not installed")
@pytest.mark.parametrize("template", ADDRESSES)
def test_same_as_systemd(template):
    porter = program("porter-activate")
    address = fill(template)
    ours = outcome([porter, "-l", address, "true"])
    theirs = outcome([SYSTEMD_ACTIVATE, "-l", address, "true"])
    assert ours[0] in ("listen", "error"), ours
    assert ours == theirs, f"{address!r}: porter {ours}, systemd {theirs}"


@pytest.mark.parametrize("template", V258_ONLY)
def test_v258_vsock_forms(template):
    porter = program("porter-activate")
    address = fill(template)
    kind, detail = outcome([porter, "-l", address, "true"])
    # Parsing must succeed; listening may fail where VSOCK is missing.
    assert not (kind == "error" and detail), f"{address!r}: {detail}"


def test_v258_vsock_port_any_refused():
    # v258 refuses VMADDR_PORT_ANY (0xFFFFFFFF); systemd 252 accepted it.
    porter = program("porter-activate")
    assert outcome([porter, "-l", "vsock:1:4294967295", "true"]) == ("error", "Invalid argument")
