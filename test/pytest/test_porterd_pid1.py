"""porterd as PID 1 of a fresh pid+mount namespace (as in a container): it
reaps every orphan and SIGTERM stops all units and exits 0."""
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import program, write_unit
from porterd_fixture import PROBE, PYTHON, free_port, read_line, wait_for


def children(pid):
    """(pid, state) of the processes whose parent is pid, seen from here."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            out.append((int(d), fields[0]))
    return out


@pytest.fixture
def pid1_porterd(tmp_path, unit_dir):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare(1) for a pid namespace")
    exe = program("porterd")
    procs = []

    def start(*units):
        log = open(tmp_path / "porterd.log", "wb")
        args = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
                exe, "--system", "--unit-path", str(unit_dir), "--log-level", "debug"]
        for u in units:
            args += ["--start", u]
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        procs.append(p)
        # porterd is unshare's only child.
        kids = wait_for(lambda: children(p.pid), what="porterd in its namespace")
        return p, kids[0][0], tmp_path / "porterd.log"
    yield start
    for p in procs:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(10)


def test_reaps_orphans_and_exits_on_sigterm(pid1_porterd, unit_dir, tmp_path):
    port = free_port()
    # Each connection leaves an orphan behind: the shell backgrounds a sleep
    # and exits, so the sleep is reparented to PID 1.
    write_unit(unit_dir, "orphan.socket", f"[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\n")
    write_unit(unit_dir, "orphan@.service",
               "[Service]\nExecStart=/bin/sh -c '/bin/sleep 0.3 & echo spawned'\nStandardInput=socket\n")
    unshare, porterd, log = pid1_porterd("orphan.socket")
    wait_for(lambda: b"Started 1 of 1 units." in log.read_bytes(), what="startup")

    for _ in range(5):
        assert read_line(port) == "spawned\n"
    # The sleeps end after 0.3 s; none may stay a zombie under porterd.
    time.sleep(1.0)
    zombies = [c for c in children(porterd) if c[1] == "Z"]
    assert zombies == []
    assert b"Reaped orphan process" in log.read_bytes()

    os.kill(porterd, signal.SIGTERM)
    assert unshare.wait(20) == 0
    assert b"Stopping all units." in log.read_bytes()
