"""porterctl's output as people know it from systemctl: glyphs and colours
only on a terminal (and never with NO_COLOR), a pager only on a terminal,
tables with header and legend, and -o json for status and show."""
import json
import os
import pty
import select
import subprocess

import pytest

from conftest import program, write_unit
from porterd_fixture import Porterd, free_port, wait_for


@pytest.fixture
def setup(tmp_path, unit_dir):
    exe = program("porterd")
    ctl = program("porterctl")
    port = free_port()
    write_unit(unit_dir, "web.socket", f"[Socket]\nListenStream=127.0.0.1:{port}\n")
    write_unit(unit_dir, "web.service", "[Service]\nExecStart=/bin/true\n")
    write_unit(unit_dir, "broken.service", "[Service]\nType=oneshot\nExecStart=/bin/false\n")
    write_unit(unit_dir, "idle.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n")
    d = Porterd(exe, tmp_path, unit_dir, start=("web.socket",))
    base = dict(os.environ, XDG_RUNTIME_DIR=str(d.runtime))
    for k in ("NO_COLOR", "SYSTEMD_COLORS", "PAGER", "SYSTEMD_PAGER", "PORTER_PAGER", "LESS"):
        base.pop(k, None)
    base["TERM"] = "xterm"

    def run(*args, env=None):
        return subprocess.run([ctl, "--user", *args], capture_output=True, text=True,
                              env=dict(base, **(env or {})), timeout=60)

    def run_tty(*args, env=None):
        """Run with stdout on a pseudo terminal; returns (rc, what the terminal got)."""
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen([ctl, "--user", *args], stdout=slave, stderr=subprocess.PIPE,
                                 env=dict(base, **(env or {})))
            os.close(slave)
            out = b""
            while True:
                r, _, _ = select.select([master], [], [], 30)
                if not r:
                    break
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            rc = p.wait(30)
        finally:
            os.close(master)
        return rc, out.decode(errors="replace")

    wait_for(lambda: (d.runtime / "porter" / "private").exists(), what="control socket")
    d.wait_log("Started 1 of 1 units.")
    try:
        yield run, run_tty, port, d
    finally:
        d.kill()
    assert d.sanitizer_reports() == [], d.text()


GREEN = "\x1b[0;1;32m"
RED = "\x1b[0;1;31m"


def test_colours_only_on_a_terminal(setup):
    run, run_tty, port, d = setup
    rc, out = run_tty("--no-pager", "status", "web.socket")
    assert rc == 0
    assert f"{GREEN}●\x1b[0m web.socket" in out, repr(out)
    assert f"Active: {GREEN}active (listening)\x1b[0m" in out, repr(out)

    rc, out = run_tty("--no-pager", "status", "web.socket", env={"NO_COLOR": "1"})
    assert "\x1b[" not in out and "● web.socket" in out, repr(out)

    r = run("status", "web.socket")
    assert "\x1b[" not in r.stdout and r.stdout.startswith("● web.socket - ")

    assert run("start", "broken.service").returncode == 1
    rc, out = run_tty("--no-pager", "status", "broken.service")
    assert rc == 3 and f"{RED}×\x1b[0m broken.service" in out, repr(out)
    assert run("status", "web.service").stdout.startswith("○ web.service")
    rc, out = run_tty("--no-pager", "list-units")
    assert f"{RED}●\x1b[0m broken.service" in out, repr(out)


def test_pager_only_on_a_terminal(setup, tmp_path):
    run, run_tty, port, d = setup
    paged, less = tmp_path / "paged", tmp_path / "less"
    pager = f'echo "$LESS" > {less}; cat > {paged}'
    rc, out = run_tty("list-units", env={"PAGER": pager})
    assert rc == 0
    assert "web.socket" in paged.read_text() and "web.socket" not in out
    assert less.read_text() == "FRSXMK\n", "LESS as systemctl sets it"
    # Colours were decided for the terminal, before the pager took stdout.
    rc, out = run_tty("status", "web.socket", env={"PORTER_PAGER": pager, "PAGER": "false"})
    assert GREEN in paged.read_text()

    paged.unlink()
    rc, out = run_tty("--no-pager", "list-units", env={"PAGER": pager})
    assert not paged.exists() and "web.socket" in out
    r = run("list-units", env={"PAGER": pager})
    assert not paged.exists() and "web.socket" in r.stdout, "no pager when stdout is not a terminal"
    rc, out = run_tty("list-units", env={"PAGER": "cat"})
    assert "web.socket" in out


def test_tables_and_legend(setup):
    run, run_tty, port, d = setup
    r = run("list-units")
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION"]
    assert "1 loaded units listed. Pass --all to see loaded but inactive units, too." in r.stdout
    assert "idle.service" not in r.stdout
    r = run("--all", "list-units")
    assert "idle.service" in r.stdout or "web.service" in r.stdout
    assert "Pass --all" not in r.stdout
    r = run("--no-legend", "list-units")
    assert r.stdout.splitlines() == [l for l in lines[1:] if "web.socket" in l]


def test_json_status_and_show(setup):
    run, run_tty, port, d = setup
    r = run("-o", "json", "status", "web.socket", "nosuch.service")
    assert r.returncode == 4
    (st,) = json.loads(r.stdout)
    assert st["unit"] == "web.socket" and st["active"] == "active" and st["sub"] == "listening"
    assert st["listen"] == [{"type": "Stream", "address": f"127.0.0.1:{port}", "protocol": "tcp"}]
    assert st["accepted"] == 0 and st["result"] == "success"
    assert st["active_enter_timestamp"] > 1_600_000_000_000_000 and st["inactive_enter_timestamp"] == 0
    assert any(l["message"] == "Listening on web.socket." for l in st["log"]), st["log"]

    r = run("--json", "show", "web.socket")
    assert r.returncode == 0
    (props,) = json.loads(r.stdout)
    assert props["Id"] == "web.socket" and props["NAccepted"] == 0
    assert props["Listen"] == [["Stream", f"127.0.0.1:{port}"]]
    assert props["Triggers"] == ["web.service"]
    r = run("--json", "-p", "ActiveState", "show", "web.socket")
    assert json.loads(r.stdout) == [{"ActiveState": "active"}]


def test_active_line_since_and_timestamps(setup):
    import re
    run, run_tty, port, d = setup
    r = run("status", "web.socket")
    assert re.search(r"Active: active \(listening\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+; \d+s ago\n",
                     r.stdout), r.stdout
    assert run("start", "broken.service").returncode == 1
    r = run("status", "broken.service")
    assert re.search(r"Active: failed \(Result: exit-code\) since .*; \d+s ago\n", r.stdout), r.stdout
    # Never started: no "since".
    assert "Active: inactive (dead)\n" in run("status", "web.service").stdout
    r = run("-p", "ActiveEnterTimestamp", "-p", "InactiveExitTimestamp", "show", "web.socket")
    assert re.fullmatch(r"ActiveEnterTimestamp=\w{3} \d{4}-.*\nInactiveExitTimestamp=\w{3} \d{4}-.*\n", r.stdout), \
        r.stdout
    (props,) = json.loads(run("--json", "-p", "ActiveEnterTimestamp", "show", "web.socket").stdout)
    assert props["ActiveEnterTimestamp"] > 1_600_000_000_000_000
