"""porterd's control socket: porterctl verbs and busctl against a user-mode
porterd with a temporary XDG_RUNTIME_DIR."""
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import program, write_unit
from porterd_fixture import PROBE, PYTHON, Porterd, free_port, read_line, wait_for


@pytest.fixture
def setup(tmp_path, unit_dir):
    exe = program("porterd")
    ctl = program("porterctl")
    port = free_port()
    write_unit(unit_dir, "web.socket", f"[Socket]\nListenStream=127.0.0.1:{port}\n")
    write_unit(unit_dir, "web.service",
               f"[Service]\nType=notify\nExecStart={PYTHON} {PROBE} notify {tmp_path}/web.json\n")
    write_unit(unit_dir, "broken.service", "[Service]\nType=oneshot\nExecStart=/bin/false\n")
    d = Porterd(exe, tmp_path, unit_dir, start=("web.socket",))
    env = dict(os.environ, XDG_RUNTIME_DIR=str(d.runtime))

    def run(*args, user=None):
        cmd = [ctl, "--user", *args]
        if user:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    wait_for(lambda: (d.runtime / "porter" / "private").exists(), what="control socket")
    d.wait_log("Started 1 of 1 units.")
    yield run, port, d
    d.kill()
    assert d.sanitizer_reports() == [], d.text()


def test_list_sockets_and_units(setup):
    run, port, d = setup
    r = run("list-sockets")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["LISTEN", "PROTO", "UNIT", "ACTIVATES"]
    assert f"127.0.0.1:{port}" in lines[1] and "tcp" in lines[1] and "web.socket" in lines[1] \
        and "web.service" in lines[1]
    assert "1 sockets listed." in r.stdout
    r = run("--no-legend", "list-sockets")
    assert len(r.stdout.splitlines()) == 1

    r = run("list-units")
    assert r.returncode == 0
    assert "web.socket" in r.stdout and "listening" in r.stdout
    assert "web.service" not in r.stdout, "inactive units are not listed"


def test_status_and_is_active_exit_codes(setup):
    run, port, d = setup
    r = run("status", "web.socket")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Active: active (listening)" in r.stdout
    assert f"Listen: 127.0.0.1:{port} (Stream, tcp)" in r.stdout
    assert "Listening on web.socket." in r.stdout

    assert run("is-active", "web.socket").stdout == "active\n"
    r = run("is-active", "web")
    assert (r.returncode, r.stdout) == (3, "inactive\n")
    r = run("status", "nosuch.socket")
    assert r.returncode == 4 and "could not be found" in r.stderr

    # A connection starts the notify service; its STATUS= shows.
    assert read_line(port).startswith("hello web.socket ")
    wait_for(lambda: run("is-active", "web").returncode == 0, what="web.service active")
    r = run("status", "web.service")
    assert r.returncode == 0
    assert 'Status: "probing"' in r.stdout
    assert "Main PID:" in r.stdout


def test_start_stop(setup):
    run, port, d = setup
    r = run("stop", "web.socket")
    assert r.returncode == 0, r.stderr
    assert run("is-active", "web.socket").returncode == 3
    r = run("status", "web.socket")
    assert r.returncode == 3 and "Active: inactive (dead)" in r.stdout
    r = run("start", "web.socket")
    assert r.returncode == 0, r.stderr
    assert read_line(port).startswith("hello web.socket ")

    r = run("start", "nosuch.socket")
    assert r.returncode == 5 and "nosuch.socket" in r.stderr

    # A oneshot service that fails: start waits for it, reports and shows
    # its log (a Type=simple one counts as started once it runs, as in
    # systemctl).
    r = run("start", "broken.service")
    assert r.returncode == 1
    assert "Job for broken.service failed because the control process exited with error code." in r.stderr
    assert 'See "porterctl --user status broken.service" for details.' in r.stderr
    assert "Main process exited, code=exited, status=1" in r.stdout
    assert run("is-active", "broken.service").stdout == "failed\n"


def test_unprivileged_peer_may_read_not_change(setup):
    run, port, d = setup
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to act as another user")
    # Let the other user reach the socket: o+x on the temporary directories.
    for p in [d.runtime, *d.runtime.parents]:
        if str(p) in ("/", "/tmp"):
            break
        os.chmod(p, os.stat(p).st_mode | 0o011)
    r = run("is-active", "web.socket", user=65534)
    assert (r.returncode, r.stdout) == (0, "active\n"), r.stderr
    r = run("stop", "web.socket", user=65534)
    assert r.returncode == 1
    assert "Only root" in r.stderr
    assert run("is-active", "web.socket").returncode == 0


def test_busctl_peer_to_peer(setup):
    run, port, d = setup
    if not shutil.which("busctl"):
        pytest.skip("busctl not installed")
    addr = f"unix:path={d.runtime}/porter/private"
    r = subprocess.run(["busctl", f"--address={addr}", "get-property", "org.freedesktop.systemd1",
                        "/org/freedesktop/systemd1/unit/web_2esocket", "org.freedesktop.systemd1.Unit",
                        "ActiveState"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout == 's "active"\n'


def test_status_counts_mptcp_and_fallback(setup, unit_dir, tmp_path):
    run, port, d = setup
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262).close()
    except OSError as e:
        pytest.skip(f"no MPTCP here: {e}")
    mport = free_port()
    write_unit(unit_dir, "mp.socket",
               f"[Socket]\nListenStream=127.0.0.1:{mport}\nSocketProtocol=mptcp\nAccept=yes\n")
    write_unit(unit_dir, "mp@.service", "[Service]\nExecStart=/bin/echo ok\nStandardInput=socket\n")
    assert run("start", "mp.socket").returncode == 0
    r = run("list-sockets")
    assert any(f"127.0.0.1:{mport}" in l and " mptcp " in f" {l} " for l in r.stdout.splitlines()), r.stdout

    assert read_line(mport) == "ok\n"                      # plain TCP client: fallback
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262) as c:
        c.settimeout(5)
        c.connect(("127.0.0.1", mport))
        assert c.makefile("rb").readline() == b"ok\n"      # MPTCP client
    r = run("status", "mp.socket")
    assert "Accepted: 2;" in r.stdout
    assert "MPTCP: 1; fell back to TCP: 1" in r.stdout, r.stdout


def test_second_porterd_on_same_runtime_dir_refuses(setup, tmp_path, unit_dir):
    run, port, d = setup
    env = dict(os.environ, XDG_RUNTIME_DIR=str(d.runtime))
    r = subprocess.run([program("porterd"), "--user", "--unit-path", str(unit_dir)],
                       capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 1
    assert "Another porterd is already running" in r.stderr
    # The first one is untouched.
    assert run("is-active", "web.socket").returncode == 0
    assert read_line(port).startswith("hello web.socket ")


def test_json_output(setup):
    import json
    run, port, d = setup
    r = run("-o", "json", "list-units")
    assert r.returncode == 0, r.stderr
    units = json.loads(r.stdout)
    assert {"unit": "web.socket", "load": "loaded", "active": "active", "sub": "listening",
            "description": "web.socket"} in units
    r = run("--json", "list-sockets")
    socks = json.loads(r.stdout)
    assert socks == [{"listen": f"127.0.0.1:{port}", "proto": "tcp", "unit": "web.socket",
                      "activates": "web.service"}]


def test_type_forking_with_pidfile(setup, unit_dir, tmp_path):
    """The classic daemon: fork, setsid, write a PID file, the parent exits.
    porterd (a child subreaper) watches the daemon through PIDFile=."""
    run, port, d = setup
    pidfile = tmp_path / "daemon.pid"
    script = tmp_path / "daemon.py"
    script.write_text(
        "import os, sys, time\n"
        "if os.fork() > 0:\n"
        "    sys.exit(0)\n"
        "os.setsid()\n"
        "if os.fork() > 0:\n"
        "    sys.exit(0)\n"
        f"open('{pidfile}', 'w').write(str(os.getpid()))\n"
        "time.sleep(300)\n")
    # The intermediate processes exit before the PID file exists; a
    # real daemon writes it before its parent exits, so wait for it here.
    write_unit(unit_dir, "fork.service",
               f"[Service]\nType=forking\nPIDFile={pidfile}\n"
               f"ExecStart=/bin/sh -c '{PYTHON} {script}; while [ ! -s {pidfile} ]; do sleep 0.05; done'\n")
    r = run("start", "fork.service")
    assert r.returncode == 0, r.stderr
    daemon = int(pidfile.read_text())
    r = run("status", "fork.service")
    assert r.returncode == 0, r.stdout
    assert f"Main PID: {daemon}" in r.stdout
    # The daemon's parent is porterd now.
    with open(f"/proc/{daemon}/stat") as f:
        assert int(f.read().rsplit(")", 1)[1].split()[1]) == d.proc.pid

    assert run("stop", "fork.service").returncode == 0
    wait_for(lambda: not os.path.exists(f"/proc/{daemon}"), what="daemon gone and reaped")
    assert run("is-active", "fork.service").stdout == "inactive\n"


def test_restart_reset_failed_is_failed(setup):
    run, port, d = setup
    assert read_line(port).startswith("hello web.socket ")
    pid1 = int(run("status", "web.service").stdout.split("Main PID:")[1].split()[0])
    r = run("restart", "web.service")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: "Main PID:" in run("status", "web.service").stdout, what="restarted")
    pid2 = int(run("status", "web.service").stdout.split("Main PID:")[1].split()[0])
    assert pid2 != pid1

    assert run("start", "broken.service").returncode == 1
    r = run("is-failed", "broken.service")
    assert (r.returncode, r.stdout) == (0, "failed\n")
    assert run("reset-failed", "broken.service").returncode == 0
    r = run("is-failed", "broken.service")
    assert (r.returncode, r.stdout) == (1, "inactive\n")


def test_daemon_reload_keeps_listening(setup, unit_dir, tmp_path):
    """No connection is refused across daemon-reload, and a changed
    service setting applies from its next start."""
    import threading
    run, port, d = setup
    aport = free_port()
    write_unit(unit_dir, "acc.socket", f"[Socket]\nListenStream=127.0.0.1:{aport}\nAccept=yes\n"
               "PollLimitIntervalSec=0\nTriggerLimitIntervalSec=0\n")
    write_unit(unit_dir, "acc@.service", "[Service]\nExecStart=/bin/echo one\nStandardInput=socket\n")
    assert run("start", "acc.socket").returncode == 0
    errors, answers, stop = [], [], threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                answers.append(read_line(aport))
            except OSError as e:
                errors.append(e)
    t = threading.Thread(target=hammer)
    t.start()
    try:
        for _ in range(5):
            assert run("daemon-reload").returncode == 0
        write_unit(unit_dir, "acc@.service", "[Service]\nExecStart=/bin/echo two\nStandardInput=socket\n")
        assert run("daemon-reload").returncode == 0
        time.sleep(0.3)
    finally:
        stop.set()
        t.join(10)
    assert errors == []
    assert len(answers) > 10
    # Instances after the reload run the new command line.
    assert read_line(aport) == "two\n"
    assert "Reloaded" in d.text()


def test_kill(setup):
    run, port, d = setup
    assert read_line(port).startswith("hello web.socket ")
    wait_for(lambda: run("is-active", "web.service").returncode == 0, what="web.service")
    r = run("kill", "-s", "KILL", "web.service")
    assert r.returncode == 0, r.stderr
    # SIGKILL is not a clean exit: the service fails, the socket listens again.
    wait_for(lambda: run("is-failed", "web.service").returncode == 0, what="web.service failed")
    assert "Result: signal" in run("status", "web.service").stdout
    assert run("kill", "web.service").returncode == 1, "no process left to signal"
    assert read_line(port).startswith("hello web.socket ")


def test_show(setup):
    run, port, d = setup
    r = run("show", "web.socket")
    assert r.returncode == 0, r.stderr
    props = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
    assert props["Id"] == "web.socket"
    assert props["ActiveState"] == "active"
    assert props["SubState"] == "listening"
    assert props["Listen"] == f"Stream:127.0.0.1:{port}"
    assert props["Triggers"] == "web.service"
    assert props["NAccepted"] == "0"
    r = run("-p", "ActiveState", "-p", "SubState", "show", "web.socket")
    assert r.stdout == "ActiveState=active\nSubState=listening\n"
    # A unit without a file: not-found, exit 0, as systemctl show.
    r = run("show", "nosuch.service")
    assert r.returncode == 0, r.stderr
    assert "LoadState=not-found\n" in r.stdout and "Id=nosuch.service\n" in r.stdout
    r = run("-p", "LoadState", "show", "nosuch.service")
    assert r.stdout == "LoadState=not-found\n"


def test_fd_store_survives_restart(setup, unit_dir, tmp_path):
    run, port, d = setup
    out = tmp_path / "fdstore.log"
    script = tmp_path / "fdstore.py"
    script.write_text(
        "import array, json, os, socket, sys, time\n"
        "n = int(os.environ.get('LISTEN_FDS', '0'))\n"
        "with open(sys.argv[1], 'a') as f:\n"
        "    f.write(json.dumps({'n': n, 'names': os.environ.get('LISTEN_FDNAMES', '')}) + '\\n')\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
        "addr = os.environ['NOTIFY_SOCKET']\n"
        "if n == 0:\n"
        "    r, w = os.pipe()\n"
        "    s.sendmsg([b'FDSTORE=1\\nFDNAME=keep'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [r]))], 0, addr)\n"
        "    s.sendto(b'READY=1', addr)\n"
        "    time.sleep(0.5)\n"
        "    sys.exit(1)\n"
        "s.sendto(b'READY=1', addr)\n"
        "time.sleep(100)\n")
    write_unit(unit_dir, "fdstore.service",
               f"[Service]\nType=notify\nExecStart={PYTHON} {script} {out}\nFileDescriptorStoreMax=4\n"
               "Restart=on-failure\nRestartSec=100ms\n")
    assert run("start", "fdstore.service").returncode == 0
    wait_for(lambda: out.exists() and len(out.read_text().splitlines()) == 2, what="restart")
    first, second = [__import__("json").loads(l) for l in out.read_text().splitlines()]
    assert first == {"n": 0, "names": ""}
    assert second == {"n": 1, "names": "keep"}
    assert run("stop", "fdstore.service").returncode == 0
