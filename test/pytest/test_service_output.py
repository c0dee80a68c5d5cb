"""Default StandardOutput=/StandardError=, as systemd: a service that sets
neither writes both streams into one pipe that porterd reads into its log
and the unit's ring (`porterctl status`); with StandardInput=socket stdout
is the connection instead (Accept=yes instances get no pipe)."""
import os
import socket

import pytest

from conftest import program, write_unit
from porterd_fixture import free_port, idle_porterd, wait_for


@pytest.fixture
def setup(tmp_path, unit_dir):
    yield from idle_porterd(program("porterd"), program("porterctl"), tmp_path, unit_dir)


def main_pid(run, unit):
    r = run("-p", "MainPID", "show", unit)
    return int(r.stdout.strip().split("=")[1])


def test_default_output_reaches_status_and_log(setup, unit_dir):
    run, d = setup
    write_unit(unit_dir, "talk.service",
               "[Service]\nExecStart=/bin/sh -c 'echo to-stdout; echo to-stderr >&2; exec sleep 100'\n")
    assert run("start", "talk.service").returncode == 0
    wait_for(lambda: "to-stderr" in run("status", "talk.service").stdout, what="output in status")
    r = run("status", "talk.service")
    assert "talk.service: to-stdout" in r.stdout and "talk.service: to-stderr" in r.stdout, r.stdout
    # In porterd's log (stderr here), with the program and its pid.
    wait_for(lambda: "]: to-stderr" in d.text(), what="output in porterd's log")
    assert "sh[" in d.text() and "]: to-stdout" in d.text()
    # One pipe for both streams; stdin stays /dev/null.
    pid = main_pid(run, "talk.service")
    out, err = os.readlink(f"/proc/{pid}/fd/1"), os.readlink(f"/proc/{pid}/fd/2")
    assert out.startswith("pipe:") and out == err, (out, err)
    assert os.readlink(f"/proc/{pid}/fd/0") == "/dev/null"
    assert run("stop", "talk.service").returncode == 0


def test_explicit_settings_are_kept(setup, unit_dir, tmp_path):
    run, d = setup
    log = tmp_path / "out.log"
    write_unit(unit_dir, "quiet.service",
               f"[Service]\nStandardOutput=null\nStandardError=append:{log}\n"
               "ExecStart=/bin/sh -c 'echo hidden-line; echo err-line >&2; exec sleep 100'\n")
    assert run("start", "quiet.service").returncode == 0
    wait_for(lambda: log.exists() and "err-line" in log.read_text(), what="stderr in the file")
    r = run("status", "quiet.service")
    assert "hidden-line" not in r.stdout and "err-line" not in r.stdout, r.stdout
    assert "hidden-line" not in d.text()
    pid = main_pid(run, "quiet.service")
    assert os.readlink(f"/proc/{pid}/fd/1") == "/dev/null"
    assert run("stop", "quiet.service").returncode == 0


def test_accept_yes_stdin_socket_writes_to_the_connection(setup, unit_dir):
    run, d = setup
    port = free_port()
    write_unit(unit_dir, "say.socket", f"[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\n")
    write_unit(unit_dir, "say@.service",
               "[Service]\nStandardInput=socket\nExecStart=/bin/sh -c 'echo over-the-socket; read x'\n")
    assert run("start", "say.socket").returncode == 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
        f = c.makefile("rb")
        assert f.readline() == b"over-the-socket\n"
    # Nothing of it went to the log or a ring.
    assert "over-the-socket" not in d.text()
