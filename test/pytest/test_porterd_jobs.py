"""Jobs: StartUnit and friends return a job path, porterctl waits for the
job's JobRemoved signal and words failures as systemctl does."""
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import program, write_unit
from porterd_fixture import Porterd, free_port, wait_for


@pytest.fixture
def setup(tmp_path, unit_dir):
    exe = program("porterd")
    ctl = program("porterctl")
    write_unit(unit_dir, "slow.service", "[Service]\nType=oneshot\nExecStart=/bin/sleep 1\n")
    write_unit(unit_dir, "broken.service", "[Service]\nType=oneshot\nExecStart=/bin/false\n")
    write_unit(unit_dir, "needs.service",
               "[Unit]\nRequisite=long.service\n[Service]\nExecStart=/bin/sleep 100\n")
    write_unit(unit_dir, "long.service", "[Service]\nExecStart=/bin/sleep 100\n")
    d = Porterd(exe, tmp_path, unit_dir)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(d.runtime))

    def run(*args, timeout=60):
        return subprocess.run([ctl, "--user", *args], capture_output=True, text=True, env=env,
                              timeout=timeout)

    def spawn(*args):
        return subprocess.Popen([ctl, "--user", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)
    wait_for(lambda: (d.runtime / "porter" / "private").exists(), what="control socket")
    # The node exists from bind() on; it answers once porterd started up.
    d.wait_log("Started 0 of 0 units.")
    try:
        yield run, spawn, d
        # No job may keep porterd from stopping (or start units meanwhile).
        d.terminate(timeout=15)
    finally:
        d.kill()
    assert d.sanitizer_reports() == [], d.text()


def test_start_waits_for_the_job(setup):
    run, spawn, d = setup
    t = time.monotonic()
    r = run("start", "slow.service")
    took = time.monotonic() - t
    assert r.returncode == 0, r.stderr
    assert took >= 0.9, f"start returned after {took:.2f}s, before the oneshot finished"
    assert run("is-active", "slow.service").stdout == "inactive\n"

    # --no-block: back at once, the job still runs.
    t = time.monotonic()
    assert run("--no-block", "start", "slow.service").returncode == 0
    assert time.monotonic() - t < 0.9
    assert run("is-active", "slow.service").stdout == "activating\n"


def test_failed_and_dependency_messages(setup):
    run, spawn, d = setup
    r = run("start", "broken.service")
    assert r.returncode == 1
    assert "Job for broken.service failed because the control process exited with error code." in r.stderr
    assert "Main process exited, code=exited, status=1" in r.stdout, "the unit's last log lines"

    r = run("start", "needs.service")
    assert r.returncode == 1
    assert "A dependency job for needs.service failed." in r.stderr, r.stderr
    assert run("is-active", "needs.service").stdout == "inactive\n"

    r = run("start", "nosuch.service")
    assert r.returncode == 5


def test_replace_cancels_pending_job(setup):
    run, spawn, d = setup
    p = spawn("start", "slow.service")
    try:
        wait_for(lambda: run("is-active", "slow.service").stdout == "activating\n", what="slow activating")
        assert run("stop", "slow.service").returncode == 0
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)
    assert p.returncode == 1
    assert "Job for slow.service canceled." in err
    # SIGTERM is not a clean exit for a oneshot (as in systemd): failed.
    assert run("is-active", "slow.service").stdout in ("inactive\n", "failed\n")


def test_bus_job_objects(setup):
    run, spawn, d = setup
    if not shutil.which("busctl"):
        pytest.skip("busctl not installed")
    addr = f"--address=unix:path={d.runtime}/porter/private"

    def busctl(*args):
        return subprocess.run(["busctl", addr, *args], capture_output=True, text=True, timeout=30)
    r = busctl("call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
               "org.freedesktop.systemd1.Manager", "StartUnit", "ss", "slow.service", "replace")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith('o "/org/freedesktop/systemd1/job/'), r.stdout
    job = r.stdout.split('"')[1]
    jid = int(job.rsplit("/", 1)[1])
    r = busctl("get-property", "org.freedesktop.systemd1", job, "org.freedesktop.systemd1.Job", "JobType")
    assert r.stdout == 's "start"\n', r.stdout + r.stderr
    r = busctl("call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
               "org.freedesktop.systemd1.Manager", "ListJobs")
    assert f'{jid} "slow.service" "start" "running" "{job}"' in r.stdout, r.stdout
    # A second start is merged into the pending job; fail mode refuses a stop.
    r = busctl("call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
               "org.freedesktop.systemd1.Manager", "StartUnit", "ss", "slow.service", "replace")
    assert r.stdout.split('"')[1] == job
    r = busctl("call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
               "org.freedesktop.systemd1.Manager", "StopUnit", "ss", "slow.service", "fail")
    assert r.returncode != 0 and "destructive" in r.stderr, r.stderr
    wait_for(lambda: busctl("get-property", "org.freedesktop.systemd1", job, "org.freedesktop.systemd1.Job",
                            "JobType").returncode != 0, what="job gone")
    # Reload of a unit that cannot reload.
    r = run("reload", "long.service")
    assert r.returncode == 1 and "Job type reload is not applicable" in r.stderr, r.stderr


def test_restart_is_one_job(setup):
    run, spawn, d = setup
    assert run("start", "long.service").returncode == 0
    pid1 = run("-p", "MainPID", "show", "long.service").stdout
    r = run("restart", "long.service")
    assert r.returncode == 0, r.stderr
    assert run("is-active", "long.service").stdout == "active\n"
    pid2 = run("-p", "MainPID", "show", "long.service").stdout
    assert pid1.startswith("MainPID=") and "MainPID=0\n" not in (pid1, pid2)
    assert pid1 != pid2, (pid1, pid2)
    assert run("stop", "long.service").returncode == 0
    assert run("is-active", "long.service").stdout == "inactive\n"


def test_status_of_failed_mptcp_strict_socket_shows_mptcp(setup, unit_dir):
    """A closed port shows the configured protocol: a failed
    MPTCPFallback=no unit said 'tcp' before."""
    run, spawn, d = setup
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("::", 0))
        busy.listen()
        port = busy.getsockname()[1]
        write_unit(unit_dir, "mp.socket",
                   f"[Socket]\nListenStream={port}\nSocketProtocol=mptcp\nMPTCPFallback=no\n")
        write_unit(unit_dir, "mp.service", "[Service]\nExecStart=/bin/true\n")
        r = run("start", "mp.socket")
    assert r.returncode == 1
    assert "Job for mp.socket failed because of unavailable resources or another system error." in r.stderr, \
        r.stderr
    r = run("status", "mp.socket")
    assert r.returncode == 3
    assert f"Listen: [::]:{port} (Stream, mptcp)" in r.stdout, r.stdout


def test_reload_runs_exec_reload(setup, unit_dir, tmp_path):
    run, spawn, d = setup
    marker = tmp_path / "reloaded"
    write_unit(unit_dir, "rl.service",
               f"[Service]\nExecStart=/bin/sleep 100\nExecReload=/bin/sh -c 'echo $MAINPID >> {marker}'\n")
    write_unit(unit_dir, "badrl.service", "[Service]\nExecStart=/bin/sleep 100\nExecReload=/bin/false\n")
    assert run("reload", "rl.service").returncode == 0, "reload of an inactive unit is skipped"
    assert not marker.exists()
    assert run("start", "rl.service", "badrl.service").returncode == 0
    r = run("reload", "rl.service")
    assert r.returncode == 0, r.stderr
    pid = run("-p", "MainPID", "show", "rl.service").stdout.strip().split("=")[1]
    assert marker.read_text() == f"{pid}\n"
    r = run("reload", "badrl.service")
    assert r.returncode == 1 and "Job for badrl.service failed" in r.stderr, r.stderr
    assert "Reload failed with result 'exit-code'." in r.stdout
    assert run("is-active", "badrl.service").stdout == "active\n", "a failed reload keeps the service"


def test_list_jobs(setup):
    import json
    run, spawn, d = setup
    r = run("list-jobs")
    assert (r.returncode, r.stdout) == (0, "No jobs running.\n")
    assert run("--no-block", "start", "slow.service").returncode == 0
    r = run("list-jobs")
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["JOB", "UNIT", "TYPE", "STATE"]
    assert lines[1].split()[1:] == ["slow.service", "start", "running"], r.stdout
    assert lines[-1] == "1 jobs listed."
    (job,) = json.loads(run("-o", "json", "list-jobs").stdout)
    assert job["unit"] == "slow.service" and job["type"] == "start" and job["id"] == int(lines[1].split()[0])
    wait_for(lambda: run("list-jobs").stdout == "No jobs running.\n", what="job done")


def test_job_timeout_sec(setup, unit_dir):
    run, spawn, d = setup
    write_unit(unit_dir, "jt.service",
               "[Unit]\nJobTimeoutSec=300ms\n[Service]\nType=oneshot\nExecStart=/bin/sleep 2\n")
    r = run("start", "jt.service")
    assert r.returncode == 1
    assert "Job for jt.service timed out." in r.stderr, r.stderr
    # The job is gone; the unit itself goes on starting, as in systemd.
    assert run("list-jobs").stdout == "No jobs running.\n"
    assert run("is-active", "jt.service").stdout == "activating\n"


def test_try_restart_and_parallel_start(setup, unit_dir):
    run, spawn, d = setup
    # try-restart leaves a stopped unit alone.
    r = run("try-restart", "long.service")
    assert r.returncode == 0, r.stderr
    assert run("is-active", "long.service").stdout == "inactive\n"
    assert run("start", "long.service").returncode == 0
    pid1 = run("-p", "MainPID", "show", "long.service").stdout
    assert run("try-restart", "long.service").returncode == 0
    pid2 = run("-p", "MainPID", "show", "long.service").stdout
    assert pid1 != pid2 and run("is-active", "long.service").stdout == "active\n"

    # Jobs of one call run side by side: two 1 s oneshots take about 1 s.
    write_unit(unit_dir, "slow2.service", "[Service]\nType=oneshot\nExecStart=/bin/sleep 1\n")
    import time
    t = time.monotonic()
    r = run("start", "slow.service", "slow2.service", "broken.service")
    took = time.monotonic() - t
    assert r.returncode == 1 and "Job for broken.service failed" in r.stderr
    assert 0.9 <= took < 1.8, took


def test_after_orders_starts_and_reports_dependency(setup, unit_dir, tmp_path):
    run, spawn, d = setup
    ready, ran = tmp_path / "ready", tmp_path / "ran"
    write_unit(unit_dir, "prep.service",
               f"[Service]\nType=oneshot\nExecStart=/bin/sh -c 'sleep 0.5; touch {ready}'\n")
    write_unit(unit_dir, "ordered.service",
               "[Unit]\nRequires=prep.service\nAfter=prep.service\n"
               f"[Service]\nExecStart=/bin/sh -c 'test -e {ready} && exec sleep 100'\n")
    r = run("start", "ordered.service")
    assert r.returncode == 0, r.stderr
    assert ready.exists()
    assert run("is-active", "ordered.service").stdout == "active\n", "started only after prep.service finished"

    write_unit(unit_dir, "needs2.service",
               "[Unit]\nRequires=broken.service\nAfter=broken.service\n"
               f"[Service]\nExecStart=/bin/touch {ran}\n")
    r = run("start", "needs2.service")
    assert r.returncode == 1
    assert "A dependency job for needs2.service failed." in r.stderr, r.stderr
    assert not ran.exists(), "a unit whose required unit failed does not run"
    assert run("is-failed", "broken.service").returncode == 0

    # An ordering cycle does not hang.
    write_unit(unit_dir, "cy1.service", "[Unit]\nWants=cy2.service\nAfter=cy2.service\n"
               "[Service]\nExecStart=/bin/sleep 100\n")
    write_unit(unit_dir, "cy2.service", "[Unit]\nWants=cy1.service\nAfter=cy1.service\n"
               "[Service]\nExecStart=/bin/sleep 100\n")
    r = run("start", "cy1.service", timeout=20)
    assert r.returncode == 0, r.stderr
    wait_for(lambda: run("is-active", "cy2.service").stdout == "active\n", what="cy2 active")
