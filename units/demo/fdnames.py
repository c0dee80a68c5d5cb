#!/usr/bin/python3
"""Demo service for units/fdnames.service: serves every socket porter passes
(sd_listen_fds protocol, standard library only) and answers each connection
with the name of the socket it came through."""
import os
import select
import socket


def listen_fds():
    if os.environ.get("LISTEN_PID") != str(os.getpid()):
        return {}
    n = int(os.environ.get("LISTEN_FDS", "0"))
    names = os.environ.get("LISTEN_FDNAMES", "").split(":")
    return {socket.socket(fileno=3 + i): (names[i] if i < len(names) else "unknown")
            for i in range(n)}


def notify(state):
    path = os.environ.get("NOTIFY_SOCKET")
    if path:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(state.encode(), "\0" + path[1:] if path.startswith("@") else path)


def main():
    socks = listen_fds()
    if not socks:
        raise SystemExit("no sockets passed; run me from porter or systemd")
    notify("READY=1\nSTATUS=serving " + ", ".join(sorted(socks.values())))
    served = 0
    while True:
        ready, _, _ = select.select(list(socks), [], [])
        for s in ready:
            conn, peer = s.accept()
            with conn:
                conn.sendall(f"You reached '{socks[s]}' (pid {os.getpid()}, peer {peer[0]}).\n".encode())
            served += 1
            notify(f"STATUS=served {served} connections")


if __name__ == "__main__":
    main()
