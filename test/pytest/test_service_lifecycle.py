"""Service start/stop state machine against porterd (systemd v258
service.c semantics): control processes of a StandardInput=socket service."""
import socket

from conftest import program, write_unit
from porterd_fixture import Porterd, free_port, wait_for


def test_accept_yes_control_processes_get_the_connection(tmp_path, unit_dir):
    # systemd's service_spawn() hands the socket to every process of a
    # StandardInput=socket service, control processes included: with the
    # default StandardOutput=inherit, ExecStartPre= and ExecStopPost= write
    # to the client too.  porter failed the start with ENOTUNIQ before.
    exe = program("porterd")
    port = free_port()
    write_unit(unit_dir, "life.socket", f"[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\n")
    write_unit(unit_dir, "life@.service",
               "[Service]\nExecStartPre=/bin/true\nExecStartPre=/bin/echo pre\nExecStart=/bin/echo ok\n"
               "ExecStopPost=/bin/echo post\nStandardInput=socket\n")
    d = Porterd(exe, tmp_path, unit_dir, start=("life.socket",))
    try:
        d.wait_log("Started 1 of 1 units.")
        for _ in range(2):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
                f = c.makefile("rb")
                assert f.read() == b"pre\nok\npost\n"
        d.wait_log("Changed stop-post -> dead", count=2)
        assert "Name not unique" not in d.text()
        assert d.terminate() == 0
    finally:
        d.kill()
    assert d.sanitizer_reports() == [], d.text()
