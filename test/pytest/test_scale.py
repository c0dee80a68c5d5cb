"""porterd with 2,000 generated socket units (half unix, half TCP on
loopback), all enabled through sockets.target.wants: every one listens,
porterd holds exactly one fd per unit plus what it holds with a single unit,
and daemon-reload keeps every listener and fd.  Not a timed test: the bounds
are generous and only catch a start-up that went quadratic again (the
figures are in docs/PERFORMANCE.md, from tools/bench/scale.py)."""
import importlib.util
import os
import random
import time

import pytest

from conftest import SOURCE_DIR, program
from porterd_fixture import Porterd, wait_for

UNITS = 2000


def _bench_scale():
    """tools/bench/scale.py: the generator and the /proc count the
    benchmark uses, so that test and benchmark load the same units."""
    spec = importlib.util.spec_from_file_location("bench_scale", SOURCE_DIR / "tools" / "bench" / "scale.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bench = _bench_scale()


def pick_ports(n):
    """n consecutive free ports below the ephemeral range."""
    rng = random.Random(os.getpid())
    for _ in range(20):
        first = rng.randrange(11000, 30000 - n)
        if bench.ports_free(range(first, first + n)):
            return first
    pytest.skip(f"no {n} consecutive free ports between 11000 and 30000")


def generate(d, count, first_port):
    """count socket units and services, half unix in d/sock, half TCP;
    returns the TCP ports used."""
    return bench.generate(d, count, first_port, d / "sock")


def listening(d, ports):
    """Listening sockets on d's unix paths and on ports, from /proc."""
    return bench.count_listening(d / "sock", ports)


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def start(tmp_path, name, count):
    top = tmp_path / name
    units = top / "units"
    units.mkdir(parents=True)
    ports = generate(units, count, pick_ports(count // 2) if count > 1 else 0)
    d = Porterd(program("porterd"), top, units, extra=["--log-level", "info"])
    d.wait_log(f"Started {count} of {count} units.", timeout=60)
    return d, units, ports


def test_2000_socket_units_listen_with_one_fd_each(tmp_path, porterctl):
    # The constant: what porterd holds besides its one listener, before and
    # after a first control request (sd-event adds a timerfd for it).
    one, one_units, one_ports = start(tmp_path, "one", 1)
    try:
        assert listening(one_units, one_ports) == 1
        base = fd_count(one.proc.pid) - 1
        r = porterctl("--user", "daemon-reload", env={"XDG_RUNTIME_DIR": str(one.runtime)})
        assert r.returncode == 0, r.stderr
        one.wait_log("Reloaded ")
        time.sleep(0.2)
        base_after = fd_count(one.proc.pid) - 1
    finally:
        one.kill()

    d, units, ports = start(tmp_path, "many", UNITS)
    try:
        assert listening(units, ports) == UNITS
        assert fd_count(d.proc.pid) == UNITS + base

        env = {"XDG_RUNTIME_DIR": str(d.runtime)}
        r = porterctl("--user", "daemon-reload", env=env, timeout=60)
        assert r.returncode == 0, r.stderr
        d.wait_log("Reloaded ", timeout=60)
        assert listening(units, ports) == UNITS
        # porterctl's connection is closed once porterd notices its end.
        wait_for(lambda: fd_count(d.proc.pid) == UNITS + base_after, 10, f"{UNITS + base_after} fds after reload")

        # Every unit is loaded once: list-sockets shows each listener.
        r = porterctl("--user", "list-sockets", env=env, timeout=60)
        assert r.returncode == 0, r.stderr
        shown = [l for l in r.stdout.splitlines() if ".socket" in l]
        assert len(shown) == UNITS

        # A unit file added after start-up is still found by name (the
        # search directory changed since the scan): as systemd, a rescan.
        (units / "late.socket").write_text(f"[Socket]\nListenStream={units}/sock/late.sock\n")
        (units / "late.service").write_text("[Service]\nExecStart=/bin/cat\n")
        r = porterctl("--user", "start", "late.socket", env=env, timeout=60)
        assert r.returncode == 0, r.stderr + r.stdout
        wait_for(lambda: (units / "sock" / "late.sock").exists(), 10, "late.sock")
        assert d.sanitizer_reports() == []
    finally:
        assert d.terminate(timeout=60) == 0
        d.kill()
