"""porterctl daemon-reexec: porterd executes itself again without closing a
listening socket or losing a running service (Manager.Reexecute)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import program, write_unit
from porterd_fixture import PROBE, PYTHON, Porterd, connect, free_port, read_json, read_line, wait_for


def listen_inodes(pid, ports):
    """port -> inode of the TCP listener on 127.0.0.1:port in pid's netns."""
    found = {}
    for line in open(f"/proc/{pid}/net/tcp").read().splitlines()[1:]:
        f = line.split()
        port = int(f[1].split(":")[1], 16)
        if f[3] == "0A" and port in ports:
            found[port] = int(f[9])
    return found


def fd_links(pid):
    d = f"/proc/{pid}/fd"
    links = []
    for n in os.listdir(d):
        try:
            links.append(os.readlink(f"{d}/{n}"))
        except FileNotFoundError:
            pass
    return links


@pytest.fixture
def setup(tmp_path, unit_dir):
    exe = program("porterd")
    ctl = program("porterctl")
    ports = {"busy": free_port(), "conn": free_port(), "idle": free_port()}
    write_unit(unit_dir, "busy.socket", f"[Socket]\nListenStream=127.0.0.1:{ports['busy']}\n")
    write_unit(unit_dir, "busy.service",
               f"[Service]\nType=notify\nExecStart={PYTHON} {PROBE} notify {tmp_path}/busy.json\n")
    write_unit(unit_dir, "conn.socket", f"[Socket]\nListenStream=127.0.0.1:{ports['conn']}\nAccept=yes\n")
    write_unit(unit_dir, "conn@.service", f"[Service]\nExecStart={PYTHON} {PROBE} conn {tmp_path}/conn.json\n")
    write_unit(unit_dir, "idle.socket", f"[Socket]\nListenStream=127.0.0.1:{ports['idle']}\n")
    write_unit(unit_dir, "idle.service",
               f"[Service]\nExecStart={PYTHON} {PROBE} serve {tmp_path}/idle.json\n")
    d = Porterd(exe, tmp_path, unit_dir, start=("busy.socket", "conn.socket", "idle.socket"))
    env = dict(os.environ, XDG_RUNTIME_DIR=str(d.runtime))

    def run(*args):
        return subprocess.run([ctl, "--user", *args], capture_output=True, text=True, env=env, timeout=60)
    wait_for(lambda: (d.runtime / "porter" / "private").exists(), what="control socket")
    d.wait_log("Started 3 of 3 units.")
    yield run, ports, d, tmp_path
    d.kill()
    assert d.sanitizer_reports() == [], d.text()


def nofile_soft(pid):
    for line in open(f"/proc/{pid}/limits"):
        if line.startswith("Max open files"):
            return line.split()[3]
    raise AssertionError("no fd limit")


def main_pid(run, unit):
    r = run("show", "-p", "MainPID", unit)
    assert r.returncode == 0, r.stderr
    return int(r.stdout.strip().split("=", 1)[1])


def no_instances(run):
    r = run("list-units", "--all")
    assert r.returncode == 0, r.stderr
    return re.search(r"conn@[^.\s]", r.stdout) is None


def test_daemon_reexec_keeps_sockets_and_services(setup):
    run, ports, d, tmp_path = setup
    pid = d.proc.pid
    assert read_line(ports["busy"]).startswith("hello")
    busy = read_json(tmp_path / "busy.json")["pid"]
    wait_for(lambda: run("is-active", "busy.service").returncode == 0, what="busy.service active")
    assert main_pid(run, "busy.service") == busy
    nofile = nofile_soft(busy)
    inodes = listen_inodes(pid, set(ports.values()))
    assert set(inodes) == set(ports.values())
    wait_for(lambda: no_instances(run), what="no Accept=yes instances left")
    links_before = sorted(fd_links(pid))
    fds_before = len(links_before)

    # A client that connects all through the re-execution.
    served, errors, stop = [], [], threading.Event()

    def client():
        while not stop.is_set():
            try:
                with connect(ports["conn"]) as c:
                    served.append(c.makefile("rb").readline().decode())
            except OSError as e:
                errors.append(e)
    t = threading.Thread(target=client)
    t.start()
    try:
        time.sleep(0.2)
        n_before = len(served)
        r = run("daemon-reexec")
        assert r.returncode == 0, r.stderr + d.text()
        time.sleep(0.3)
    finally:
        stop.set()
        t.join(30)
    assert errors == [], errors
    assert len(served) > n_before and all(s.startswith("hello conn") for s in served), served
    d.wait_log("Re-executing porterd.")
    d.wait_log("Re-attached main process")

    # Same process, same listening sockets, nothing leaked.
    assert d.proc.poll() is None and d.proc.pid == pid
    assert listen_inodes(pid, set(ports.values())) == inodes
    links = fd_links(pid)
    for inode in inodes.values():
        assert f"socket:[{inode}]" in links
    wait_for(lambda: no_instances(run), what="no Accept=yes instances left")
    wait_for(lambda: len(fd_links(pid)) == fds_before, timeout=5,
             what=f"porterd's fd count back to {fds_before}: {links_before} now {sorted(fd_links(pid))}")

    # The idle socket still activates its service; the busy one is still served.
    assert read_line(ports["idle"]).startswith("hello")
    assert read_line(ports["busy"]).startswith("hello")

    # The running service is still supervised.
    r = run("status", "busy.service")
    assert r.returncode == 0 and "active (running)" in r.stdout, r.stdout
    assert main_pid(run, "busy.service") == busy
    assert run("is-active", "busy.socket").returncode == 0
    r = run("stop", "busy.service")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: not os.path.exists(f"/proc/{busy}") or
             open(f"/proc/{busy}/stat").read().split()[2] == "Z", what="busy.service's process gone")
    assert run("is-active", "busy.service").returncode != 0
    assert main_pid(run, "busy.service") == 0
    # Its socket takes over again and starts it anew on a connection.
    assert read_line(ports["busy"]).startswith("hello")
    new_busy = main_pid(run, "busy.service")
    assert new_busy not in (0, busy)
    # Started by the new porterd with the fd limit services had before.
    assert nofile_soft(new_busy) == nofile
    assert d.terminate() == 0, d.text()


def test_reexec_twice_and_exit_noticed(setup):
    run, ports, d, tmp_path = setup
    assert read_line(ports["busy"]).startswith("hello")
    busy = read_json(tmp_path / "busy.json")["pid"]
    wait_for(lambda: run("is-active", "busy.service").returncode == 0, what="busy.service active")
    for _ in range(2):
        r = run("daemon-reexec")
        assert r.returncode == 0, r.stderr
    assert main_pid(run, "busy.service") == busy
    # The service dies on its own: the new porterd notices.
    os.kill(busy, signal.SIGKILL)
    wait_for(lambda: run("is-active", "busy.service").returncode != 0, what="busy.service's exit noticed")
    r = run("status", "busy.service")
    assert "failed" in r.stdout, r.stdout
    # A failed service stays failed across re-execution.
    assert run("daemon-reexec").returncode == 0
    assert run("is-failed", "busy.service").returncode == 0, d.text()
    assert d.terminate() == 0, d.text()


def test_reexec_refused_to_other_users(setup):
    run, ports, d, tmp_path = setup
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run porterctl as another uid")
    # Let the other user reach the socket: o+x on the temporary directories.
    for p in [d.runtime, *d.runtime.parents]:
        if str(p) in ("/", "/tmp"):
            break
        os.chmod(p, os.stat(p).st_mode | 0o011)
    ctl = program("porterctl")
    env = dict(os.environ, XDG_RUNTIME_DIR=str(d.runtime))
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ctl, "--user",
                        "daemon-reexec"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 1
    assert "Only root" in r.stderr, r.stderr
    assert "Re-executing" not in d.text()
    assert run("is-active", "busy.socket").returncode == 0
