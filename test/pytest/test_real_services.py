"""Real software written for systemd, run unchanged under porterd.

Each scenario installs its Debian package with tools/bootstrap.sh, copies the
unit files and configuration of test/integration/real-services/<scenario>
into a private directory (filling in @TMP@, @PORT@, ...), starts porterd
--system in a private mount namespace with its own tmpfs on /run, and checks
the service with its real client: ssh, curl, dbus-send, git clone, rsync.

Every scenario is bounded in time (each client call has a timeout; porterd is
stopped by pid in a finally) and is skipped, with the reason, only when its
package cannot be installed or the kernel lacks what it needs."""
import os
import pathlib
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import BUILD_DIR, SOURCE_DIR, program
from porterd_fixture import free_port, wait_for

SCENARIOS = SOURCE_DIR / "test" / "integration" / "real-services"
BOOTSTRAP = SOURCE_DIR / "tools" / "bootstrap.sh"
LISTEN_PROBE = BUILD_DIR / "test" / "helpers" / "listen-probe"
USER, GROUP = "nobody", "nogroup"
# Daemons whose packages start them on installation if nothing prevents it.
DAEMONS = ("sshd", "lighttpd", "rsync", "gunicorn", "git-daemon")

RUNNERS = pytest.mark.parametrize("runner", ["porterd", "porter-activate"])

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root: installs packages, mounts a private /run")


def init_daemons():
    """pids of the daemons above that init adopted (ppid 1), by exact name:
    what a maintainer script would leave running.  Services run by porter
    are children of porterd or porter-activate, never of init."""
    pids = set()
    for name in DAEMONS:   # one pgrep per name: over 15 characters matches nothing
        r = subprocess.run(["pgrep", "-x", "-P", "1", name], capture_output=True, text=True)
        pids |= {int(p) for p in r.stdout.split()}
    return pids


def install(*packages):
    """Install packages with bootstrap.sh or skip the test.  If it did
    install something and a daemon appeared under init meanwhile, that pid
    (only that one) is stopped and the test fails: bootstrap.sh must keep
    maintainer scripts from starting daemons."""
    before = init_daemons()
    try:
        r = subprocess.run([str(BOOTSTRAP), *packages], capture_output=True, text=True,
                           timeout=300)
    except subprocess.TimeoutExpired:
        pytest.skip(f"installing {' '.join(packages)} took over 300 s")
    if r.returncode != 0:
        pytest.skip(f"cannot install {' '.join(packages)}: {r.stderr.strip()[-300:]}")
    if "installing" not in r.stderr:
        return                                  # all there already: nothing ran
    started = init_daemons() - before
    for pid in started:
        os.kill(pid, signal.SIGTERM)
    assert not started, f"installing {packages} started daemons {started}; stopped them"


class Scenario:
    """A private directory with one scenario's files and a porterd --system
    running them in its own mount namespace."""

    def __init__(self, name, runner="porterd", **values):
        # Not pytest's tmp_path: its parents are mode 0700, and the services
        # that drop to User=nobody must reach their files.
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix=f"porter-{name}-"))
        self.dir.chmod(0o755)
        self.units = self.dir / "units"
        self.units.mkdir()
        self.values = {"TMP": str(self.dir), "USER": USER, "GROUP": GROUP,
                       "PROBE": str(LISTEN_PROBE), **values}
        for src in sorted((SCENARIOS / name).iterdir()):
            is_unit = src.suffix in (".socket", ".service")
            self.write((self.units if is_unit else self.dir) / src.name, src.read_text())
        self.runner = runner
        self.accept = False
        self.cwd = None                   # porter-activate: WorkingDirectory=
        self.proc = None
        self.log_path = self.dir / f"{runner}.log"

    def fill(self, text):
        return re.sub(r"@([A-Z0-9]+)@", lambda m: str(self.values[m.group(1)]), text)

    def write(self, path, text):
        path = pathlib.Path(path)
        path.write_text(self.fill(text))
        path.chmod(0o644)
        return path

    def start(self, *units, prepare="", pass_fds=()):
        """Run the socket units, in a new mount namespace with a tmpfs on
        /run; prepare is shell run there first.  Waits until they listen.

        porterd: porterd --system --start UNIT...
        porter-activate: porter-activate -v --unit UNIT.socket... [--inetd]
        with the ExecStart= line of the service the first unit triggers
        (User= and Type= do not apply there)."""
        self.accept = any(re.search(r"^Accept=yes", (self.units / u).read_text(), re.M)
                          for u in units)
        script = ("mount -t tmpfs -o mode=0755 porter-run /run || exit 97\n"
                  f"{prepare}\nexec \"$@\"")
        if self.runner == "porterd":
            cmd = [program("porterd"), "--system", "--unit-path", str(self.units),
                   "--log-level", "debug"]
            for u in units:
                cmd += ["--start", u]
            ready = f"Started {len(units)} of {len(units)} units."
        else:
            cmd = [program("porter-activate"), "-v"]
            for u in units:
                cmd += ["--unit", str(self.units / u)]
            cmd += self.activate_command(units[0])
            ready = "Listening on "
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private",
                                      "sh", "-c", script, "sh", *cmd],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.cwd, pass_fds=pass_fds)
        self.wait_log(ready)

    def activate_command(self, socket_unit):
        """[--inetd] and the command of the service socket_unit triggers."""
        text = (self.units / socket_unit).read_text()
        accept = re.search(r"^Accept=yes", text, re.M)
        stem = socket_unit.removesuffix(".socket")
        named = re.search(r"^Service=(.*)$", text, re.M)
        service = (self.units / (named.group(1) if named else
                                 f"{stem}@.service" if accept else f"{stem}.service")).read_text()
        exec_start = re.search(r"^ExecStart=(.*)$", service, re.M).group(1).lstrip("-")
        argv = [w for w in shlex.split(exec_start) if not w.startswith("$")]
        self.accept = bool(accept)
        wd = re.search(r"^WorkingDirectory=(.*)$", service, re.M)
        self.cwd = wd.group(1) if wd else None
        inetd = ["--inetd"] if re.search(r"^StandardInput=socket", service, re.M) else []
        return [*inetd, *argv]

    def text(self):
        return self.log_path.read_text(errors="replace")

    def wait_log(self, needle, timeout=10.0):
        def seen():
            if self.proc.poll() is not None:
                raise AssertionError(f"porterd exited {self.proc.returncode}:\n{self.text()}")
            return needle in self.text()
        wait_for(seen, timeout, f"'{needle}' in porterd's log")

    def wait_instances_done(self, timeout=15.0):
        """Accept=yes: wait until every per-connection process has exited.
        The client may return before its server process does, and a stop
        request would then meet it still running."""
        started, exited = (("Started main process", "Main process exited") if self.runner == "porterd"
                           else (": started PID", "exited with status"))
        wait_for(lambda: self.text().count(started) == self.text().count(exited), timeout,
                 "every connection's process to exit")

    def wait_log_count(self, needle, count, timeout=15.0):
        wait_for(lambda: self.text().count(needle) >= count, timeout,
                 f"'{needle}' {count}x in the log")

    def ctl(self, *args):
        """porterctl --system inside porterd's mount namespace."""
        assert self.runner == "porterd"
        return subprocess.run(["nsenter", "-t", str(self.proc.pid), "-m", program("porterctl"),
                               "--system", *args], capture_output=True, text=True, timeout=20)

    def stop(self):
        """SIGTERM porterd by pid and wait; returns its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
        return self.proc.returncode

    def cleanup(self):
        if self.proc is not None:
            self.stop()
            print(f"--- porterd's log ({self.dir.name}):\n{self.text()}")  # shown on failure
            for log in sorted(self.dir.rglob("*.log")):
                if log != self.log_path:
                    print(f"--- {log.name}:\n{log.read_text(errors='replace')[-3000:]}")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def scenario():
    made = []

    def make(name, runner="porterd", **values):
        s = Scenario(name, runner, **values)
        made.append(s)
        return s
    yield make
    for s in made:
        s.cleanup()


def run(args, timeout=20, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)


def assert_clean_stop(s):
    """porterd stops every unit on SIGTERM and exits 0 (porter-activate,
    like systemd-socket-activate, dies of the signal: 143 from sh's view)."""
    if s.accept:
        s.wait_instances_done()
    code = s.stop()
    log = s.text()
    # Without Accept=, porter-activate has become the service: its status.
    assert code == (-signal.SIGTERM if s.runner != "porterd" and s.accept else 0), log
    assert "Sanitizer" not in log and "runtime error:" not in log, log
    return log


# --- sshd -i, one per connection -------------------------------------------

def ssh_setup(scenario, name, runner):
    install("openssh-server", "openssh-client")
    s = scenario(name, runner, PORT=free_port())
    for key in ("ssh_host_ed25519_key", "client_key"):
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(s.dir / key)]).check_returncode()
    shutil.copy(s.dir / "client_key.pub", s.dir / "authorized_keys")
    # ssh@.service says RuntimeDirectory=sshd: porterd makes /run/sshd for
    # every instance (test_ssh_runtime_directory_per_instance checks that
    # alone); porter-activate runs no service settings, so it is made here.
    s.start("ssh.socket", prepare="" if runner == "porterd" else "mkdir -m 0755 /run/sshd")
    return s


def ssh_command(s, *command, mptcp=False):
    args = ["ssh", "-i", str(s.dir / "client_key"), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "ConnectTimeout=10", "-p", str(s.values["PORT"]), "root@127.0.0.1", *command]
    if mptcp:
        args = ["mptcpize", "run", *args]
    return run(args, timeout=25)


@RUNNERS
def test_sshd_inetd_accept_yes(scenario, runner):
    s = ssh_setup(scenario, "ssh", runner)
    r = ssh_command(s, "echo", "hello")
    assert r.returncode == 0, (r.stderr, s.text(), (s.dir / "sshd.log").read_text())
    assert r.stdout == "hello\n"
    # A second login is a second instance: Accept=yes spawns one sshd each.
    r = ssh_command(s, "sh", "-c", "'echo $SSH_CONNECTION'")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[2:] == ["127.0.0.1", str(s.values["PORT"])]
    assert s.text().count("ssh@" if runner == "porterd" else "Connection from") >= 2, s.text()
    assert "Accepted publickey for root" in (s.dir / "sshd.log").read_text()
    assert_clean_stop(s)


def test_ssh_session_survives_socket_stop(scenario):
    """Stopping ssh.socket (as a package upgrade does) closes the listener
    but leaves running sessions alone, as in systemd: the instances are not
    bound to their socket unit."""
    s = ssh_setup(scenario, "ssh", "porterd")
    args = ["ssh", "-i", str(s.dir / "client_key"), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=error",
            "-p", str(s.values["PORT"]), "root@127.0.0.1", "sleep 3; echo survived"]
    session = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        s.wait_log("Changed start -> running")
        time.sleep(0.5)                       # past authentication, into the command
        assert s.ctl("stop", "ssh.socket").returncode == 0
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", s.values["PORT"]), timeout=2).close()
        out, err = session.communicate(timeout=20)
    finally:
        if session.poll() is None:
            session.kill()
            session.wait()
    assert (session.returncode, out) == (0, "survived\n"), (err, s.text())
    assert_clean_stop(s)


def test_debian_ssh_service_notify_and_killmode_process(scenario):
    """Debian's own ssh.service (not socket-activated): Type=notify through
    libsystemd, RuntimeDirectory=sshd, ExecStartPre= config check and
    KillMode=process, which lets sessions live through a restart."""
    install("openssh-server", "openssh-client")
    s = scenario("ssh-daemon", PORT=free_port())
    for key in ("ssh_host_ed25519_key", "client_key"):
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(s.dir / key)]).check_returncode()
    shutil.copy(s.dir / "client_key.pub", s.dir / "authorized_keys")
    s.start("ssh.service")
    s.wait_log("ssh.service: Changed start -> running")        # sshd's READY=1
    r = ssh_command(s, "echo", "hello")
    assert (r.returncode, r.stdout) == (0, "hello\n"), (r.stderr, s.text())

    args = ["ssh", "-i", str(s.dir / "client_key"), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=error",
            "-p", str(s.values["PORT"]), "root@127.0.0.1", "sleep 3; echo survived"]
    sshd_log = s.dir / "sshd.log"
    session = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: sshd_log.read_text().count("Starting session") >= 2, 10, "the session")
        assert s.ctl("restart", "ssh.service").returncode == 0, s.text()
        s.wait_log_count("ssh.service: Changed start -> running", 2)
        out, err = session.communicate(timeout=20)
    finally:
        if session.poll() is None:
            session.kill()
            session.wait()
    assert (session.returncode, out) == (0, "survived\n"), (err, s.text())
    r = ssh_command(s, "echo", "again")                  # the new daemon
    assert (r.returncode, r.stdout) == (0, "again\n"), (r.stderr, s.text())
    assert_clean_stop(s)


@RUNNERS
def test_sshd_over_mptcp(scenario, runner):
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262).close()
    except OSError as e:
        pytest.skip(f"no MPTCP in this kernel: {e}")
    if not shutil.which("mptcpize"):
        install("mptcpize")
    s = ssh_setup(scenario, "ssh-mptcp", runner)
    port = s.values["PORT"]
    # While logged in, the session lists the machine's MPTCP sockets: its own
    # connection must be one, on the server's side of port PORT.
    r = ssh_command(s, "ss", "-HMnt", mptcp=True)
    assert r.returncode == 0, (r.stderr, s.text())
    mptcp = [l.split() for l in r.stdout.splitlines() if l.startswith("mptcp")]
    assert any(f[4] == f"127.0.0.1:{port}" and f[1] == "ESTAB" for f in mptcp), r.stdout
    # A plain ssh to the same socket falls back to TCP; porter counts both.
    r = ssh_command(s, "echo", "plain")
    assert r.returncode == 0 and r.stdout == "plain\n", r.stderr
    if runner == "porterd":
        st = s.ctl("status", "ssh.socket")
        assert "(Stream, mptcp)" in st.stdout, st.stdout
        assert "MPTCP: 1; fell back to TCP: 1" in st.stdout, st.stdout
    else:
        # -v names the transport of each connection, in order.
        log = s.text()
        assert re.search(r"Connection from 127\.0\.0\.1:\d+ on fd 3 \(mptcp\): started", log), log
        assert log.index("(mptcp)") < log.index("(tcp-fallback)"), log
    assert_clean_stop(s)


def test_ssh_instances_exec_start_dash_prefix(scenario):
    s = ssh_setup(scenario, "ssh", "porterd")
    assert ssh_command(s, "echo", "hello").stdout == "hello\n"
    s.wait_instances_done()
    log = s.text()
    assert re.search(r"Main process exited.*status=255", log), log      # sshd -i's own exit
    assert "Failed with result" not in log, log


def test_ssh_runtime_directory_per_instance(scenario):
    install("openssh-server", "openssh-client")
    s = scenario("ssh", PORT=free_port())
    for key in ("ssh_host_ed25519_key", "client_key"):
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(s.dir / key)]).check_returncode()
    shutil.copy(s.dir / "client_key.pub", s.dir / "authorized_keys")
    s.start("ssh.socket")                  # no /run/sshd made by hand
    r = ssh_command(s, "echo", "hello")
    assert r.stdout == "hello\n", (s.dir / "sshd.log").read_text()


# --- lighttpd, Accept=no, started by the first request -----------------------

@RUNNERS
def test_lighttpd_started_by_first_request(scenario, runner):
    install("lighttpd", "curl")
    s = scenario("lighttpd", runner, PORT=free_port())
    (s.dir / "www").mkdir(mode=0o755)
    (s.dir / "www" / "index.html").write_text("<p>served by lighttpd under porter</p>\n")
    (s.dir / "www" / "index.html").chmod(0o644)
    # Like Debian's /var/log/lighttpd: lighttpd opens its log after setuid.
    (s.dir / "log").mkdir()
    shutil.chown(s.dir / "log", USER, GROUP)
    s.start("lighttpd.socket")
    if runner == "porterd":
        assert s.ctl("is-active", "lighttpd.service").stdout.strip() == "inactive"
    else:
        assert "Executing" not in s.text()
    url = f"http://127.0.0.1:{s.values['PORT']}/"
    r = run(["curl", "-sS", "--max-time", "10", url])
    assert r.returncode == 0, (r.stderr, s.text())
    assert r.stdout == "<p>served by lighttpd under porter</p>\n"
    if runner == "porterd":
        assert s.ctl("is-active", "lighttpd.service").stdout.strip() == "active"
    # The second request goes to the running server, not a new one.
    assert run(["curl", "-sS", "--max-time", "10", url]).stdout.startswith("<p>served")
    # lighttpd 1.4.69 exits 1, not 0, if SIGTERM finds a connection it has
    # not yet seen closed (srv->conns): stop once curl's are gone.
    wait_for(lambda: not connected(s.values["PORT"]), 10, "lighttpd's connections to close")
    if runner != "porterd":
        assert s.text().count("Executing /usr/sbin/lighttpd") == 1, s.text()
        assert_clean_stop(s)                        # lighttpd's own exit status: 0
        return
    assert s.text().count("lighttpd.service: Started main process") == 1, s.text()
    log = assert_clean_stop(s)
    # lighttpd exits 0 on SIGTERM: a clean stop, not a kill.
    assert "lighttpd.service: Main process exited, status=0" in log, log
    assert "lighttpd.service: Deactivated successfully." in log, log


# --- dbus-daemon --address=systemd: -------------------------------------------

@RUNNERS
def test_dbus_daemon_address_systemd(scenario, runner):
    install("dbus")
    s = scenario("dbus", runner)
    s.start("dbus.socket")
    bus = s.dir / "bus"
    assert bus.is_socket()
    # --bus: register with Hello first, as a bus client does (--address
    # means --peer in dbus 1.14: no Hello, and the bus refuses the call).
    r = run(["dbus-send", f"--bus=unix:path={bus}", "--print-reply",
             "--dest=org.freedesktop.DBus", "/", "org.freedesktop.DBus.GetId"])
    assert r.returncode == 0, (r.stderr, s.text())
    assert re.search(r'string "[0-9a-f]{32}"', r.stdout), r.stdout
    if runner == "porterd":                          # Type=notify: READY=1 came
        s.wait_log("dbus.service: Changed start -> running")
    assert not (s.dir / "unused-bus").exists()     # it used porter's socket, not its own
    assert_clean_stop(s)


# --- gunicorn from LISTEN_FDS ----------------------------------------------------

@RUNNERS
def test_gunicorn_socket_activation(scenario, runner):
    install("gunicorn", "curl")
    s = scenario("gunicorn", runner, PORT=free_port())
    (s.dir / "app").mkdir(mode=0o755)
    shutil.move(s.dir / "hello.py", s.dir / "app" / "hello.py")
    s.start("gunicorn.socket", prepare="umask 0022")
    # porter-activate has no User=: there the service stays root.
    uid = pwd.getpwnam(USER).pw_uid if runner == "porterd" else 0
    url = f"http://127.0.0.1:{s.values['PORT']}/"
    r = run(["curl", "-sS", "--max-time", "15", url])
    assert r.returncode == 0, (r.stderr, s.text())
    m = re.fullmatch(r"hello from gunicorn worker uid (\d+) pid (\d+) master (\d+)\n", r.stdout)
    assert m and int(m[1]) == uid, r.stdout
    # A SIGTERM while the master still forks its workers makes gunicorn 20.1
    # boot one more and hang until TimeoutStopSec= (its race, systemd's too):
    # stop only once both workers are up.
    gunicorn_settle(s, 2)
    if runner != "porterd":
        assert_clean_stop(s)
        return
    s.wait_log("gunicorn.service: Changed start -> running")   # READY=1 came
    # Stop with KillMode=mixed: SIGTERM to the master, which stops its
    # workers; then the socket starts a new master on the next request.
    worker, master = int(m[2]), int(m[3])
    assert s.ctl("stop", "gunicorn.service").returncode == 0, s.text()
    assert not alive(master) and not alive(worker), s.text()
    assert "Handling signal: term" in s.text()
    r = run(["curl", "-sS", "--max-time", "15", url])
    m2 = re.fullmatch(r"hello from gunicorn worker uid (\d+) pid (\d+) master (\d+)\n", r.stdout)
    assert m2 and int(m2[3]) != master, (r.stdout, s.text())
    gunicorn_settle(s, 4)
    assert_clean_stop(s)


def gunicorn_settle(s, workers):
    """gunicorn 20.1 logs "Booting worker" before the worker installs its
    own signal handlers; a SIGTERM in between is queued for an arbiter that
    does not run in the worker, so the worker ignores it and the stop ends
    in SIGKILL after TimeoutStopSec= (under systemd as well).  Give booted
    workers a moment to finish their start."""
    s.wait_log_count("Booting worker", workers)
    time.sleep(1.0)


def connected(port):
    """TCP sockets with local port port that are neither listening nor
    closed: established, or closed by the peer but not yet by us
    (CLOSE-WAIT)."""
    r = run(["ss", "-Htn", "state", "established", "state", "close-wait", f"( sport = :{port} )"])
    return r.stdout.strip()


def alive(pid):
    """True if pid runs and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# --- libsystemd in C and python3-systemd ------------------------------------------

def report(path):
    facts = {"fd": {}, "name": {}, "env": {}}
    for line in pathlib.Path(path).read_text().splitlines():
        w = line.split(" ")
        if w[0] == "fd":
            facts["fd"][int(w[1])] = dict(zip(w[2::2], w[3::2]))
        elif w[0] == "name":
            facts["name"][w[2]] = int(w[1])
        elif w[0] == "env":
            k, _, v = w[1].partition("=")
            facts["env"][k] = " ".join([v, *w[2:]])
        elif len(w) == 2:
            facts[w[0]] = w[1]
    return facts


@RUNNERS
def test_libsystemd_three_named_sockets(scenario, runner):
    if not LISTEN_PROBE.exists():
        pytest.skip(f"listen-probe not built at {LISTEN_PROBE}")
    s = scenario("named-sockets", runner, PORT=free_port(), PORT2=free_port())
    s.start("probe-web.socket", "probe-dns.socket", "probe-ctl.socket")
    with socket.create_connection(("127.0.0.1", s.values["PORT"]), timeout=10) as c:
        wait_for((s.dir / "report").exists, 10, "the probe's report")
        wait_for(lambda: (s.dir / "report").read_text().endswith("end\n"), 10, "report")
        f = report(s.dir / "report")
        assert f["sd_listen_fds"] == "3" and f["listen_pid_matches"] == "1", f
        assert set(f["name"]) == {"web", "dns", "ctl"}, f
        assert sorted(f["name"].values()) == [3, 4, 5]
        web, dns, ctl = (f["fd"][f["name"][n]] for n in ("web", "dns", "ctl"))
        assert (web["family"], web["type"], web["listening"], web["port"]) == \
            ("2", "1", "1", str(s.values["PORT"]))
        assert (dns["family"], dns["type"], dns["port"]) == ("2", "2", str(s.values["PORT2"]))
        assert (ctl["family"], ctl["type"], ctl["listening"]) == ("1", "1", "1")
        assert f["env"]["LISTEN_FDNAMES"].split(":") == \
            sorted(f["name"], key=lambda n: f["name"][n])
        assert all(f["fd"][fd]["cloexec"] == "0" for fd in (3, 4, 5))
        assert max(f["fd"]) == 5                     # nothing else leaked in
        if f["name"]["web"] == 3:                    # --serve echoes fd 3 only
            c.sendall(b"ping\n")
            assert c.makefile("rb").readline() == b"ping\n"
    if runner == "porter-activate":
        # porter-activate became the probe, which ends after one connection.
        assert f["env"]["LISTEN_FDNAMES"] == "web:dns:ctl"   # --unit order
        assert s.proc.wait(10) == 0, s.text()
    assert_clean_stop(s)


def test_services_do_not_inherit_porterds_stray_fds(scenario):
    """A porterd started from a shell or script that leaves an fd open
    (here a pipe at fd 3 of porterd, not a LISTEN_FDS socket) must not hand
    it to its services."""
    if not LISTEN_PROBE.exists():
        pytest.skip(f"listen-probe not built at {LISTEN_PROBE}")
    s = scenario("named-sockets", PORT=free_port(), PORT2=free_port())
    r, w = os.pipe()
    try:
        s.start("probe-web.socket", "probe-dns.socket", "probe-ctl.socket", pass_fds=(r, w))
    finally:
        os.close(r)
        os.close(w)
    with socket.create_connection(("127.0.0.1", s.values["PORT"]), timeout=10):
        wait_for(lambda: (s.dir / "report").exists() and
                 (s.dir / "report").read_text().endswith("end\n"), 10, "the probe's report")
    f = report(s.dir / "report")
    assert sorted(f["fd"]) == [0, 1, 2, 3, 4, 5], f["fd"]


def test_python3_systemd_listen_fds(scenario):
    install("python3-systemd")
    s = scenario("python3-systemd", PORT=free_port())
    s.start("pyecho.socket", prepare="umask 0022")
    uid = pwd.getpwnam(USER).pw_uid
    with socket.create_connection(("127.0.0.1", s.values["PORT"]), timeout=10) as c:
        c.sendall(b"hello\n")
        line = c.makefile("rb").readline().decode()
    assert line == f"hello fds=[3] inet=True uid={uid} env=True\n", (line, s.text())
    s.wait_log("pyecho.service: Changed start -> running")
    assert_clean_stop(s)


def test_notify_socket_writable_by_service_users(scenario):
    install("python3-systemd")
    s = scenario("python3-systemd", PORT=free_port())
    s.start("pyecho.socket", prepare="umask 0022")
    with socket.create_connection(("127.0.0.1", s.values["PORT"]), timeout=10) as c:
        c.sendall(b"hello\n")
        assert c.makefile("rb").readline().startswith(b"hello fds=[3]")


def test_daytime_standard_output_socket(scenario):
    s = scenario("daytime", PORT=free_port())
    s.start("daytime.socket")
    with socket.create_connection(("127.0.0.1", s.values["PORT"]), timeout=10) as c:
        line = c.makefile("rb").readline().decode()
    assert re.fullmatch(r"\w+day, \w+ \d\d, \d{4} \d\d:\d\d:\d\d-UTC\n", line), (line, s.text())
    assert_clean_stop(s)


# --- inetd-style: git daemon and rsync --daemon ---------------------------------

@RUNNERS
def test_git_daemon_inetd(scenario, runner):
    install("git")
    s = scenario("git-daemon", runner, PORT=free_port())
    repo = s.dir / "repos" / "repo"
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    run(["git", "init", "-q", "-b", "main", str(repo)]).check_returncode()
    (repo / "README").write_text("cloned through porter\n")
    run(["git", "-C", str(repo), "add", "README"], env=env).check_returncode()
    run(["git", "-C", str(repo), "commit", "-q", "-m", "first"], env=env).check_returncode()
    s.start("git-daemon.socket")
    dest = s.dir / "clone"
    r = run(["git", "clone", "-q", f"git://127.0.0.1:{s.values['PORT']}/repo", str(dest)],
            timeout=25)
    assert r.returncode == 0, (r.stderr, s.text())
    assert (dest / "README").read_text() == "cloned through porter\n"
    assert_clean_stop(s)


@RUNNERS
def test_rsync_daemon_inetd(scenario, runner):
    install("rsync")
    s = scenario("rsync", runner, PORT=free_port())
    src = s.dir / "src"
    (src / "sub").mkdir(parents=True, mode=0o755)
    src.chmod(0o755)
    for i, name in enumerate(("a.txt", "sub/b.txt", "sub/c.bin")):
        (src / name).write_bytes(bytes(range(256)) * (i * 100 + 1))
        (src / name).chmod(0o644)
    s.start("rsync.socket")
    dest = s.dir / "dest"
    r = run(["rsync", "-a", "--timeout=20", f"rsync://127.0.0.1:{s.values['PORT']}/module/",
             f"{dest}/"], timeout=25)
    assert r.returncode == 0, (r.stderr, s.text(),
                               (s.dir / "rsyncd.log").read_text() if (s.dir / "rsyncd.log").exists() else "")
    for name in ("a.txt", "sub/b.txt", "sub/c.bin"):
        assert (dest / name).read_bytes() == (src / name).read_bytes()
    assert_clean_stop(s)


# --- what these scenarios found in porter-activate -------------------------------

def test_porter_activate_units_must_agree_on_accept(tmp_path):
    """The named-sockets service needs three socket units; porter-activate
    took only the last --unit and silently dropped the others (now it takes
    them all: test_libsystemd_three_named_sockets[porter-activate]).  Units
    that disagree on Accept= cannot share one activator and are refused."""
    (tmp_path / "a.socket").write_text(f"[Socket]\nListenStream=127.0.0.1:{free_port()}\n")
    (tmp_path / "b.socket").write_text(f"[Socket]\nListenStream=127.0.0.1:{free_port()}\n"
                                       "Accept=yes\n")
    r = run([program("porter-activate"), "--unit", str(tmp_path / "a.socket"),
             "--unit", str(tmp_path / "b.socket"), "/bin/true"], timeout=10)
    assert r.returncode == 2, r
    assert "'a.socket' and 'b.socket' disagree on Accept=." in r.stderr, r.stderr
