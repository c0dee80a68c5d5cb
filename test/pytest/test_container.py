"""porterd as PID 1 of a container: a fresh pid+mount+net+uts namespace
whose root is a bind-mounted minimal tree (/usr and /etc read-only, a private
/run, /tmp and /proc, three device nodes), entered with pivot_root.

Checked: services start on connection (traffic only inside the container's
network namespace), orphans are reaped, SIGTERM and SIGINT stop everything
within the stop timeouts with exit status 0, a unit that needs SIGKILL makes
the exit status 2, porterctl inside the container lists and stops units, and
a listening socket handed in by an outer activator (systemd-socket-activate
on the first connection, or porter-activate --now; both set LISTEN_PID to the
pid of unshare(1), not of porterd) is adopted by the matching socket unit and
reaches the service with a correct LISTEN_PID.

Root only.  Nothing leaves the namespaces the test makes; each container is
killed by pid in a finally, and its mounts go with its mount namespace."""
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import BUILD_DIR, program, write_unit
from porterd_fixture import wait_for

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not all(shutil.which(t) for t in ("unshare", "nsenter", "pivot_root", "ip")),
    reason="needs root, unshare, nsenter, pivot_root and ip for a container namespace")

# Runs as PID 1 of the new pid namespace, in the new mount namespace: builds
# the root, pivots into it, and execs porterd (which stays PID 1).
SETUP = r"""
set -eu
root=$1 build=$2 units=$3 lo=$4; shift 4
mount --make-rprivate /
mount --bind "$root" "$root"
cd "$root"
mkdir -p usr etc proc run tmp dev units oldroot
for d in bin lib lib64 sbin; do ln -sfn "usr/$d" "$d"; done
mount --bind -o ro /usr usr
mount --bind -o ro /etc etc
mount --bind -o ro "$units" units
mount -t proc -o nosuid,nodev,noexec proc proc
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs tmp
mkdir -p ".$build"  # after the tmpfs mounts: the build dir may be below /tmp
mount --bind -o ro "$build" ".$build"
for n in null zero urandom; do touch "dev/$n"; mount --bind "/dev/$n" "dev/$n"; done
[ "$lo" = up ] && ip link set lo up
hostname porter-container
pivot_root . oldroot
exec /usr/sbin/chroot . /bin/sh -c 'cd / && umount -l /oldroot && rmdir /oldroot && exec "$@"' sh "$@"
"""

ECHO_PY = """\
import os, socket
s = socket.socket(fileno=3)
while True:
    c, _ = s.accept()
    line = c.makefile("rb").readline()
    c.sendall(b"echo pid=%d LISTEN_PID=%s %s" % (os.getpid(), os.environ["LISTEN_PID"].encode(), line))
    c.close()
"""

libc = ctypes.CDLL(None, use_errno=True)


@contextlib.contextmanager
def in_netns(pid):
    """Run the block in the network namespace of pid (this thread only).
    Sockets made inside stay in that namespace after the block."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    target = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        if libc.setns(target, socket.CLONE_NEWNET if hasattr(socket, "CLONE_NEWNET") else 0x40000000) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        yield
    finally:
        if libc.setns(own, 0x40000000) != 0:
            raise OSError(ctypes.get_errno(), "setns back")
        os.close(own)
        os.close(target)


def ask(pid, port, line=b"ping\n", timeout=5.0):
    """Connect to 127.0.0.1:port inside pid's netns, send line, read a line."""
    with in_netns(pid):
        c = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    with c:
        c.sendall(line)
        return c.makefile("rb").readline().decode()


def _listening(pid, port):
    """True if a TCP socket in pid's network namespace listens on port."""
    try:
        with open(f"/proc/{pid}/net/tcp") as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        return False
    return any(r.split()[1].endswith(f":{port:04X}") and r.split()[3] == "0A" for r in rows)


def child_pids(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d))
        except (FileNotFoundError, ProcessLookupError, ValueError, NotADirectoryError):
            continue
    return out


def ns_processes(pid):
    """(pid, state, comm) of every process of the container, read from its
    own /proc (pids as seen inside)."""
    proc = f"/proc/{pid}/root/proc"
    out = []
    for d in os.listdir(proc):
        if not d.isdigit():
            continue
        try:
            with open(f"{proc}/{d}/stat") as f:
                head, tail = f.read().rsplit(")", 1)
            out.append((int(d), tail.split()[0], head.split("(", 1)[1]))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return out


def nspid(pid):
    """The pids of pid in each namespace, outermost first (NSpid:)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("NSpid:"):
                return [int(x) for x in line.split()[1:]]
    return []


class Container:
    """porterd as PID 1 of a fresh container.  outer: a command list put in
    front of the inner unshare (an activator), run in a new network
    namespace of its own."""

    def __init__(self, tmp_path, unit_dir, start=(), outer=None):
        self.tmp = tmp_path
        root = tmp_path / "root"
        root.mkdir()
        script = tmp_path / "setup.sh"
        script.write_text(SETUP)
        porterd = program("porterd")
        inner = ["unshare", "--pid", "--mount", "--uts", "--fork", "--kill-child"]
        if outer is None:
            inner.insert(1, "--net")
        inner += ["/bin/sh", str(script), str(root), str(BUILD_DIR), str(unit_dir),
                  "up" if outer is None else "keep",
                  porterd, "--system", "--unit-path", "/units", "--log-level", "debug"]
        for u in start:
            inner += ["--start", u]
        if outer is None:
            args = inner
        else:
            # The activator gets its own netns with lo up; the container shares it.
            args = ["unshare", "--net", "--kill-child", "--fork", "/bin/sh", "-c",
                    'ip link set lo up && exec "$@"', "sh", *outer, *inner]
        self.log_path = tmp_path / "container.log"
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.outer = outer is not None
        self.pid = None

    def find_porterd(self):
        """Outer pid of porterd (once it execs), else None."""
        exe = os.path.realpath(program("porterd"))
        todo = [self.proc.pid]
        while todo:
            p = todo.pop()
            try:
                if os.path.realpath(f"/proc/{p}/exe") == exe:
                    return p
            except FileNotFoundError:
                pass
            todo += child_pids(p)
        return None

    def wait_started(self, needle=b"Started "):
        self.pid = wait_for(self.find_porterd, what="porterd in the container")
        wait_for(lambda: needle in self.log(), what=f"{needle!r} in the log\n{self.log().decode()}")
        return self.pid

    def log(self):
        return self.log_path.read_bytes()

    def porterctl(self, *args):
        """porterctl run inside the container (its mount, net, pid namespaces)."""
        return subprocess.run(["nsenter", "-t", str(self.pid), "-m", "-n", "-p", "-u", "-r", "-w",
                               program("porterctl"), "--no-pager", *args],
                              capture_output=True, text=True, timeout=15)

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)  # --kill-child takes the rest
            self.proc.wait(10)


@pytest.fixture
def container(tmp_path, unit_dir):
    made = []

    def make(*a, **kw):
        c = Container(tmp_path, unit_dir, *a, **kw)
        made.append(c)
        return c
    yield make
    for c in made:
        c.kill()
    for c in made:
        log = c.log().decode(errors="replace")
        for needle in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            assert needle not in log, log


def example_units(unit_dir):
    write_unit(unit_dir, "echo.py", ECHO_PY)
    write_unit(unit_dir, "echo.socket", "[Socket]\nListenStream=127.0.0.1:7001\n")
    write_unit(unit_dir, "echo.service",
               "[Service]\nExecStart=/usr/bin/python3 /units/echo.py\nTimeoutStopSec=5\n")
    write_unit(unit_dir, "hello.socket", "[Socket]\nListenStream=127.0.0.1:7002\nAccept=yes\n")
    write_unit(unit_dir, "hello@.service",
               "[Service]\nExecStart=/bin/sh -c 'read l; echo \"hello $l from $(hostname) pid $$\"'\n"
               "StandardInput=socket\n")
    # Each connection leaves a grandchild in its own session behind: it
    # outlives the service, escapes its process group, and is reparented
    # to PID 1 when its parent exits.
    write_unit(unit_dir, "orphan.socket", "[Socket]\nListenStream=127.0.0.1:7003\nAccept=yes\n")
    write_unit(unit_dir, "orphan@.service",
               "[Service]\nExecStart=/bin/sh -c 'setsid /bin/sleep 0.4 & read l; echo spawned'\n"
               "StandardInput=socket\n")
    return ("echo.socket", "hello.socket", "orphan.socket")


def host_dir_not_in_container():
    """A directory of the host that the container's root does not bind-mount:
    the build dir is mounted at its own path, so it must not be below it."""
    build = str(BUILD_DIR.resolve())
    for d in ("/var", "/srv", "/opt", "/home", "/root", "/work"):
        if os.path.isdir(d) and not (build + "/").startswith(d + "/"):
            return d
    pytest.skip("no host directory outside the build dir to check isolation with")


# SIGTERM as a runtime sends it (from the parent namespace); SIGINT with
# kill(1) inside the container, where the kernel drops signals to PID 1
# that it has no handler for: porterd's blocked+signalfd ones must arrive.
# SIGRTMIN+3 is systemd's halt, the STOPSIGNAL of images made for systemd.
@pytest.mark.parametrize("sig,name,inside", [(signal.SIGTERM, "SIGTERM", False),
                                             (signal.SIGINT, "SIGINT", True),
                                             (signal.SIGRTMIN + 3, "SIGRTMIN+3", False)],
                         ids=["SIGTERM-from-host", "SIGINT-from-inside", "SIGRTMIN+3-from-host"])
def test_porterd_as_container_init(container, unit_dir, sig, name, inside):
    c = container(start=example_units(unit_dir))
    pid = c.wait_started(b"Started 3 of 3 units.")
    assert nspid(pid)[-1] == 1, "porterd is PID 1 inside"
    assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")
    assert os.readlink(f"/proc/{pid}/root") == "/", "chrooted root seen from itself"
    assert os.path.isdir(f"/proc/{pid}/root/units")
    hidden = host_dir_not_in_container()
    assert not os.path.exists(f"/proc/{pid}/root{hidden}"), f"host {hidden} is visible inside"

    # Not reachable from the host's network namespace.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 7001), timeout=1).close()

    # Accept=no: the service starts on the first connection and gets the
    # listener with LISTEN_PID equal to its own pid in the container.
    reply = ask(pid, 7001)
    assert reply.startswith("echo pid=") and reply.endswith(" ping\n"), reply
    spid, lpid = reply.split()[1].split("=")[1], reply.split()[2].split("=")[1]
    assert spid == lpid and int(spid) > 1, reply
    assert ask(pid, 7001, b"again\n").split()[1] == reply.split()[1], "same service instance"

    # Accept=yes, in the container's UTS namespace.
    assert ask(pid, 7002, b"there\n").startswith("hello there from porter-container pid ")

    # Orphans: none may stay a zombie.
    for _ in range(4):
        assert ask(pid, 7003) == "spawned\n"
    time.sleep(1.0)
    procs = ns_processes(pid)
    assert (1, "S", "porterd") in procs, procs
    zombies = [p for p in procs if p[1] == "Z"]
    assert zombies == [], zombies
    assert c.log().count(b"Reaped orphan process") >= 4

    # porterctl inside the container.
    r = c.porterctl("list-units")
    assert r.returncode == 0, r.stderr
    assert "echo.service" in r.stdout and "echo.socket" in r.stdout and "orphan.socket" in r.stdout
    r = c.porterctl("stop", "hello.socket")
    assert r.returncode == 0, r.stderr
    assert c.porterctl("is-active", "hello.socket").stdout.strip() == "inactive"
    with pytest.raises(OSError):
        ask(pid, 7002, timeout=1)

    t0 = time.monotonic()
    if inside:
        # kill(1) itself is in the namespace: when PID 1 exits first, the
        # kernel SIGKILLs it.
        k = subprocess.run(["nsenter", "-t", str(pid), "-m", "-p", "-r", "-w", "/bin/kill", f"-{name[3:]}", "1"],
                           timeout=10)
        assert k.returncode in (0, -signal.SIGKILL)
    else:
        os.kill(pid, sig)
    status = c.proc.wait(20)
    elapsed = time.monotonic() - t0
    print(f"{name}{' (kill 1 inside)' if inside else ''}: porterd (PID 1) stopped everything and exited {status} in {elapsed * 1000:.0f} ms")
    assert status == 0, c.log().decode()
    assert elapsed < 5.0
    log = c.log()
    assert f"Received {name}.".encode() in log
    assert b"Stopping all units." in log
    # Reverse dependency order: the echo service (started last) and the
    # idle orphan.socket at once; echo.socket only once its service is
    # down (it goes back to listening in between, as in systemd).
    down = log[log.index(b"Stopping all units."):]
    order = [down.index(n) for n in (b"echo.service: Changed running -> stop-sigterm",
                                     b"orphan.socket: Changed listening -> dead",
                                     b"echo.service: Changed stop-sigterm -> dead",
                                     b"echo.socket: Changed listening -> dead")]
    assert order == sorted(order), down.decode()


def test_unit_needing_sigkill_makes_exit_status_2(container, unit_dir):
    write_unit(unit_dir, "stubborn.service",
               "[Service]\nExecStart=/bin/sh -c 'trap \"\" TERM; while :; do sleep 0.1; done'\n"
               "TimeoutStopSec=1\n")
    write_unit(unit_dir, "polite.service", "[Service]\nExecStart=/bin/sleep 60\n")
    c = container(start=("polite.service", "stubborn.service"))
    pid = c.wait_started(b"Started 2 of 2 units.")
    t0 = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    status = c.proc.wait(20)
    elapsed = time.monotonic() - t0
    print(f"SIGTERM with a unit ignoring it (TimeoutStopSec=1): exit {status} after {elapsed * 1000:.0f} ms")
    assert status == 2, c.log().decode()
    assert 0.9 < elapsed < 5.0
    log = c.log()
    assert b"stubborn.service: Did not stop cleanly" in log
    assert b"polite.service: Did not stop cleanly" not in log


@pytest.mark.parametrize("activator", ["systemd-socket-activate", "porter-activate"])
def test_socket_handed_in_by_outer_activator(container, unit_dir, activator):
    if activator == "systemd-socket-activate":
        if not shutil.which(activator):
            pytest.skip("systemd-socket-activate is not installed")
        # systemd 252's activator has no --now: the first connection makes
        # it exec the container (LISTEN_PID = that process, unshare(1));
        # porterd then adopts the socket and the pending connection starts
        # web.service.
        outer = [activator, "-l", "127.0.0.1:8080"]
    else:
        # porter-activate --now execs the container at once.
        outer = [program(activator), "-l", "127.0.0.1:8080", "--now", "--"]
    probe = BUILD_DIR / "test/helpers/listen-probe"
    if not probe.exists():
        pytest.skip(f"listen-probe not built at {probe}")
    write_unit(unit_dir, "web.socket", "[Socket]\nListenStream=127.0.0.1:8080\n")
    write_unit(unit_dir, "web.service",
               f"[Service]\nExecStart={probe} --report /run/probe.txt --serve\n")
    c = container(start=("web.socket",), outer=outer)
    act_pid = wait_for(lambda: [p for p in child_pids(c.proc.pid)], what="activator")[0]
    # fd 3 exists from socket() on; connect only once it listens (state 0A
    # in the namespace's /proc/net/tcp), or the connection may be refused.
    wait_for(lambda: os.path.exists(f"/proc/{act_pid}/fd/3") and _listening(act_pid, 8080),
             what="activator listening")
    outer_ino = os.readlink(f"/proc/{act_pid}/fd/3")

    with in_netns(act_pid):
        conn = socket.create_connection(("127.0.0.1", 8080), timeout=5)
    with conn:
        pid = c.wait_started(b"Started 1 of 1 units.")
        conn.sendall(b"through the wall\n")
        conn.settimeout(5)
        assert conn.makefile("rb").readline() == b"through the wall\n"

    log = c.log()
    unshare_pid = act_pid  # both activators exec the container's unshare in place
    assert f"LISTEN_PID={unshare_pid} names a process outside our PID namespace".encode() in log, log.decode()
    assert b"Received 1 socket(s) from the outer activator." in log
    assert b"web.socket: Adopted inherited fd 3." in log
    assert b"matches no socket unit" not in log

    report = open(f"/proc/{pid}/root/run/probe.txt").read().split("\n")
    env = dict(line[4:].split("=", 1) for line in report if line.startswith("env "))
    probe_pid = int(next(line.split()[1] for line in report if line.startswith("pid ")))
    assert int(env["LISTEN_PID"]) == probe_pid and probe_pid > 1
    assert env["LISTEN_FDS"] == "1" and env["LISTEN_FDNAMES"] == "web.socket"
    assert "listen_pid_matches 1" in report and "sd_listen_fds 1" in report
    fd3 = next(line for line in report if line.startswith("fd 3 "))
    assert f"ino {outer_ino[len('socket:['):-1]} " in fd3, (fd3, outer_ino)

    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: b"Stopping all units." in c.log(), what="shutdown")
    # The activator exec'd the container: it is unshare, whose status is porterd's.
    assert c.proc.wait(20) == 0, c.log().decode()
