"""Type=forking without PIDFile=: porterd guesses the main PID as systemd
does with its cgroup, from the session the service started in: the only
live process left there that is porterd's child (reparented to porterd,
the child subreaper) becomes the main PID.  With none or several, the
service counts as running until stopped, and the log says why."""
import os
import signal

import pytest

from conftest import program, write_unit
from porterd_fixture import idle_porterd, wait_for


@pytest.fixture
def setup(tmp_path, unit_dir):
    yield from idle_porterd(program("porterd"), program("porterctl"), tmp_path, unit_dir)


def prop(run, unit, name):
    r = run("-p", name, "show", unit)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().split("=", 1)[1]


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().split(b"\0")[:-1]


def children_running(parent, argv):
    """Pids of parent's children whose command line is argv."""
    found = []
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            with open(f"/proc/{e}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid == parent and cmdline(e) == argv:
                found.append(int(e))
        except (OSError, IndexError, ValueError):
            pass
    return found


def test_the_one_process_left_becomes_main_pid(setup, unit_dir):
    run, d = setup
    write_unit(unit_dir, "daemon.service",
               "[Service]\nType=forking\nExecStart=/bin/sh -c 'sleep 311 & exit 0'\n")
    assert run("start", "daemon.service").returncode == 0
    pid = int(prop(run, "daemon.service", "MainPID"))
    assert pid > 0 and cmdline(pid) == [b"sleep", b"311"]
    assert prop(run, "daemon.service", "SubState") == "running"
    assert f"Main PID {pid} from its session" in d.text()
    # The daemon dies: the service notices (before, it stayed "running").
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: prop(run, "daemon.service", "ActiveState") == "failed", what="the service to fail")
    assert prop(run, "daemon.service", "Result") == "signal"


def test_stop_stops_the_guessed_main_pid(setup, unit_dir):
    run, d = setup
    write_unit(unit_dir, "daemon.service",
               "[Service]\nType=forking\nExecStart=/bin/sh -c 'sleep 312 & exit 0'\n")
    assert run("start", "daemon.service").returncode == 0
    pid = int(prop(run, "daemon.service", "MainPID"))
    assert pid > 0
    assert run("stop", "daemon.service").returncode == 0
    assert prop(run, "daemon.service", "ActiveState") == "inactive"
    assert not os.path.exists(f"/proc/{pid}/cmdline") or cmdline(pid) != [b"sleep", b"312"]


def test_several_processes_left_keep_the_old_behaviour(setup, unit_dir):
    run, d = setup
    write_unit(unit_dir, "two.service",
               "[Service]\nType=forking\nExecStart=/bin/sh -c 'sleep 313 & sleep 314 & exit 0'\n")
    assert run("start", "two.service").returncode == 0
    assert prop(run, "two.service", "MainPID") == "0"
    assert prop(run, "two.service", "SubState") == "running"
    assert "Several processes are left in session" in d.text()
    # Stopping still signals the session's process group.
    assert run("stop", "two.service").returncode == 0
    wait_for(lambda: not children_running(d.proc.pid, [b"sleep", b"313"])
             and not children_running(d.proc.pid, [b"sleep", b"314"]), what="both sleeps to end")


def test_a_daemon_that_left_the_session_is_not_guessed(setup, unit_dir):
    run, d = setup
    write_unit(unit_dir, "away.service",
               "[Service]\nType=forking\nExecStart=/bin/sh -c '(setsid sleep 315 &); sleep 0.5; exit 0'\n")
    try:
        assert run("start", "away.service").returncode == 0
        assert prop(run, "away.service", "MainPID") == "0"
        assert prop(run, "away.service", "SubState") == "running"
        assert "No process of session" in d.text()
    finally:
        # Out of the session, the stop signal does not reach it: ours to end.
        for pid in children_running(d.proc.pid, [b"sleep", b"315"]):
            os.kill(pid, signal.SIGKILL)
    assert run("stop", "away.service").returncode == 0


def test_a_guessed_middle_process_hands_on_to_the_daemon(setup, unit_dir):
    """A daemon that forks twice may be guessed while its middle process is
    still there; once that exits, the process it left in the session is
    the main PID."""
    run, d = setup
    write_unit(unit_dir, "twice.service",
               "[Service]\nType=forking\n"
               "ExecStart=/bin/sh -c '(sleep 0.5; sleep 317 & exit 0) & exit 0'\n")
    assert run("start", "twice.service").returncode == 0
    first = int(prop(run, "twice.service", "MainPID"))
    assert first > 0 and cmdline(first)[0] == b"/bin/sh"
    wait_for(lambda: prop(run, "twice.service", "MainPID") != str(first), what="a new main PID")
    pid = int(prop(run, "twice.service", "MainPID"))
    assert cmdline(pid) == [b"sleep", b"317"]
    assert prop(run, "twice.service", "SubState") == "running"
    assert "after the previous one exited" in d.text()
    assert run("stop", "twice.service").returncode == 0
    assert not children_running(d.proc.pid, [b"sleep", b"317"])


def test_a_guessed_middle_process_whose_daemon_left_the_session(setup, unit_dir):
    """Its daemon called setsid(): nobody is left to watch, and the service
    counts as running until stopped, as without a guess."""
    run, d = setup
    write_unit(unit_dir, "gone.service",
               "[Service]\nType=forking\n"
               "ExecStart=/bin/sh -c '(sleep 0.5; setsid sleep 318 & sleep 0.2; exit 0) & exit 0'\n")
    try:
        assert run("start", "gone.service").returncode == 0
        assert int(prop(run, "gone.service", "MainPID")) > 0
        d.wait_log("Main PID exited and no process is left in session")
        assert prop(run, "gone.service", "MainPID") == "0"
        assert prop(run, "gone.service", "SubState") == "running"
    finally:
        for pid in children_running(d.proc.pid, [b"sleep", b"318"]):
            os.kill(pid, signal.SIGKILL)
    assert run("stop", "gone.service").returncode == 0
