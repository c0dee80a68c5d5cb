"""Starting porterd for scenario tests: user mode, a temporary unit
directory and XDG_RUNTIME_DIR, logs captured to a file, always killed by pid
at the end."""
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

PROBE = str(pathlib.Path(__file__).resolve().parent / "porterd_probe.py")
PYTHON = "/usr/bin/python3"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=10.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = predicate()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def connect(port, timeout=5.0):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_line(port, timeout=5.0):
    with connect(port, timeout) as c:
        f = c.makefile("rb")
        return f.readline().decode()


def read_json(path, timeout=10.0):
    p = pathlib.Path(path)
    wait_for(p.exists, timeout, f"{p.name} to be written")
    return json.loads(p.read_text())



def stop_by_pid(proc):
    """Stop a porterd Popen by its pid: SIGTERM first (so tests also see a
    clean shutdown), SIGKILL if it has not exited within 15 s."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)


def sanitizer_lines(text):
    """Lines of ASan/LSan/UBSan reports in a log (sanitizer builds)."""
    return [l for l in text.splitlines() if "Sanitizer" in l or "runtime error:" in l]

class Porterd:
    def __init__(self, exe, tmp_path, unit_dir, start=(), extra=()):
        self.runtime = tmp_path / "runtime"
        self.runtime.mkdir(exist_ok=True)
        self.log_path = tmp_path / "porterd.log"
        env = dict(os.environ)
        env["XDG_RUNTIME_DIR"] = str(self.runtime)
        env["PORTER_UNIT_PATH"] = str(unit_dir)
        args = [exe, "--user", "--unit-path", str(unit_dir), "--log-level", "debug", *extra]
        for u in start:
            args += ["--start", u]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def text(self):
        return self.log_path.read_text(errors="replace")

    def wait_log(self, needle, count=1, timeout=10.0):
        """Wait until needle appears count times in porterd's log."""
        wait_for(lambda: self.text().count(needle) >= count, timeout,
                 f"'{needle}' {count}x in porterd's log")

    def terminate(self, timeout=20.0):
        """SIGTERM and wait; returns the exit code."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self):
        """Stop porterd by pid: SIGTERM first (every test then also checks a
        clean shutdown), SIGKILL if it does not exit in time."""
        stop_by_pid(self.proc)
        self.log.close()

    def sanitizer_reports(self):
        """Lines of ASan/LSan/UBSan reports in the log (sanitizer builds)."""
        return sanitizer_lines(self.text())


def porterctl_runner(d, exe):
    """run(*args) -> CompletedProcess of `porterctl --user args` against
    porterd d (its XDG_RUNTIME_DIR), text mode, 60 s at most."""
    env = dict(os.environ, XDG_RUNTIME_DIR=str(d.runtime))

    def run(*args):
        return subprocess.run([exe, "--user", *args], capture_output=True, text=True, env=env, timeout=60)
    return run


def wait_started(d, units=0):
    """Wait until porterd d answers on its control socket and has started
    its `units` --start units."""
    wait_for(lambda: (d.runtime / "porter" / "private").exists(), what="control socket")
    # The node exists from bind() on; it answers once porterd started up.
    d.wait_log(f"Started {units} of {units} units.")


def idle_porterd(porterd, porterctl, tmp_path, unit_dir):
    """Generator for a fixture: porterd with no unit started, yields
    (run, d) once it answers; afterwards kills it by pid and fails the test
    on any sanitizer report in its log."""
    d = Porterd(porterd, tmp_path, unit_dir)
    try:
        run = porterctl_runner(d, porterctl)
        wait_started(d)
        yield run, d
    finally:
        d.kill()
    assert d.sanitizer_reports() == [], d.text()
