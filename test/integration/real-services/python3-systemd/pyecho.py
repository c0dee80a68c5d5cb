# A service written for systemd with Debian's python3-systemd: it takes its
# listener from systemd.daemon.listen_fds(), says READY=1, and answers each
# connection with what it found.
import os
import socket

from systemd import daemon

fds = daemon.listen_fds()
ok = len(fds) == 1 and daemon.is_socket_inet(fds[0], socket.AF_INET, socket.SOCK_STREAM, 1)
listener = socket.socket(fileno=fds[0])
daemon.notify("READY=1")
while True:
    conn, _ = listener.accept()
    with conn:
        line = conn.makefile("rb").readline().decode().strip()
        conn.sendall(f"{line} fds={fds} inet={ok} uid={os.getuid()} "
                     f"env={'LISTEN_PID' in os.environ}\n".encode())
