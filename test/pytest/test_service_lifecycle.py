"""Service start/stop state machine against porterd (systemd v258
service.c semantics): control processes of a StandardInput=socket service."""
import os
import re
import signal
import socket
import subprocess
import time

from conftest import program, write_unit
from porterd_fixture import Porterd, free_port, wait_for


def test_accept_yes_control_processes_get_the_connection(tmp_path, unit_dir):
    # systemd's service_spawn() hands the socket to every process of a
    # StandardInput=socket service, control processes included: with the
    # default StandardOutput=inherit, ExecStartPre= and ExecStopPost= write
    # to the client too.  porter failed the start with ENOTUNIQ before.
    exe = program("porterd")
    port = free_port()
    write_unit(unit_dir, "life.socket", f"[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\n")
    write_unit(unit_dir, "life@.service",
               "[Service]\nExecStartPre=/bin/true\nExecStartPre=/bin/echo pre\nExecStart=/bin/echo ok\n"
               "ExecStopPost=/bin/echo post\nStandardInput=socket\n")
    d = Porterd(exe, tmp_path, unit_dir, start=("life.socket",))
    try:
        d.wait_log("Started 1 of 1 units.")
        for _ in range(2):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
                f = c.makefile("rb")
                assert f.read() == b"pre\nok\npost\n"
        d.wait_log("Changed stop-post -> dead", count=2)
        assert "Name not unique" not in d.text()
        assert d.terminate() == 0
    finally:
        d.kill()
    assert d.sanitizer_reports() == [], d.text()


def _porterctl(d):
    env = dict(os.environ, XDG_RUNTIME_DIR=str(d.runtime))
    ctl = program("porterctl")

    def run(*args):
        return subprocess.run([ctl, "--user", *args], capture_output=True, text=True, env=env, timeout=60)
    return run


def test_exec_condition_and_kill_mode_none(tmp_path, unit_dir):
    exe = program("porterd")
    mark = tmp_path / "post-ran"
    write_unit(unit_dir, "skip.service",
               "[Service]\nExecCondition=/bin/sh -c 'exit 7'\nExecStartPre=/bin/false\n"
               f"ExecStart=/bin/sleep 100\nExecStopPost=/bin/touch {mark}\nRestart=always\n")
    write_unit(unit_dir, "bad.service",
               "[Service]\nExecCondition=/bin/sh -c 'exit 255'\nExecStart=/bin/sleep 100\n")
    write_unit(unit_dir, "go.service", "[Service]\nExecCondition=/bin/true\nExecStart=/bin/sleep 100\n"
                                       "KillMode=none\n")
    d = Porterd(exe, tmp_path, unit_dir)
    run = _porterctl(d)
    sleeper = None
    try:
        d.wait_log("Started 0 of 0 units.")
        # 1-254: skipped, not failed, not restarted; ExecStopPost= still ran.
        r = run("start", "skip.service")
        assert r.returncode == 0, r.stderr
        assert run("is-active", "skip.service").stdout == "inactive\n"
        assert mark.exists()
        assert "Skipped due to 'exec-condition'" in d.text()
        # 255: a failure.
        assert run("start", "bad.service").returncode != 0
        assert run("is-active", "bad.service").stdout == "failed\n"
        # KillMode=none: the stop succeeds at once and leaves the process alone.
        assert run("start", "go.service").returncode == 0
        d.wait_log("go.service: Started main process ")
        pid = int(re.search(r"go\.service: Started main process (\d+)\.", d.text()).group(1))
        assert pid > 0
        sleeper = pid
        t = time.monotonic()
        assert run("stop", "go.service").returncode == 0
        assert time.monotonic() - t < 5
        assert run("is-active", "go.service").stdout == "inactive\n"
        os.kill(pid, 0)  # still alive
        assert "KillMode=none is deprecated" in d.text()
        assert d.terminate() == 0
    finally:
        if sleeper:
            try:
                os.kill(sleeper, signal.SIGKILL)
            except ProcessLookupError:
                pass
        d.kill()
    assert d.sanitizer_reports() == [], d.text()
