"""Ordering in porterd: Before=/After= for start jobs, the reverse order for
stops (stop jobs with their Requires= dependents, and the SIGTERM shutdown),
a socket that closes only after its service stopped, and socket-triggered
starts that go through a start job (so After=/Requires= hold for them too).

Each unit logs "<time> <event> <unit>" into one file from ExecStartPost=
(the unit is active only once that finished) and ExecStop=; some sleep
first, so that a missing wait would reorder the lines."""
import os
import pathlib
import subprocess

import pytest

from conftest import program, write_unit
from porterd_fixture import PROBE, PYTHON, Porterd, free_port, read_line, wait_for


@pytest.fixture
def env(tmp_path, unit_dir):
    exe = program("porterd")
    ctl = program("porterctl")
    events = tmp_path / "events"
    logger = tmp_path / "log.sh"
    # log.sh EVENT UNIT [DELAY]: sleep DELAY, then append the line.
    logger.write_text('sleep "${3:-0}"\necho "$(date +%s.%N) $1 $2" >> ' + str(events) + "\n")
    started = []

    def service(name, unit="", start_delay=0, stop_delay=0, main="/bin/sleep 1000"):
        write_unit(unit_dir, name,
                   f"[Unit]\n{unit}[Service]\nExecStart={main}\n"
                   f"ExecStartPost=/bin/sh {logger} start {name} {start_delay}\n"
                   f"ExecStop=/bin/sh {logger} stop {name} {stop_delay}\n")

    def start(*units):
        d = Porterd(exe, tmp_path, unit_dir, start=units)
        started.append(d)
        wait_for(lambda: (d.runtime / "porter" / "private").exists(), what="control socket")
        d.wait_log("Started ")
        return d

    def ctl_run(d, *args):
        e = dict(os.environ, XDG_RUNTIME_DIR=str(d.runtime))
        return subprocess.run([ctl, "--user", *args], capture_output=True, text=True, env=e, timeout=60)

    def lines():
        if not events.exists():
            return []
        out = []
        for line in events.read_text().splitlines():
            t, event, unit = line.split()
            out.append((float(t), event, unit))
        return out

    def order(event):
        ls = lines()
        times = [t for t, e, _ in ls if e == event]
        assert times == sorted(times), ls
        return [u for _, e, u in ls if e == event]

    yield service, start, ctl_run, lines, order, logger
    for d in started:
        d.kill()
    for d in started:
        assert d.sanitizer_reports() == [], d.text()


def test_before_orders_start_and_reverse_stop_at_sigterm(env):
    service, start, ctl_run, lines, order, _ = env
    # a Before=b, slow to become active; b listed first on the command line.
    service("a.service", unit="Before=b.service\n", start_delay=0.3)
    service("b.service", stop_delay=0.3)
    d = start("b.service", "a.service")
    wait_for(lambda: len(order("start")) == 2, what="both started")
    assert order("start") == ["a.service", "b.service"]
    # The line is written before ExecStartPost= exits: stop only once both
    # run, or b is stopped from start-post, where ExecStop= rightly does not
    # run (systemd sends the signal straight away there).
    for u in ("a.service", "b.service"):
        d.wait_log(f"{u}: Changed start-post -> running")

    assert d.terminate() == 0, d.text()
    # b stops first (slowly); a only once b is down.
    assert order("stop") == ["b.service", "a.service"]
    stop_b = next(t for t, e, u in lines() if (e, u) == ("stop", "b.service"))
    stop_a = next(t for t, e, u in lines() if (e, u) == ("stop", "a.service"))
    assert stop_a > stop_b
    log = d.text()
    assert log.index("b.service: Changed stop-sigterm -> dead") < log.index("a.service: Changed running -> stop")


def test_requires_chain_starts_in_order_and_stop_takes_dependents_first(env):
    service, start, ctl_run, lines, order, _ = env
    service("a.service", start_delay=0.3)
    service("b.service", unit="Requires=a.service\nAfter=a.service\n", start_delay=0.3, stop_delay=0.3)
    service("c.service", unit="Requires=b.service\nAfter=b.service\n", stop_delay=0.3)
    d = start("c.service")
    wait_for(lambda: len(order("start")) == 3, what="the chain started")
    assert order("start") == ["a.service", "b.service", "c.service"]
    d.wait_log("c.service: Changed start-post -> running")
    assert "Started 1 of 1 units." in d.text()

    # Stopping a stops what requires it, the last in the chain first.
    r = ctl_run(d, "stop", "a.service")
    assert r.returncode == 0, r.stderr
    assert order("stop") == ["c.service", "b.service", "a.service"]
    for u in ("a.service", "b.service", "c.service"):
        assert ctl_run(d, "is-active", u).stdout == "inactive\n"
    assert d.terminate() == 0, d.text()


def test_socket_closes_after_its_service_stopped(env, unit_dir, tmp_path):
    service, start, ctl_run, lines, order, logger = env
    port = free_port()
    write_unit(unit_dir, "t.socket",
               f"[Socket]\nListenStream=127.0.0.1:{port}\nExecStopPre=/bin/sh {logger} stop t.socket\n")
    service("t.service", stop_delay=0.3, main=f"{PYTHON} {PROBE} serve {tmp_path}/t.json")
    d = start("t.socket")
    assert read_line(port).startswith("hello t.socket ")
    wait_for(lambda: order("start") == ["t.service"], what="t.service started")

    assert d.terminate() == 0, d.text()
    assert order("stop") == ["t.service", "t.socket"]
    log = d.text()
    assert log.index("t.service: Changed stop-sigterm -> dead") < log.index("t.socket: Changed listening -> stop-pre")


def test_socket_trigger_waits_for_the_service_dependencies(env, unit_dir, tmp_path):
    service, start, ctl_run, lines, order, logger = env
    port = free_port()
    write_unit(unit_dir, "w.socket", f"[Socket]\nListenStream=127.0.0.1:{port}\n")
    # prep is a slow oneshot the service requires and is ordered after.
    write_unit(unit_dir, "prep.service",
               f"[Service]\nType=oneshot\nExecStart=/bin/sh {logger} start prep.service 0.5\n")
    service("w.service", unit="Requires=prep.service\nAfter=prep.service\n",
            main=f"{PYTHON} {PROBE} serve {tmp_path}/w.json")
    d = start("w.socket")
    assert read_line(port).startswith("hello w.socket ")
    assert order("start") == ["prep.service", "w.service"]
    # The start went through jobs: JobNew for both.
    log = d.text()
    assert "prep.service: Job " in log and "w.service: Job " in log
    assert d.terminate() == 0, d.text()
