"""Logging: a service's StandardOutput=journal output is read by porterd
into the unit's 100-line ring (status) and its log; with a journald socket
present porterd sends its lines there with UNIT=/PORTER_UNIT= fields."""
import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import program, write_unit
from porterd_fixture import PYTHON, idle_porterd, wait_for


@pytest.fixture
def setup(tmp_path, unit_dir):
    yield from idle_porterd(program("porterd"), program("porterctl"), tmp_path, unit_dir)


def log_lines(d, unit):
    addr = f"--address=unix:path={d.runtime}/porter/private"
    path = "/org/freedesktop/systemd1/unit/" + unit.replace(".", "_2e")
    r = subprocess.run(["busctl", addr, "--json=short", "get-property", "org.freedesktop.systemd1", path,
                        "io.porter.Unit1", "LogLines"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return [text for _, _, text in json.loads(r.stdout)["data"]]


def test_service_output_goes_to_the_ring(setup, unit_dir):
    run, d = setup
    if not shutil.which("busctl"):
        pytest.skip("busctl not installed")
    write_unit(unit_dir, "talk.service",
               "[Service]\nStandardOutput=journal\nExecStart=/bin/sh -c 'sleep 0.3; for i in $(seq 1 150); do echo line $i; done; "
               "echo oops >&2; printf partial; sleep 100'\n")
    assert run("start", "talk.service").returncode == 0
    wait_for(lambda: "oops" in run("status", "talk.service").stdout, what="output in status")
    r = run("status", "talk.service")
    assert "talk.service: line 150" in r.stdout, r.stdout
    lines = log_lines(d, "talk.service")
    assert len(lines) == 100
    assert lines[0] == "line 52" and lines[-2] == "line 150" and lines[-1] == "oops", lines[:3]
    # Also in porterd's log, with the program and its pid.
    assert "sh[" in d.text() and "]: line 7\n" in d.text()

    # A line without newline comes out once the pipe closes.
    assert run("stop", "talk.service").returncode == 0
    wait_for(lambda: "partial" in log_lines(d, "talk.service"), what="the last partial line")


def test_output_null_and_socket_are_not_captured(setup, unit_dir):
    run, d = setup
    write_unit(unit_dir, "quiet.service",
               "[Service]\nType=oneshot\nStandardOutput=null\nExecStart=/bin/echo hidden-text\n")
    assert run("start", "quiet.service").returncode == 0
    assert "hidden-text" not in run("status", "quiet.service").stdout
    assert "hidden-text" not in d.text()


JOURNAL_PROBE = textwrap.dedent("""
    import json, os, socket, subprocess, sys, time
    porterd, unit_dir, runtime, out = sys.argv[1:5]
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run/systemd"], check=True)
    os.makedirs("/run/systemd/journal")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("/run/systemd/journal/socket")
    s.settimeout(0.2)
    env = dict(os.environ, XDG_RUNTIME_DIR=runtime)
    env.pop("PORTER_LOG_TARGET", None)
    p = subprocess.Popen([porterd, "--user", "--unit-path", unit_dir, "--start", "hello.service"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    entries = []
    end = time.monotonic() + 10
    try:
        while time.monotonic() < end:
            try:
                data = s.recv(65536)
            except socket.timeout:
                if any(e.get("MESSAGE") == "hello from the service" for e in entries):
                    break
                continue
            e = {}
            for line in data.split(b"\\n"):
                if b"=" in line:
                    k, v = line.split(b"=", 1)
                    e[k.decode()] = v.decode(errors="replace")
            entries.append(e)
    finally:
        p.terminate()
        stderr = p.communicate(timeout=20)[0].decode(errors="replace")
    json.dump({"entries": entries, "stderr": stderr}, open(out, "w"))
""")


def test_journal_when_its_socket_exists(tmp_path, unit_dir):
    """In a private mount namespace, a datagram socket at
    /run/systemd/journal/socket stands in for journald and records what
    porterd sends through sd_journal_send()."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a private mount namespace")
    exe = program("porterd")
    write_unit(unit_dir, "hello.service", "[Service]\nStandardOutput=syslog\n"
               "ExecStart=/bin/sh -c 'echo hello from the service; sleep 100'\n")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    probe = tmp_path / "probe.py"
    probe.write_text(JOURNAL_PROBE)
    out = tmp_path / "out.json"
    r = subprocess.run(["unshare", "-m", "--propagation", "private", PYTHON, str(probe), exe, str(unit_dir),
                        str(runtime), str(out)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    got = json.loads(out.read_text())
    entries = got["entries"]
    own = [e for e in entries if e.get("SYSLOG_IDENTIFIER") == "porterd"]
    assert any("running as user manager" in e.get("MESSAGE", "") and "UNIT" not in e for e in own), entries
    assert any(e.get("UNIT") == "hello.service" and e.get("PORTER_UNIT") == "hello.service" for e in own), entries
    svc = [e for e in entries if e.get("MESSAGE") == "hello from the service"]
    assert svc and svc[0]["SYSLOG_IDENTIFIER"] == "sh" and svc[0]["UNIT"] == "hello.service", entries
    assert svc[0]["PRIORITY"] == "6"
    # Nothing of it went to stderr.
    assert "hello from the service" not in got["stderr"], got["stderr"]


def test_output_pipes_do_not_leak(setup, unit_dir, tmp_path):
    """A service restarted many times, each run printing: porterd's fd count
    is the same afterwards (one pipe per run, closed at its EOF)."""
    run, d = setup
    count = tmp_path / "count"
    write_unit(unit_dir, "flap.service",
               "[Unit]\nStartLimitIntervalSec=0\n[Service]\nStandardOutput=journal\nRestart=always\n"
               f"RestartSec=10ms\nExecStartPre=/bin/sh -c 'echo pre; echo x >> {count}'\n"
               "ExecStart=/bin/sh -c 'echo run; echo err >&2'\n")
    def runs():
        return len(count.read_text().splitlines()) if count.exists() else 0

    def fds():
        return sorted(os.listdir(f"/proc/{d.proc.pid}/fd"))
    # A first round lets sd-event make its timer fds; they stay.
    assert run("--no-block", "start", "flap.service").returncode == 0
    wait_for(lambda: runs() >= 3, timeout=30, what="3 runs")
    assert run("stop", "flap.service").returncode == 0
    fds_before = len(fds())
    assert run("--no-block", "start", "flap.service").returncode == 0
    wait_for(lambda: runs() >= 33, timeout=30, what="30 more runs")
    assert run("stop", "flap.service").returncode == 0
    wait_for(lambda: len(fds()) == fds_before, timeout=10, what=f"fd count back at {fds_before}")
    lines = log_lines(d, "flap.service") if shutil.which("busctl") else []
    assert not lines or ("run" in lines and "pre" in lines and "err" in lines)
