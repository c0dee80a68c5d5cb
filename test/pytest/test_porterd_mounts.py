"""RequiresMountsFor= and the implicit mount dependency of unix socket
paths: porterd runs in a private mount namespace, the fstab
($LIBMOUNT_FSTAB) lists tmpfs mounts the test makes only after porterd
started; the socket appears only once its directory is mounted."""
import os
import shutil
import socket
import subprocess

import pytest

from conftest import program, write_unit
from porterd_fixture import sanitizer_lines, stop_by_pid, wait_for


@pytest.fixture
def ns_porterd(tmp_path, unit_dir):
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
        pytest.skip("needs root, unshare and nsenter for a private mount namespace")
    exe = program("porterd")
    ctl = program("porterctl")
    mnt, data = tmp_path / "mnt", tmp_path / "data"
    mnt.mkdir()
    data.mkdir()
    fstab = tmp_path / "fstab"
    fstab.write_text(f"# test fstab\ntmpfs {mnt} tmpfs defaults 0 0\ntmpfs {data} tmpfs defaults 0 0\n"
                     "/dev/nothing none swap sw 0 0\n")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), LIBMOUNT_FSTAB=str(fstab))
    log = open(tmp_path / "porterd.log", "wb")
    proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", exe, "--user", "--unit-path",
                             str(unit_dir), "--log-level", "debug"], stdout=log, stderr=subprocess.STDOUT, env=env)

    def run(*args):
        return subprocess.run([ctl, "--user", *args], capture_output=True, text=True, env=env, timeout=60)

    def mount(path):
        subprocess.run(["nsenter", "-t", str(proc.pid), "-m", "mount", "-t", "tmpfs", "tmpfs", str(path)],
                       check=True, timeout=30)
    try:
        wait_for(lambda: "Started 0 of 0 units." in (tmp_path / "porterd.log").read_text(errors="replace"),
                 what="porterd started")
        yield run, mount, mnt, data, (tmp_path / "porterd.log")
    finally:
        stop_by_pid(proc)
        log.close()
    text = (tmp_path / "porterd.log").read_text(errors="replace")
    assert sanitizer_lines(text) == [], text


def test_socket_waits_for_the_mount_of_its_directory(ns_porterd, unit_dir):
    run, mount, mnt, data, log = ns_porterd
    path = mnt / "s.sock"
    write_unit(unit_dir, "w.socket", f"[Socket]\nListenStream={path}\nListenFIFO={data}/f.fifo\n")
    write_unit(unit_dir, "w.service", "[Service]\nExecStart=/bin/true\n")
    assert run("--no-block", "start", "w.socket").returncode == 0
    r = run("status", "w.socket")
    assert r.returncode == 3, r.stdout
    assert "Active: inactive (dead)" in r.stdout
    assert f"Waiting for mount {mnt}." in r.stdout, r.stdout
    # Not created on the root file system underneath the mount point.
    assert not path.exists()

    mount(mnt)
    # Then the FIFO's directory is the one missing.
    wait_for(lambda: f"Waiting for mount {data}." in run("status", "w.socket").stdout, what="waiting for data")
    assert run("is-active", "w.socket").returncode == 3
    mount(data)
    wait_for(lambda: run("is-active", "w.socket").returncode == 0, what="socket listening after the mount")
    r = run("status", "w.socket")
    assert "Waiting for mount" not in r.stdout.split("\n\n")[0], r.stdout
    assert f"Listen: {path} (Stream, unix)" in r.stdout, r.stdout
    # The node is on the tmpfs, i.e. in porterd's namespace only.
    assert not path.exists()
    assert "Waiting for mount" in log.read_text()


def test_requires_mounts_for_and_stop_ends_the_wait(ns_porterd, unit_dir, tmp_path):
    run, mount, mnt, data, log = ns_porterd
    out = tmp_path / "ran"
    write_unit(unit_dir, "d.service",
               f"[Unit]\nRequiresMountsFor={data}/db\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"
               f"ExecStart=/bin/touch {out}\n")
    write_unit(unit_dir, "free.service",
               f"[Unit]\nRequiresMountsFor={tmp_path}/elsewhere\n[Service]\nType=oneshot\nExecStart=/bin/true\n")
    # A path no fstab entry covers does not wait (as systemd).
    assert run("start", "free.service").returncode == 0

    # A blocking start returns when the job is done, i.e. after the mount.
    ctl_env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path / "runtime"))
    p = subprocess.Popen([program("porterctl"), "--user", "start", "d.service"], env=ctl_env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: f"Waiting for mount {data}." in run("status", "d.service").stdout, what="waiting")
        assert p.poll() is None, "start returned while the unit waits"
        assert not out.exists()
        mount(data)
        assert p.wait(30) == 0, p.stderr.read()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)
    assert out.exists()
    assert run("is-active", "d.service").stdout == "active\n"

    # stop ends a wait: the unit does not start when the mount comes.
    write_unit(unit_dir, "w2.socket", f"[Socket]\nListenStream={mnt}/t.sock\n")
    write_unit(unit_dir, "w2.service", "[Service]\nExecStart=/bin/true\n")
    assert run("--no-block", "start", "w2.socket").returncode == 0
    wait_for(lambda: "Waiting for mount" in run("status", "w2.socket").stdout, what="w2 waiting")
    assert run("stop", "w2.socket").returncode == 0
    assert "Waiting for mount" not in run("status", "w2.socket").stdout.split("\n\n")[0]
    mount(mnt)
    r = run("is-active", "w2.socket")
    assert r.stdout == "inactive\n"
