"""The sd_notify protocol and the environment porterd sets, end to end
(porter.service(5), spec §6.1 and §6.4): MAINPID= hands the main process
over to a descendant, FileDescriptorStoreMax= alone opens the notify
socket ($FDSTORE), ExecStopPost= learns how the service ended, and
Accept=yes instances made from the prepared template see
$RUNTIME_DIRECTORY."""
import os
import re
import signal

import pytest

from conftest import program, write_unit
from porterd_fixture import PYTHON, connect, free_port, idle_porterd, read_json, wait_for


@pytest.fixture
def setup(tmp_path, unit_dir):
    yield from idle_porterd(program("porterd"), program("porterctl"), tmp_path, unit_dir)


def prop(run, unit, name):
    r = run("-p", name, "show", unit)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().split("=", 1)[1]


def script(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return f"{PYTHON} {p}"


# The main process forks a child, names it with MAINPID= and exits: the
# child (reparented to porterd, a subreaper) is the service from then on.
HANDOVER = """
import os, socket, sys, time
pid = os.fork()
if pid == 0:
    os.execv("/bin/sleep", ["sleep", "421"])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(os.environ["NOTIFY_SOCKET"])
s.send(b"MAINPID=1\\n")              # not ours: refused
s.send(b"MAINPID=%d\\nREADY=1" % pid)
time.sleep(1)                        # let porterd read it before we exit
"""


def test_mainpid_hands_over_the_main_process(setup, unit_dir, tmp_path):
    run, d = setup
    write_unit(unit_dir, "handover.service",
               f"[Service]\nType=notify\nExecStart={script(tmp_path, 'h.py', HANDOVER)}\n")
    assert run("start", "handover.service").returncode == 0
    d.wait_log("Main PID changed to")
    pid = int(prop(run, "handover.service", "MainPID"))
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        assert f.read().split(b"\0")[:2] == [b"sleep", b"421"]
    assert f"Main PID changed to {pid}." in d.text()
    assert "New main PID 1 does not belong to service, refusing." in d.text()
    # The old main process exiting (porterd reaps it as an orphan) changes
    # nothing...
    old = int(re.search(r"Started main process (\d+)", d.text()).group(1))
    d.wait_log(f"Reaped orphan process {old}.")
    assert prop(run, "handover.service", "SubState") == "running"
    # ...the new one's exit is the main exit.
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: prop(run, "handover.service", "ActiveState") == "failed", what="the service to fail")
    assert prop(run, "handover.service", "Result") == "signal"


STORE = """
import json, os, socket, sys, time
with open(sys.argv[1], "w") as f:
    json.dump({k: os.environ.get(k) for k in ("NOTIFY_SOCKET", "FDSTORE")}, f)
r, w = os.pipe()
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(os.environ["NOTIFY_SOCKET"])
socket.send_fds(s, [b"FDSTORE=1\\nFDNAME=pipe"], [r])
time.sleep(300)
"""


def test_fd_store_max_alone_opens_the_notify_socket(setup, unit_dir, tmp_path):
    run, d = setup
    out = tmp_path / "store.json"
    write_unit(unit_dir, "store.service",
               f"[Service]\nExecStart={script(tmp_path, 's.py', STORE)} {out}\nFileDescriptorStoreMax=4\n")
    assert run("start", "store.service").returncode == 0
    env = read_json(out)
    assert env["NOTIFY_SOCKET"] and env["FDSTORE"] == "4"
    d.wait_log("Fd store holds 1 fds.")
    assert run("stop", "store.service").returncode == 0


DUMP_ENV = """
import json, os, sys
keys = ("SERVICE_RESULT", "EXIT_CODE", "EXIT_STATUS", "INVOCATION_ID", "MAINPID")
with open(sys.argv[1], "w") as f:
    json.dump({k: os.environ.get(k) for k in keys}, f)
"""


def main_env(pid):
    with open(f"/proc/{pid}/environ", "rb") as f:
        return dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)


def test_stop_commands_learn_the_result(setup, unit_dir, tmp_path):
    run, d = setup
    dump = script(tmp_path, "dump.py", DUMP_ENV)
    write_unit(unit_dir, "res.service",
               f"[Service]\nExecStart=/bin/sleep 431\nExecStop={dump} {tmp_path}/stop.json\n"
               f"ExecStopPost={dump} {tmp_path}/post.json\nKillMode=process\n")
    assert run("start", "res.service").returncode == 0
    pid = int(prop(run, "res.service", "MainPID"))
    invocation = main_env(pid)[b"INVOCATION_ID"].decode()
    assert re.fullmatch(r"[0-9a-f]{32}", invocation)
    assert run("stop", "res.service").returncode == 0
    stop, post = read_json(tmp_path / "stop.json"), read_json(tmp_path / "post.json")
    # ExecStop= runs while the main process does: no exit to report yet.
    assert stop == {"SERVICE_RESULT": "success", "EXIT_CODE": None, "EXIT_STATUS": None,
                    "INVOCATION_ID": invocation, "MAINPID": str(pid)}
    assert post == {"SERVICE_RESULT": "success", "EXIT_CODE": "killed", "EXIT_STATUS": "TERM",
                    "INVOCATION_ID": invocation, "MAINPID": None}

    # A failing main process: ExecStopPost= sees exit-code and the status;
    # a new run has a new invocation id.
    write_unit(unit_dir, "bad.service",
               f"[Service]\nExecStart=/bin/sh -c 'exit 7'\nExecStopPost={dump} {tmp_path}/bad.json\n")
    run("start", "bad.service")
    wait_for(lambda: (tmp_path / "bad.json").exists(), what="ExecStopPost= of bad.service")
    bad = read_json(tmp_path / "bad.json")
    assert (bad["SERVICE_RESULT"], bad["EXIT_CODE"], bad["EXIT_STATUS"]) == ("exit-code", "exited", "7")
    assert re.fullmatch(r"[0-9a-f]{32}", bad["INVOCATION_ID"]) and bad["INVOCATION_ID"] != invocation


RUNTIME = """
import os
print(os.environ.get("RUNTIME_DIRECTORY", "-"), flush=True)
"""


def test_accept_yes_template_sets_runtime_directory(setup, unit_dir, tmp_path):
    run, d = setup
    port = free_port()
    write_unit(unit_dir, "rt.socket", f"[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\n")
    write_unit(unit_dir, "rt@.service",
               f"[Service]\nExecStart={script(tmp_path, 'rt.py', RUNTIME)}\nStandardInput=socket\n"
               "RuntimeDirectory=rtdir\nRuntimeDirectoryPreserve=yes\n")
    assert run("start", "rt.socket").returncode == 0
    s = connect(port)
    line = s.makefile("rb").readline().decode().strip()
    s.close()
    assert line == str(d.runtime / "rtdir")
