"""MPTCP accounting for Accept=no sockets.

With Accept=no the service accepts the connections, so porterd cannot
classify them itself; `porterctl status` asks the kernel (NETLINK_SOCK_DIAG,
src/basic/sock-diag.c) how many connections are open on the socket's MPTCP
listener and which of them are MPTCP.  Everything runs in a network
namespace the test creates (`ip netns add porter-test-PID`, removed in a
finally): porterd, its service and the clients.  Root only."""
import os
import pathlib
import shutil
import subprocess
import textwrap

import pytest

from conftest import program, write_unit
from porterd_fixture import PYTHON, sanitizer_lines, stop_by_pid, wait_for

PORT = 5301

# The service: accepts on fd 3 and holds every connection open until the
# client closes it, writing one line per connection to OUT.
SERVER = textwrap.dedent("""\
    import os, select, socket, sys
    lsock = socket.socket(fileno=3)
    conns = []
    out = open(sys.argv[1], "a", buffering=1)
    while True:
        ready, _, _ = select.select([lsock, *conns], [], [])
        for s in ready:
            if s is lsock:
                c, _ = lsock.accept()
                conns.append(c)
                out.write("accepted %d\\n" % len(conns))
            elif not s.recv(4096):
                conns.remove(s)
                s.close()
""")

# The clients: one MPTCP and one plain TCP connection, each checked on the
# client side; "ready" once both are up, closed when stdin closes.
CLIENT = textwrap.dedent("""\
    import socket, sys
    m = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
    m.connect(("127.0.0.1", int(sys.argv[1])))
    assert m.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL) == 262
    assert m.getsockopt(socket.SOL_TCP, 43) == 1, "TCP_IS_MPTCP"
    t = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    print("ready", flush=True)
    sys.stdin.read()
    m.close()
    t.close()
""")


def why_not():
    if os.geteuid() != 0:
        return "needs root for a network namespace"
    if not shutil.which("ip"):
        return "no ip(8)"
    return None


@pytest.fixture
def netns():
    reason = why_not()
    if reason:
        pytest.skip(reason)
    name = f"porter-test-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True, timeout=10)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True, timeout=10)
        probe = subprocess.run(["ip", "netns", "exec", name, PYTHON, "-c",
                                "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)"],
                               capture_output=True, text=True, timeout=10)
        if probe.returncode != 0:
            pytest.skip("no MPTCP in this kernel: " + probe.stderr.strip().splitlines()[-1])
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], timeout=10)


@pytest.fixture
def porterd_in_netns(netns, tmp_path, unit_dir):
    exe = program("porterd")
    ctl = program("porterctl")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    log_path = tmp_path / "porterd.log"
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))

    (tmp_path / "server.py").write_text(SERVER)
    write_unit(unit_dir, "hold.socket", f"[Socket]\nListenStream={PORT}\nSocketProtocol=mptcp\n")
    write_unit(unit_dir, "hold.service",
               f"[Service]\nExecStart={PYTHON} {tmp_path}/server.py {tmp_path}/accepted\n")

    with open(log_path, "wb") as log:
        # ip netns exec execs porterd: the pid is porterd's.
        proc = subprocess.Popen(["ip", "netns", "exec", netns, exe, "--user", "--unit-path", str(unit_dir),
                                 "--log-level", "debug", "--start", "hold.socket"],
                                stdout=log, stderr=subprocess.STDOUT, env=env)

    def run(*args):
        return subprocess.run([ctl, "--user", *args], capture_output=True, text=True, env=env, timeout=30)
    try:
        wait_for(lambda: "Started 1 of 1 units." in log_path.read_text(errors="replace")
                 or proc.poll() is not None, what="porterd start")
        assert proc.poll() is None, log_path.read_text()
        yield run, netns, tmp_path
    finally:
        stop_by_pid(proc)
    text = log_path.read_text(errors="replace")
    assert sanitizer_lines(text) == [], text


# Two paths: an MPTCP client whose connection gets its second subflow over
# the announced address, and a plain TCP client.  "ready N" once both are
# up and the MPTCP connection has N subflows beyond the first.
TWO_PATH_CLIENT = textwrap.dedent("""\
    import socket, sys, time
    addr = (sys.argv[1], int(sys.argv[2]))
    m = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
    m.connect(addr)
    t = socket.create_connection(addr)
    end = time.monotonic() + 10
    extra = 0
    while time.monotonic() < end:
        extra = m.getsockopt(284, 1, 64)[0]  # SOL_MPTCP, MPTCP_INFO: mptcpi_subflows
        if extra >= 1:
            break
        time.sleep(0.02)
    print("ready", extra, flush=True)
    sys.stdin.read()
""")


def show(run, prop):
    r = run("-p", prop, "show", "hold.socket")
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_accept_no_counts_mptcp_and_fallback(porterd_in_netns):
    run, ns, tmp = porterd_in_netns
    assert show(run, "NAcceptedMPTCP") == "NAcceptedMPTCP=0"

    client = subprocess.Popen(["ip", "netns", "exec", ns, PYTHON, "-c", CLIENT, str(PORT)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert client.stdout.readline().strip() == "ready"
        # The service started on the first connection and holds both.
        wait_for(lambda: (tmp / "accepted").exists() and "accepted 2" in (tmp / "accepted").read_text(),
                 what="the service to accept both connections")
        r = run("status", "hold.socket")
        assert "MPTCP: 1; fell back to TCP: 1 (connections open now)" in r.stdout, r.stdout
        assert show(run, "NAcceptedMPTCP") == "NAcceptedMPTCP=1"
        assert show(run, "NAcceptedFallback") == "NAcceptedFallback=1"
        assert show(run, "Accept") == "Accept=no"
        r = run("-o", "json", "status", "hold.socket")
        assert '"accepted_mptcp":1' in r.stdout.replace(" ", ""), r.stdout
        # Porterd's own counters are not touched: it accepted nothing.
        assert show(run, "NAccepted") == "NAccepted=0"
    finally:
        client.stdin.close()
        client.wait(10)
    # Closed: nothing open any more.
    wait_for(lambda: show(run, "NAcceptedMPTCP") == "NAcceptedMPTCP=0"
             and show(run, "NAcceptedFallback") == "NAcceptedFallback=0", what="the counts to drop to 0")
    assert "MPTCP:" not in run("status", "hold.socket").stdout



def test_accept_no_two_subflows_are_one_connection(tmp_path, unit_dir):
    """In the two-path lab (tools/mptcp-lab.sh): an MPTCP connection with a
    second subflow counts once, the subflow is not taken for a plain TCP
    connection."""
    reason = why_not()
    if reason:
        pytest.skip(reason)
    for tool in ("tc",):
        if not shutil.which(tool):
            pytest.skip(f"{tool} not found")
    exe, ctl = program("porterd"), program("porterctl")
    lab = pathlib.Path(__file__).resolve().parents[2] / "tools" / "mptcp-lab.sh"
    prefix = f"porter-test-{os.getpid()}"
    srv, cli = f"{prefix}-srv", f"{prefix}-cli"
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
    (tmp_path / "server.py").write_text(SERVER)
    write_unit(unit_dir, "hold.socket", f"[Socket]\nListenStream={PORT}\nSocketProtocol=mptcp\n")
    write_unit(unit_dir, "hold.service",
               f"[Service]\nExecStart={PYTHON} {tmp_path}/server.py {tmp_path}/accepted\n")

    def run(*args):
        return subprocess.run([ctl, "--user", *args], capture_output=True, text=True, env=env, timeout=30)
    log_path = tmp_path / "porterd.log"
    proc = client = None
    up = subprocess.run([str(lab), "up", "--rate", "1gbit", "--prefix", prefix],
                        capture_output=True, text=True, timeout=60)
    try:
        if up.returncode != 0:
            pytest.skip(f"mptcp-lab.sh up failed: {up.stderr.strip()}")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(["ip", "netns", "exec", srv, exe, "--user", "--unit-path", str(unit_dir),
                                     "--start", "hold.socket"], stdout=log, stderr=subprocess.STDOUT, env=env)
        wait_for(lambda: "Started 1 of 1 units." in log_path.read_text(errors="replace")
                 or proc.poll() is not None, what="porterd start")
        client = subprocess.Popen(["ip", "netns", "exec", cli, PYTHON, "-c", TWO_PATH_CLIENT, "10.231.1.1",
                                   str(PORT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert client.stdout.readline().split() == ["ready", "1"], "no second subflow"
        wait_for(lambda: (tmp_path / "accepted").exists() and "accepted 2" in (tmp_path / "accepted").read_text(),
                 what="the service to accept both connections")
        # Three TCP sockets on the server port: two subflows and the plain one.
        ss = subprocess.run(["ip", "netns", "exec", srv, "ss", "-Htn", "state", "established",
                             f"( sport = :{PORT} )"], capture_output=True, text=True, timeout=10).stdout
        assert len(ss.splitlines()) == 3, ss
        r = run("status", "hold.socket")
        assert "MPTCP: 1; fell back to TCP: 1 (connections open now)" in r.stdout, r.stdout
    finally:
        if client:
            client.stdin.close()
            client.wait(10)
        if proc:
            stop_by_pid(proc)
        subprocess.run([str(lab), "down", "--prefix", prefix], capture_output=True, timeout=60)
    text = log_path.read_text(errors="replace")
    assert sanitizer_lines(text) == [], text
