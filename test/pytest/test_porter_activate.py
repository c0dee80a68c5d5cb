# porter-activate scenarios: real sockets, real processes, real libsystemd.
#
# The service is usually test/helpers/listen-probe, which reports every fd it
# got (taken from /proc/self/fd before libsystemd touches anything), its
# environment, and what sd_listen_fds_with_names() says; with --serve it then
# echoes on fd 3 (or stdin to stdout).  Every wait is bounded: sockets have
# timeouts, subprocesses are killed at the end of each test.
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import BUILD_DIR, program

IPPROTO_MPTCP = 262
TIMEOUT = 10


def probe():
    path = BUILD_DIR / "test/helpers/listen-probe"
    if not path.exists():
        pytest.skip(f"listen-probe not built at {path}")
    return str(path)


def free_port(family=socket.AF_INET, addr="127.0.0.1"):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


def free_port_udp():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Activate:
    """One porter-activate (or systemd-socket-activate) process."""

    def __init__(self, tmp_path, args, exe=None, env=None, **kw):
        self.log = tmp_path / f"activate-{time.monotonic_ns()}.log"
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/root",
             "TERM": "dumb", "SECRET": "must-not-pass"}
        if env:
            e.update(env)
        self.errf = open(self.log, "w")
        self.proc = subprocess.Popen([exe or program("porter-activate"), *args],
                                     stdin=subprocess.DEVNULL, stdout=self.errf,
                                     stderr=self.errf, env=e, **kw)

    def stderr(self):
        return self.log.read_text()

    def wait_listening(self, n=1):
        """Wait for n 'Listening on' lines without connecting (a connection
        would activate the service)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.stderr().count("Listening on") >= n:
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"exited {self.proc.returncode}: {self.stderr()}")
            time.sleep(0.02)
        raise AssertionError(f"not listening: {self.stderr()}")

    def wait(self, timeout=TIMEOUT):
        return self.proc.wait(timeout=timeout)

    def children(self):
        p = pathlib.Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(x) for x in p.read_text().split()] if p.exists() else []

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.errf.close()


@pytest.fixture
def activate(tmp_path):
    started = []

    def start(*args, **kw):
        a = Activate(tmp_path, list(args), **kw)
        started.append(a)
        return a
    yield start
    for a in started:
        a.stop()


def run_activate(*args, timeout=TIMEOUT, **kw):
    return subprocess.run([program("porter-activate"), *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, **kw)


class Report:
    """A parsed listen-probe report."""

    def __init__(self, text):
        self.text = text
        self.env = {}
        self.fds = {}
        self.names = {}
        self.lines = text.splitlines()
        for line in self.lines:
            key, _, rest = line.partition(" ")
            if key == "env":
                k, _, v = rest.partition("=")
                self.env[k] = v
            elif key == "fd":
                f = rest.split(" ")
                d = dict(zip(f[1::2], f[2::2]))
                self.fds[int(f[0])] = d
            elif key == "name":
                fd, _, name = rest.partition(" ")
                self.names[int(fd)] = name
            elif key in ("pid", "sd_listen_fds", "listen_pid_matches"):
                setattr(self, key, int(rest))
        assert self.lines[-1] == "end", text


def read_report(path, timeout=TIMEOUT):
    path = pathlib.Path(path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            t = path.read_text()
            if t.endswith("end\n"):
                return Report(t)
        time.sleep(0.02)
    raise AssertionError(f"no complete report at {path}")


def read_reports(directory, n, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(pathlib.Path(directory).iterdir()) if pathlib.Path(directory).exists() else []
        if len(files) >= n and all(f.read_text().endswith("end\n") for f in files):
            return [Report(f.read_text()) for f in files]
        time.sleep(0.02)
    raise AssertionError(f"fewer than {n} reports in {directory}")


def echo(addr, data=b"ping\n", family=socket.AF_INET, proto=0, timeout=TIMEOUT):
    """Connect, send, half-close, read to EOF."""
    with socket.socket(family, socket.SOCK_STREAM, proto) as s:
        s.settimeout(timeout)
        s.connect(addr)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                return out
            out += b


def poke(addr):
    """Connect once to wake a non-accept service; it may close the
    listener (and reset us) before we are done, which is fine."""
    try:
        socket.create_connection(addr, timeout=TIMEOUT).close()
    except (ConnectionResetError, ConnectionRefusedError):
        pass


REDUCED_ENV = {"TERM", "COLORTERM", "NO_COLOR", "PATH", "USER", "HOME"}


# ---------------------------------------------------------------- non-accept


def test_exact_fds_env_and_names(activate, tmp_path):
    """Three sockets (TCP, TCP, unix), --fdname, -E: the service sees exactly
    0-2 plus 3-5, CLOEXEC cleared, LISTEN_PID = its pid = our pid (exec in
    place), the reduced environment, and sd_listen_fds_with_names() agrees."""
    p1, p2 = free_port(), free_port()
    sock = tmp_path / "sub" / "unix.sock"
    report = tmp_path / "report"
    # An fd porter-activate inherits without CLOEXEC must not reach the service.
    leak_r, leak_w = os.pipe()
    os.set_inheritable(leak_w, True)
    a = activate("-l", f"127.0.0.1:{p1}", "-l", f"127.0.0.1:{p2}", "-l", str(sock),
                 "--fdname", "one:two:three", "-E", "EXTRA=1", "-E", "PASSED",
                 probe(), "--report", str(report), "--serve",
                 env={"PASSED": "from-parent", "NO_COLOR": "1"}, pass_fds=[leak_w])
    os.close(leak_w)
    a.wait_listening(3)
    assert oct(sock.stat().st_mode & 0o777) == "0o644"
    assert echo(("127.0.0.1", p1)) == b"ping\n"
    r = read_report(report)
    os.close(leak_r)

    assert r.pid == a.proc.pid
    assert r.listen_pid_matches == 1
    assert sorted(r.fds) == [0, 1, 2, 3, 4, 5], r.text
    for fd in (3, 4, 5):
        assert r.fds[fd]["cloexec"] == "0"
        assert r.fds[fd]["listening"] == "1"
    assert r.fds[3]["family"] == "2" and r.fds[3]["protocol"] == "6"
    assert r.fds[5]["family"] == "1"
    assert r.env["LISTEN_FDS"] == "3"
    assert r.env["LISTEN_PID"] == str(a.proc.pid)
    assert r.env["LISTEN_FDNAMES"] == "one:two:three"
    assert r.sd_listen_fds == 3
    assert r.names == {3: "one", 4: "two", 5: "three"}
    assert r.env["EXTRA"] == "1" and r.env["PASSED"] == "from-parent"
    assert "SECRET" not in r.env
    assert set(r.env) <= REDUCED_ENV | {"EXTRA", "PASSED", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"}
    assert r.env["NO_COLOR"] == "1"
    assert a.wait() == 0


def test_single_fdname_is_repeated_and_mismatch_warns(activate, tmp_path):
    p1, p2 = free_port(), free_port()
    report = tmp_path / "report"
    a = activate("-l", f"127.0.0.1:{p1}", "-l", f"127.0.0.1:{p2}", "--fdname", "web",
                 probe(), "--report", str(report))
    a.wait_listening(2)
    poke(("127.0.0.1", p2))
    r = read_report(report)
    assert r.env["LISTEN_FDNAMES"] == "web:web"
    assert r.names == {3: "web", 4: "web"}

    report2 = tmp_path / "report2"
    p3 = free_port()
    b = activate("-l", f"127.0.0.1:{p3}", "--fdname", "a:b:c", "--now", probe(), "--report", str(report2))
    r = read_report(report2)
    assert "different than number of fds: 3 vs 1" in b.stderr()
    # Passed as given, as systemd-socket-activate does: libsystemd refuses it.
    assert r.env["LISTEN_FDNAMES"] == "a:b:c"
    assert r.sd_listen_fds == -22


def test_now_and_ready_notification(activate, tmp_path):
    """--now execs at once; READY=1 reaches $NOTIFY_SOCKET first."""
    notify = tmp_path / "notify"
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(str(notify))
    ns.settimeout(TIMEOUT)
    report = tmp_path / "report"
    a = activate("-l", f"127.0.0.1:{free_port()}", "--now", probe(), "--report", str(report),
                 env={"NOTIFY_SOCKET": str(notify)})
    assert ns.recv(4096) == b"READY=1"
    r = read_report(report)
    assert r.sd_listen_fds == 1 and r.pid == a.proc.pid
    assert "NOTIFY_SOCKET" not in r.env
    ns.close()


def test_inherited_listen_fds_come_first(activate, tmp_path):
    """porter-activate under porter-activate: the outer one's fd is inherited
    through LISTEN_FDS and passed on at 3, the inner -l socket follows at 4;
    inherited names travel with it."""
    p1, p2 = free_port(), free_port()
    report = tmp_path / "report"
    a = activate("-l", f"127.0.0.1:{p1}", "--fdname", "outer", "--now",
                 program("porter-activate"), "-l", f"127.0.0.1:{p2}",
                 probe(), "--report", str(report))
    a.wait_listening(2)
    assert "Received 1 descriptors via the environment." in a.stderr()
    poke(("127.0.0.1", p2))
    r = read_report(report)
    assert sorted(r.fds) == [0, 1, 2, 3, 4]
    assert r.sd_listen_fds == 2
    assert r.names == {3: "outer", 4: "unknown"}
    assert r.fds[3]["port"] == str(p1)
    assert r.fds[4]["port"] == str(p2)


def test_systemd_socket_activate_hands_over_to_us(activate, tmp_path):
    """systemd-socket-activate -l X porter-activate -l Y probe: the real
    systemd tool's fd is taken over the same way."""
    ssa = shutil.which("systemd-socket-activate")
    if not ssa:
        pytest.skip("systemd-socket-activate not installed")
    p1, p2 = free_port(), free_port()
    report = tmp_path / "report"
    a = activate("-l", f"127.0.0.1:{p1}", program("porter-activate"), "-l", f"127.0.0.1:{p2}",
                 probe(), "--report", str(report), exe=ssa)
    a.wait_listening(1)
    # Wake systemd-socket-activate; the pending connection then wakes us.
    c = socket.create_connection(("127.0.0.1", p1), timeout=TIMEOUT)
    r = read_report(report)
    c.close()
    assert r.sd_listen_fds == 2 and r.pid == a.proc.pid
    assert sorted(r.fds) == [0, 1, 2, 3, 4]


def test_datagram(activate, tmp_path):
    port = free_port_udp()
    report = tmp_path / "report"
    a = activate("-d", "-l", f"127.0.0.1:{port}", probe(), "--report", str(report), "--serve")
    a.wait_listening()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(TIMEOUT)
        s.sendto(b"dgram", ("127.0.0.1", port))
        assert s.recvfrom(100)[0] == b"dgram"
    r = read_report(report)
    assert r.fds[3]["type"] == "2" and r.fds[3]["listening"] == "0"
    assert a.wait() == 0


def test_unix_seqpacket_and_inetd_single_fd(activate, tmp_path):
    """--seqpacket on a path; and --inetd without --accept puts the one
    socket on stdin/stdout with no LISTEN_* at all."""
    path = tmp_path / "sp.sock"
    report = tmp_path / "report"
    a = activate("--seqpacket", "-l", str(path), "--inetd", probe(), "--report", str(report))
    a.wait_listening()
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(TIMEOUT)
        s.connect(str(path))
        r = read_report(report)
    assert r.fds[0]["type"] == "5" and r.fds[1]["type"] == "5"
    assert r.fds[0]["listening"] == "1"
    assert sorted(r.fds) == [0, 1, 2]
    assert not any(k.startswith("LISTEN_") for k in r.env)
    assert r.sd_listen_fds == 0


def test_python_systemd_listen_fds(activate, tmp_path):
    """python3-systemd's daemon.listen_fds() (Debian's /usr/bin/python3)."""
    py = "/usr/bin/python3"
    check = subprocess.run([py, "-c", "import systemd.daemon"], capture_output=True)
    if check.returncode != 0:
        pytest.skip("python3-systemd is not importable from /usr/bin/python3")
    out = tmp_path / "py.out"
    script = ("import os, socket, systemd.daemon as d\n"
              "fds = d.listen_fds_with_names(False)\n"
              "s = socket.socket(fileno=3)\n"
              f"open({str(out)!r}, 'w').write(repr(fds) + ' ' + str(s.family.name) + ' ' + os.environ['LISTEN_PID'] + '\\n')\n")
    a = activate("-l", str(tmp_path / "py.sock"), "--fdname", "pyname", "--now", py, "-c", script)
    assert a.wait() == 0, a.stderr()
    assert out.read_text() == f"{{3: 'pyname'}} AF_UNIX {a.proc.pid}\n"


# ---------------------------------------------------------------- accept mode


def test_accept_inetd_cat_echo_and_reaping(activate):
    port = free_port()
    a = activate("--accept", "--inetd", "-l", f"127.0.0.1:{port}", "/bin/cat")
    a.wait_listening()
    for i in range(30):
        data = f"hello {i}\n".encode() * (i + 1)
        assert echo(("127.0.0.1", port), data) == data
    # Every child is reaped: no zombies left behind.
    deadline = time.monotonic() + TIMEOUT
    while a.children() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert a.children() == []


def test_accept_same_as_systemd_socket_activate(activate, tmp_path):
    """The same --accept --inetd command under both tools gives the same
    echo and the same fds (0-2 only) in the child."""
    ssa = shutil.which("systemd-socket-activate")
    if not ssa:
        pytest.skip("systemd-socket-activate not installed")
    results = {}
    for name, exe in (("porter", None), ("systemd", ssa)):
        port = free_port()
        d = tmp_path / name
        d.mkdir()
        a = activate("--accept", "--inetd", "-l", f"127.0.0.1:{port}", probe(),
                     "--report-dir", str(d), "--serve", exe=exe)
        a.wait_listening()
        assert echo(("127.0.0.1", port), b"same\n") == b"same\n"
        (r,) = read_reports(d, 1)
        results[name] = r
    for r in results.values():
        assert sorted(r.fds) == [0, 1, 2]
        assert r.fds[0]["kind"] == "socket" and r.fds[0]["listening"] == "0"
        assert r.sd_listen_fds == 0
    assert {k for k in results["porter"].env if not k.startswith("REMOTE_")} == set(results["systemd"].env)


def test_accept_fd3_remote_env(activate, tmp_path):
    port = free_port()
    d = tmp_path / "reports"
    d.mkdir()
    a = activate("--accept", "-l", f"127.0.0.1:{port}", probe(), "--report-dir", str(d), "--serve")
    a.wait_listening()
    with socket.socket() as s:
        s.settimeout(TIMEOUT)
        s.connect(("127.0.0.1", port))
        local_port = s.getsockname()[1]
        s.sendall(b"fd3\n")
        s.shutdown(socket.SHUT_WR)
        assert s.recv(100) == b"fd3\n"
    (r,) = read_reports(d, 1)
    assert sorted(r.fds) == [0, 1, 2, 3]
    assert r.fds[3]["listening"] == "0" and r.fds[3]["cloexec"] == "0"
    assert r.env["LISTEN_FDS"] == "1"
    assert r.env["LISTEN_FDNAMES"] == "connection"
    assert r.names == {3: "connection"}
    assert r.listen_pid_matches == 1
    assert r.env["REMOTE_ADDR"] == "127.0.0.1"
    assert r.env["REMOTE_PORT"] == str(local_port)
    assert "SECRET" not in r.env


def test_accept_names_per_listener(activate, tmp_path):
    """With --accept and several sockets, a connection is named after the
    socket it came in on."""
    p1, p2 = free_port(), free_port()
    d = tmp_path / "reports"
    d.mkdir()
    a = activate("--accept", "-l", f"127.0.0.1:{p1}", "-l", f"127.0.0.1:{p2}", "--fdname", "web:admin",
                 probe(), "--report-dir", str(d), "--serve")
    a.wait_listening(2)
    assert echo(("127.0.0.1", p2), b"b\n") == b"b\n"
    (r,) = read_reports(d, 1)
    assert r.names == {3: "admin"}
    assert echo(("127.0.0.1", p1), b"a\n") == b"a\n"
    names = sorted(r.names[3] for r in read_reports(d, 2))
    assert names == ["admin", "web"]


def test_accept_ipv6_and_v4_mapped(activate, tmp_path):
    if not socket.has_ipv6 or not pathlib.Path("/proc/net/if_inet6").exists():
        pytest.skip("no IPv6 on this machine")
    port = free_port(socket.AF_INET6, "::1")
    d = tmp_path / "reports"
    d.mkdir()
    # A bare port listens on [::] dual-stack: an IPv4 client shows as IPv4.
    a = activate("--accept", "--fdname", "dual", "-l", str(port), probe(), "--report-dir", str(d), "--serve")
    a.wait_listening()
    assert echo(("::1", port), family=socket.AF_INET6) == b"ping\n"
    assert echo(("127.0.0.1", port)) == b"ping\n"
    reports = read_reports(d, 2)
    addrs = sorted(r.env["REMOTE_ADDR"] for r in reports)
    assert addrs == ["127.0.0.1", "::1"]
    assert all(r.names == {3: "dual"} for r in reports)
    assert all(r.fds[3]["family"] == "10" for r in reports)


def test_accept_unix_seqpacket(activate, tmp_path):
    path = tmp_path / "acc.sock"
    d = tmp_path / "reports"
    d.mkdir()
    a = activate("--accept", "--seqpacket", "-l", str(path), probe(), "--report-dir", str(d))
    a.wait_listening()
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(TIMEOUT)
        s.connect(str(path))
        (r,) = read_reports(d, 1)
    assert r.fds[3]["type"] == "5" and r.fds[3]["family"] == "1"
    assert "REMOTE_ADDR" not in r.env  # unnamed client
    assert "REMOTE_PORT" not in r.env


def test_max_connections(activate):
    port = free_port()
    a = activate("--accept", "--inetd", "--max-connections", "1", "-l", f"127.0.0.1:{port}", "/bin/cat")
    a.wait_listening()
    first = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    first.sendall(b"1")
    assert first.recv(1) == b"1"  # its cat runs
    second = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    second.sendall(b"2")
    second.settimeout(0.5)
    with pytest.raises(socket.timeout):
        second.recv(1)  # queued: no second child while the first lives
    first.close()
    second.settimeout(TIMEOUT)
    assert second.recv(1) == b"2"
    second.close()


def test_max_connections_with_sigchld_ignored(activate):
    """A parent that ignores SIGCHLD would have the kernel reap our children
    unseen; porter-activate takes SIGCHLD back, so slots are freed."""
    port = free_port()
    a = activate("--accept", "--inetd", "--max-connections", "1", "-l", f"127.0.0.1:{port}", "/bin/cat",
                 preexec_fn=lambda: signal.signal(signal.SIGCHLD, signal.SIG_IGN))
    a.wait_listening()
    for i in range(5):
        assert echo(("127.0.0.1", port), b"%d\n" % i) == b"%d\n" % i


def test_children_die_with_us(activate):
    port = free_port()
    a = activate("--accept", "--inetd", "-l", f"127.0.0.1:{port}", "/bin/cat")
    a.wait_listening()
    c = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    c.sendall(b"x")
    assert c.recv(1) == b"x"
    (child,) = a.children()
    a.proc.send_signal(signal.SIGTERM)
    a.wait()
    deadline = time.monotonic() + TIMEOUT
    while os.path.exists(f"/proc/{child}") and time.monotonic() < deadline:
        try:
            if pathlib.Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
                break
        except FileNotFoundError:
            break
        time.sleep(0.02)
    # cat got SIGTERM (parent death signal): the connection ends.
    c.settimeout(TIMEOUT)
    assert c.recv(1) == b""
    c.close()


# ---------------------------------------------------------------- MPTCP


def mptcp_available():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP).close()
        return True
    except OSError:
        return False


def test_mptcp_accept(activate, tmp_path):
    if not mptcp_available():
        pytest.skip("kernel without MPTCP")
    port = free_port()
    d = tmp_path / "reports"
    d.mkdir()
    a = activate("--accept", "--protocol=mptcp", "-l", f"127.0.0.1:{port}", probe(),
                 "--report-dir", str(d), "--serve")
    a.wait_listening()
    assert "MPTCP" not in a.stderr()
    assert echo(("127.0.0.1", port), proto=IPPROTO_MPTCP) == b"ping\n"
    assert echo(("127.0.0.1", port)) == b"ping\n"
    reports = read_reports(d, 2)
    by_proto = {r.fds[3]["protocol"]: r for r in reports}
    # The MPTCP client: an MPTCP connection; the plain client: TCP fallback.
    assert by_proto["262"].fds[3]["mptcp"] == "mptcp"
    assert by_proto["6"].fds[3]["mptcp"] in ("tcp", "tcp-fallback")


def test_mptcp_listener_protocol_non_accept(activate, tmp_path):
    if not mptcp_available():
        pytest.skip("kernel without MPTCP")
    report = tmp_path / "report"
    activate("--protocol=mptcp", "-l", f"127.0.0.1:{free_port()}", "--now", probe(), "--report", str(report))
    r = read_report(report)
    assert r.fds[3]["protocol"] == "262" and r.fds[3]["listening"] == "1"


def test_mptcp_fallback_warning_in_netns(tmp_path):
    """In a fresh network namespace with net.mptcp.enabled=0, the socket
    falls back to TCP with a warning naming the address and the reason."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a network namespace")
    report = tmp_path / "report"
    script = ("ip link set lo up && sysctl -qw net.mptcp.enabled=0 && "
              f"exec {program('porter-activate')} --protocol=mptcp -l 127.0.0.1:4242 --now "
              f"{probe()} --report {report}")
    r = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True,
                       timeout=TIMEOUT)
    if "sysctl" in r.stderr and "net.mptcp" in r.stderr:
        pytest.skip(f"cannot disable MPTCP in a namespace: {r.stderr.strip()}")
    assert r.returncode == 0, r.stderr
    assert re.search(r"MPTCP is not available for 127\.0\.0\.1:4242 \(.*\), falling back to plain TCP",
                     r.stderr), r.stderr
    rep = read_report(report)
    assert rep.fds[3]["protocol"] == "6"


# ---------------------------------------------------------------- errors


def test_sctp_clear_error():
    r = run_activate("--protocol=sctp", "-l", f"127.0.0.1:{free_port()}", "/bin/true")
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132).close()
    except OSError:
        assert r.returncode == 1
        assert "Failed to create SCTP socket for 127.0.0.1:" in r.stderr
        assert "Protocol not supported" in r.stderr
        print("SKIP (working SCTP case): this kernel has no SCTP")
        return
    pytest.skip("kernel has SCTP: the error case does not apply")


@pytest.mark.parametrize("args,code,message", [
    ([], 2, "The command to execute is missing."),
    (["-l", "1", "-d", "-a", "true"], 2, "may not be combined"),
    (["-l", "1", "-d", "--seqpacket", "true"], 2, "--seqpacket may not be combined with --datagram."),
    (["-l", "1", "--now", "-a", "true"], 2, "--now may not be combined with --accept."),
    (["-l", "1.2.3:4", "true"], 2, "Failed to parse socket address '1.2.3:4'"),
    (["--protocol=tcp", "-l", "1", "true"], 2, "Unknown protocol 'tcp'"),
    (["--protocol=mptcp", "-l", "/tmp/porter-x.sock", "true"], 2, "--protocol=mptcp cannot be used with"),
    (["--protocol=mptcp", "-d", "-l", "1", "true"], 2, "does not work with datagram sockets"),
    (["-l", "1", "porter-no-such-command"], 127, "Cannot run 'porter-no-such-command'"),
    (["-E", "1BAD=x", "-l", "1", "true"], 2, "Cannot assign environment variable '1BAD=x'"),
    (["true"], 2, "No sockets to listen on"),
])
def test_usage_errors(args, code, message):
    r = run_activate(*args)
    assert r.returncode == code, r.stderr
    assert message in r.stderr


def test_inetd_needs_one_fd_without_accept(tmp_path):
    r = run_activate("-l", str(tmp_path / "a"), "-l", str(tmp_path / "b"), "--inetd", "--now", "/bin/true")
    assert r.returncode == 2
    assert "--inetd only supported with a single file descriptor" in r.stderr


def test_not_executable(tmp_path):
    f = tmp_path / "tool"
    f.write_text("#!/bin/sh\n")
    f.chmod(0o644)
    r = run_activate("-l", str(tmp_path / "s"), "--now", str(f))
    assert r.returncode == 126
    assert "Permission denied" in r.stderr


def test_bind_failure_is_exit_1():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_activate("-l", f"127.0.0.1:{port}", "/bin/true")
    assert r.returncode == 1
    assert f"127.0.0.1:{port}" in r.stderr


# ---------------------------------------------------------------- --unit


def test_unit_ports_options_and_names(activate, tmp_path):
    """--unit takes the listeners, SocketMode=, FileDescriptorName= and the
    socket options of a unit file, in configuration order, in front of -l."""
    port, dport, lport = free_port(), free_port_udp(), free_port()
    path = tmp_path / "run" / "u.sock"
    unit = tmp_path / "demo.socket"
    unit.write_text(f"""[Socket]
ListenStream=127.0.0.1:{port}
ListenDatagram=127.0.0.1:{dport}
ListenStream={path}
ListenFIFO={tmp_path}/fifo
SocketMode=0600
DirectoryMode=0700
FileDescriptorName=demo
KeepAlive=yes
ReceiveBuffer=65536
""")
    report = tmp_path / "report"
    a = activate("--unit", str(unit), "-l", f"127.0.0.1:{lport}", probe(), "--report", str(report))
    a.wait_listening(5)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    poke(("127.0.0.1", lport))
    r = read_report(report)
    assert sorted(r.fds) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert r.fds[3]["port"] == str(port) and r.fds[3]["type"] == "1"
    assert r.fds[4]["port"] == str(dport) and r.fds[4]["type"] == "2"
    assert r.fds[5]["family"] == "1"
    assert r.fds[6]["kind"] == "fifo"
    assert r.fds[7]["port"] == str(lport)
    assert r.env["LISTEN_FDNAMES"] == "demo:demo:demo:demo:unknown"
    assert r.sd_listen_fds == 5


def test_unit_accept_yes(activate, tmp_path):
    """Accept=yes in the unit turns on accept mode; connections are named
    "connection"; MaxConnections= limits the children."""
    port = free_port()
    unit = tmp_path / "acc.socket"
    unit.write_text(f"[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nMaxConnections=1\n")
    d = tmp_path / "reports"
    d.mkdir()
    a = activate("--unit", str(unit), probe(), "--report-dir", str(d), "--serve")
    a.wait_listening()
    first = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    read_reports(d, 1)
    second = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    time.sleep(0.3)
    assert len(list(d.iterdir())) == 1  # MaxConnections=1: the second waits
    first.close()
    reports = read_reports(d, 2)
    second.close()
    for r in reports:
        assert r.names == {3: "connection"}
        assert r.fds[3]["listening"] == "0"
        assert r.env["REMOTE_ADDR"] == "127.0.0.1"


@pytest.mark.parametrize("text,message", [
    ("[Socket]\nBacklog=abc\n", "Unit has no Listen setting"),
    ("[Socket]\nListenStream=/tmp/porter-test-u.sock\nSocketProtocol=mptcp\n", "did not load"),
])
def test_unit_load_errors(tmp_path, text, message):
    unit = tmp_path / "bad.socket"
    unit.write_text(text)
    r = run_activate("--unit", str(unit), "/bin/true")
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    if "Backlog" in text:
        assert f"{unit}:2: " in r.stderr  # file:line diagnostics


def test_unit_not_a_socket(tmp_path):
    unit = tmp_path / "x.service"
    unit.write_text("[Service]\nExecStart=/bin/true\n")
    r = run_activate("--unit", str(unit), "/bin/true")
    assert r.returncode == 2
    assert "'x.service' is not a socket unit." in r.stderr
