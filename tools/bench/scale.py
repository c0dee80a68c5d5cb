#!/usr/bin/python3
"""porterd at scale: N generated socket units, enabled through
sockets.target.wants, loaded and bound from a cold start and again by
daemon-reload.

Half the units listen on a unix socket (SOCKDIR/sN.sock), half on
127.0.0.1:PORT (ports from --first-port up, below the ephemeral range);
Accept=no, each with its service (/bin/cat, never started here).

For each count it prints, as one JSON object per line:
  start_s     exec of porterd until its "Started N of M units." log line
              (every socket is bound and listening by then: the startup
              loop binds synchronously)
  start_cpu_user_sys  porterd's user and system CPU seconds at that line
              (steadier than wall time on a busy machine; 10 ms ticks)
  start_cpu_s porterd's CPU seconds, user and system together, from
              /proc/PID/schedstat (nanoseconds)
  listening   listening sockets of those units, counted in /proc/net/unix
              and /proc/net/tcp after that line (must equal N)
  fds         porterd's open fds (/proc/PID/fd)
  reload_s    `porterctl --user daemon-reload` wall time (the reply comes
              after the reload is done)
  reload_cpu_user_sys  porterd's user and system CPU seconds spent in
              that reload (and reload_cpu_s, from schedstat)
  smaps       Private_Dirty, Pss, Rss in KB from /proc/PID/smaps_rollup,
              after start and again after the reload

After all rounds, one "summary" object per count gives the median (and
min, max) of start_s, start user and system CPU, reload_s and reload user
and system CPU over the rounds: system time swings widely on a shared
machine, so report user and system time apart.

SOCKDIR is DIR/sock next to the units (on this machine's /tmp, ext4) unless
--socket-dir names another place: --socket-dir /dev/shm puts the socket
nodes on tmpfs, where /run (and so %t) is on a systemd machine.  On ext4 the
kernel's inode allocator dominates: it skips inodes deleted in the last
seconds, and every round deletes 5,000, so system time grows with the
rounds (perf: recently_deleted, find_inode_bit).

Usage: tools/bench/scale.py [--build DIR] [--counts 1,100,1000,10000]
       [--repeat 3] [--keep DIR] [--socket-dir DIR]
Loopback only; every porterd it starts is killed by pid."""
import argparse
import json
import os
import pathlib
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SOURCE = pathlib.Path(__file__).resolve().parents[2]


def generate(d, count, first_port, sock):
    """Write count socket units (+ services) listening in sock, and enable
    them all."""
    sock.mkdir(parents=True, exist_ok=True)
    wants = d / "sockets.target.wants"
    wants.mkdir(exist_ok=True)
    ports = []
    for i in range(count):
        if i % 2 == 0:
            listen = f"{sock}/s{i}.sock"
        else:
            port = first_port + i // 2
            ports.append(port)
            listen = f"127.0.0.1:{port}"
        (d / f"s{i}.socket").write_text(f"[Socket]\nListenStream={listen}\nAccept=no\n")
        (d / f"s{i}.service").write_text("[Service]\nExecStart=/bin/cat\n")
        os.symlink(f"../s{i}.socket", wants / f"s{i}.socket")
    return ports


def ports_free(ports):
    for p in ports:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                return False
    return True


def count_listening(sock, ports):
    n = 0
    prefix = f"{sock}/"
    for line in pathlib.Path("/proc/net/unix").read_text().splitlines()[1:]:
        f = line.split()
        if len(f) >= 8 and f[7].startswith(prefix) and f[5] == "01":
            n += 1
    want = set(ports)
    for line in pathlib.Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) in want:
            n += 1
    return n


def smaps(pid):
    out = {}
    for line in pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("Rss", "Pss", "Private_Dirty"):
            out[k] = int(v.split()[0])
    return out


def cpu_seconds(pid):
    """user and system CPU seconds porterd has used so far."""
    f = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return round(int(f[11]) / tick, 3), round(int(f[12]) / tick, 3)


def cpu_ns_seconds(pid):
    """All CPU time porterd has used so far, user and system together, from
    the scheduler's nanosecond count (/proc/PID/stat counts 10 ms ticks)."""
    return int(pathlib.Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def wait_line(proc, marker, timeout):
    """Read porterd's stderr until a line containing marker; the line."""
    end = time.monotonic() + timeout
    for line in proc.stderr:
        if marker in line:
            return line
        if time.monotonic() > end:
            break
    raise RuntimeError(f"porterd did not log {marker!r} within {timeout} s")


def run_one(build, count, first_port, keep=None, socket_dir=None):
    top = pathlib.Path(keep or tempfile.mkdtemp(prefix="porter-scale-"))
    units, runtime = top / "units", top / "runtime"
    shutil.rmtree(top, ignore_errors=True)
    units.mkdir(parents=True)
    runtime.mkdir(mode=0o700)
    sock = pathlib.Path(tempfile.mkdtemp(prefix="porter-scale-sock-", dir=socket_dir)) if socket_dir \
        else units / "sock"
    ports = generate(units, count, first_port, sock)
    if not ports_free(ports):
        if not keep:
            shutil.rmtree(top, ignore_errors=True)
        if socket_dir:
            shutil.rmtree(sock, ignore_errors=True)
        raise RuntimeError(f"ports {first_port}.. are not free (--first-port)")
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
    env.pop("PORTER_UNIT_PATH", None)
    env.pop("SYSTEMD_UNIT_PATH", None)
    argv = [str(build / "src/porterd/porterd"), "--user", "--unit-path", str(units)]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = wait_line(p, "Started ", 120)
        start_s = time.monotonic() - t0
        res = {"units": count, "start_s": round(start_s, 4), "log": line.strip()}
        res["start_cpu_user_sys"] = cpu_seconds(p.pid)
        res["start_cpu_s"] = round(cpu_ns_seconds(p.pid), 4)
        res["listening"] = count_listening(sock, ports)
        res["fds"] = len(os.listdir(f"/proc/{p.pid}/fd"))
        time.sleep(0.3)
        res["smaps"] = smaps(p.pid)
        cpu0, ns0 = cpu_seconds(p.pid), cpu_ns_seconds(p.pid)
        t1 = time.monotonic()
        r = subprocess.run([str(build / "src/porterctl/porterctl"), "--user", "daemon-reload"], env=env,
                           capture_output=True, text=True, timeout=300)
        res["reload_s"] = round(time.monotonic() - t1, 4) if r.returncode == 0 else None
        cpu1 = cpu_seconds(p.pid)
        res["reload_cpu_user_sys"] = (round(cpu1[0] - cpu0[0], 3), round(cpu1[1] - cpu0[1], 3))
        res["reload_cpu_s"] = round(cpu_ns_seconds(p.pid) - ns0, 4)
        res["listening_after_reload"] = count_listening(sock, ports)
        time.sleep(0.3)
        res["smaps_after_reload"] = smaps(p.pid)
        return res
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        if not keep:
            shutil.rmtree(top, ignore_errors=True)
        if socket_dir:
            shutil.rmtree(sock, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(SOURCE / "build"))
    ap.add_argument("--counts", default="1,100,1000,10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--first-port", type=int, default=10000)
    ap.add_argument("--keep", help="write the units here and leave them")
    ap.add_argument("--socket-dir", help="make the unix socket nodes in a new directory under this one "
                    "(default: next to the units)")
    a = ap.parse_args()
    build = pathlib.Path(a.build)
    counts = [int(x) for x in a.counts.split(",")]
    runs = {c: [] for c in counts}
    for _ in range(a.repeat):
        for c in counts:
            res = run_one(build, c, a.first_port, a.keep, a.socket_dir)
            runs[c].append(res)
            print(json.dumps(res), flush=True)
    for c in counts:
        print(json.dumps(summarize(c, runs[c])), flush=True)


def spread(values):
    """min / median / max of the values that are there."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    return {"min": v[0], "median": round(statistics.median(v), 4), "max": v[-1]}


def summarize(count, runs):
    return {
        "summary": count,
        "rounds": len(runs),
        "start_s": spread(r["start_s"] for r in runs),
        "start_user_s": spread(r["start_cpu_user_sys"][0] for r in runs),
        "start_sys_s": spread(r["start_cpu_user_sys"][1] for r in runs),
        "start_cpu_s": spread(r["start_cpu_s"] for r in runs),
        "reload_s": spread(r["reload_s"] for r in runs),
        "reload_user_s": spread(r["reload_cpu_user_sys"][0] for r in runs),
        "reload_sys_s": spread(r["reload_cpu_user_sys"][1] for r in runs),
        "reload_cpu_s": spread(r["reload_cpu_s"] for r in runs),
    }


if __name__ == "__main__":
    sys.exit(main())
