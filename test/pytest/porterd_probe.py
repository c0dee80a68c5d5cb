#!/usr/bin/python3
"""A service for porterd's scenario tests: reports what it was given.

Usage: porterd_probe.py MODE OUTFILE

At start it writes OUTFILE (JSON): pid, the LISTEN_*/REMOTE_*/NOTIFY_SOCKET
variables, and which fds below 64 are open (checked with fstat, so the
check itself opens nothing).  Then, by MODE:

  serve    Accept=no: accept connections on every passed fd and answer each
           with "hello <fdname> <pid>\n" until SIGTERM.
  notify   like serve, but first sends READY=1 and STATUS=probing over
           $NOTIFY_SOCKET.
  conn     Accept=yes: the connection is fd 3 (or stdin with
           StandardInput=socket); answer "hello conn <pid>\n", then hold it
           until the client closes.
  crash    like serve, but exit 3 right after answering the first connection.
"""
import json
import os
import signal
import socket
import select
import sys


def open_fds():
    fds = []
    for fd in range(64):
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            pass
    return fds


def report(path):
    env = {k: v for k, v in os.environ.items()
           if k.startswith(("LISTEN_", "REMOTE_")) or k in ("NOTIFY_SOCKET", "FOO")}
    data = {"pid": os.getpid(), "env": env, "fds": open_fds(), "argv": sys.argv,
            "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "groups": sorted(os.getgroups()),
            "cwd": os.getcwd(), "sid": os.getsid(0)}
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.rename(tmp, path)


def notify(text):
    addr = os.environ.get("NOTIFY_SOCKET")
    if not addr:
        return
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(text.encode(), addr if addr[0] != "@" else "\0" + addr[1:])
    s.close()


def serve(crash=False):
    n = int(os.environ.get("LISTEN_FDS", "0"))
    names = os.environ.get("LISTEN_FDNAMES", "").split(":")
    socks = {socket.socket(fileno=3 + i): names[i] if i < len(names) else "unknown"
             for i in range(n)}
    while True:
        ready, _, _ = select.select(list(socks), [], [])
        for s in ready:
            c, _ = s.accept()
            c.sendall(f"hello {socks[s]} {os.getpid()}\n".encode())
            c.close()
            if crash:
                sys.exit(3)


def conn():
    fd = 3 if os.environ.get("LISTEN_FDS") == "1" else 0
    c = socket.socket(fileno=fd)
    c.sendall(f"hello conn {os.getpid()}\n".encode())
    while c.recv(4096):
        pass


def main():
    mode, out = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    report(out)
    if mode == "serve":
        serve()
    elif mode == "notify":
        notify("READY=1\nSTATUS=probing")
        serve()
    elif mode == "crash":
        serve(crash=True)
    elif mode == "conn":
        conn()


if __name__ == "__main__":
    main()
