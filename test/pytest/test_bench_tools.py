# Smoke tests of the benchmark's C tools (tools/bench).  Nothing here is
# timed: they only check that loadgen counts successes and failures right and
# that the servers the benchmark relies on answer, so that a broken tool
# cannot produce plausible-looking figures.
import os
import re
import shutil
import socket
import socketserver
import subprocess
import threading

import pytest

from conftest import SOURCE_DIR

BENCH = SOURCE_DIR / "tools" / "bench"


@pytest.fixture(scope="module")
def tools(tmp_path_factory):
    cc = shutil.which(os.environ.get("CC", "cc"))
    if not cc:
        pytest.skip("no C compiler")
    d = tmp_path_factory.mktemp("bench-tools")
    for name in ("loadgen", "echo-server", "spawn-ceiling"):
        subprocess.run([cc, "-O2", "-Wall", "-Wextra", "-Werror", "-std=gnu11", "-D_GNU_SOURCE",
                        "-pthread", "-o", str(d / name), str(BENCH / f"{name}.c")], check=True)
    return d


def result(stdout):
    m = re.search(r"^RESULT (.*)$", stdout, re.M)
    assert m, stdout
    return dict(kv.split("=", 1) for kv in m.group(1).split())


class Reply(socketserver.BaseRequestHandler):
    """Reads to EOF, then answers with what server.reply() makes of it."""

    def handle(self):
        data = b""
        self.request.settimeout(10)
        while True:
            chunk = self.request.recv(4096)
            if not chunk:
                break
            data += chunk
        self.request.sendall(self.server.reply(data))


@pytest.fixture
def python_server():
    servers = []

    def make(reply):
        srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Reply)
        srv.daemon_threads = True
        srv.reply = reply
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return srv.server_address[1]
    yield make
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def loadgen(tools, *args):
    return subprocess.run([str(tools / "loadgen"), *map(str, args)],
                          capture_output=True, text=True, timeout=60)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_loadgen_counts_every_echo(tools, python_server):
    port = python_server(lambda data: data)
    r = loadgen(tools, "-p", port, "-n", 20, "-c", 4, "-t", 30)
    res = result(r.stdout)
    assert r.returncode == 0, r.stderr
    assert (res["ok"], res["errors"], res["done"]) == ("20", "0", "20")


def test_loadgen_counts_wrong_echo_as_mismatch(tools, python_server):
    port = python_server(lambda data: b"not the line\n")
    r = loadgen(tools, "-p", port, "-n", 20, "-c", 4, "-t", 30)
    res = result(r.stdout)
    assert r.returncode == 1
    assert (res["ok"], res["err_mismatch"]) == ("0", "20")


def test_loadgen_counts_refused_connections(tools):
    r = loadgen(tools, "-p", free_port(), "-n", 5, "-c", 1, "-t", 30)
    res = result(r.stdout)
    assert r.returncode == 1
    assert (res["ok"], res["err_connect"]) == ("0", "5")


def test_wait_listen_times_out_without_connecting(tools):
    r = loadgen(tools, "--wait-listen", "-p", free_port(), "-t", 1)
    assert r.returncode == 1


def run_server(argv, **kw):
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True, **kw)


def stop_server(p):
    os.killpg(p.pid, 9)
    p.wait(timeout=10)


def test_spawn_ceiling_echoes_through_cat(tools):
    port = free_port()
    p = run_server([str(tools / "spawn-ceiling"), str(port), "/bin/cat"])
    try:
        assert loadgen(tools, "--wait-listen", "-p", port, "-t", 10).returncode == 0
        r = loadgen(tools, "-p", port, "-n", 20, "-c", 2, "-t", 30)
        assert result(r.stdout)["ok"] == "20", r.stderr
    finally:
        stop_server(p)


def test_echo_server_takes_listen_fds_and_exits_after(tools):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    fd = listener.fileno()

    env = dict(os.environ, LISTEN_FDS="1")
    env.pop("LISTEN_PID", None)
    # The shell places the listener at fd 3, as an activator would.
    p = run_server(["/bin/bash", "-c", f'exec "$0" --exit-after 2 3<&{fd}', str(tools / "echo-server")],
                   env=env, pass_fds=(fd,))
    listener.close()
    try:
        for _ in range(2):
            r = loadgen(tools, "--cold", "-p", port, "-T", 5000)
            assert result(r.stdout)["ok"] == "1", r.stderr
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            stop_server(p)
