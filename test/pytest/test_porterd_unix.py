"""porterd with AF_UNIX sockets: specifiers in Listen paths, Accept=yes
instance names for UNIX peers, Symlinks= and RemoveOnStop=."""
import os
import socket

from conftest import program, write_unit
from porterd_fixture import Porterd, wait_for


def test_unix_accept_symlinks_remove_on_stop(tmp_path, unit_dir):
    exe = program("porterd")
    write_unit(unit_dir, "u.socket",
               "[Socket]\nListenStream=%t/u.sock\nAccept=yes\nRemoveOnStop=yes\nSymlinks=%t/u-link.sock\n"
               "SocketMode=0600\n")
    write_unit(unit_dir, "u@.service", "[Service]\nExecStart=/bin/echo ok\nStandardInput=socket\n")
    d = Porterd(exe, tmp_path, unit_dir, start=("u.socket",))
    try:
        path = d.runtime / "u.sock"
        link = d.runtime / "u-link.sock"
        wait_for(path.exists, what="socket node")
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert os.readlink(link) == str(path)

        with socket.socket(socket.AF_UNIX) as c:
            c.settimeout(5)
            c.connect(str(link))
            assert c.makefile("rb").readline() == b"ok\n"
        # v258 instance names for AF_UNIX peers: u@N-COOKIE-PID-UID.service.
        d.wait_log("Changed running -> dead")
        name = [w for w in d.text().split() if w.startswith("u@")][0].rstrip(":")
        parts = name[len("u@"):-len(".service")].split("-")
        assert parts[0] == "0" and int(parts[1]) > 0 and int(parts[2]) == os.getpid() \
            and int(parts[3]) == os.getuid(), name

        assert d.terminate() == 0
        # RemoveOnStop=yes: the node and the symlink are gone.
        assert not path.exists() and not os.path.lexists(link)
    finally:
        d.kill()
    assert d.sanitizer_reports() == [], d.text()
