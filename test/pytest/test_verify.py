# porterctl verify over unit files written by each test: exit codes,
# PATH:LINE diagnostics on stderr, and the --json document.
import json
import os
import re

import pytest

from conftest import write_unit

GOOD_SOCKET = "[Unit]\nDescription=echo\n[Socket]\nListenStream=127.0.0.1:7777\n"
GOOD_SERVICE = "[Service]\nExecStart=/bin/cat\n"


@pytest.fixture
def verify(porterctl, unit_dir):
    """porterctl verify with the search path limited to unit_dir."""
    def run(*args, cwd=None):
        return porterctl("verify", *args, cwd=cwd or unit_dir,
                         env={"PORTER_UNIT_PATH": str(unit_dir), "SYSTEMD_UNIT_PATH": str(unit_dir)})
    return run


DIAG = re.compile(r"^(?P<path>[^:]+)(?::(?P<line>\d+))?: (?P<sev>warning|error): (?P<msg>.*)$")


def diagnostics(stderr):
    out = []
    for line in stderr.splitlines():
        m = DIAG.match(line)
        assert m, f"not a diagnostic line: {line!r}"
        out.append((m["path"], int(m["line"] or 0), m["sev"], m["msg"]))
    return out


def test_clean_units_exit_0(verify, unit_dir):
    s = write_unit(unit_dir, "echo.socket", GOOD_SOCKET)
    write_unit(unit_dir, "echo.service", GOOD_SERVICE)
    r = verify(str(s))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


def test_bare_file_name_in_cwd(verify, unit_dir):
    write_unit(unit_dir, "echo.socket", GOOD_SOCKET)
    write_unit(unit_dir, "echo.service", GOOD_SERVICE)
    assert verify("echo.socket").returncode == 0


def test_unit_name_from_search_path(verify, unit_dir, tmp_path):
    write_unit(unit_dir, "echo.socket", GOOD_SOCKET)
    write_unit(unit_dir, "echo.service", GOOD_SERVICE)
    r = verify("echo.socket", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_bad_value_warns_with_file_and_line(verify, unit_dir):
    s = write_unit(unit_dir, "w.socket", "[Socket]\nListenStream=7778\nAccept=maybe\nBogusKey=1\n")
    write_unit(unit_dir, "w.service", GOOD_SERVICE)
    r = verify(str(s))
    assert r.returncode == 1
    d = diagnostics(r.stderr)
    assert (str(s), 3, "warning") == d[0][:3]
    assert d[0][3].endswith(", ignoring")
    assert d[1][:3] == (str(s), 4, "warning")
    assert "Unknown key 'BogusKey' in section [Socket]" in d[1][3]


def test_unsupported_directive_warns_once(verify, unit_dir):
    s = write_unit(unit_dir, "u.socket", "[Socket]\nListenStream=7779\nPrivateTmp=yes\nPrivateTmp=no\n")
    write_unit(unit_dir, "u.service", GOOD_SERVICE)
    r = verify(str(s))
    assert r.returncode == 1
    d = diagnostics(r.stderr)
    assert d == [(str(s), 3, "warning", "PrivateTmp= is not supported by porter, ignoring")]


def test_fatal_header_error_fails_the_unit(verify, unit_dir):
    s = write_unit(unit_dir, "h.socket", "[Socket]\nListenStream=7780\n[Socket\n")
    r = verify(str(s))
    assert r.returncode == 1
    d = diagnostics(r.stderr)
    assert d[0][:3] == (str(s), 3, "error")
    assert "Failed to load unit h.socket" in d[-1][3]


def test_load_time_check_accept_datagram(verify, unit_dir):
    s = write_unit(unit_dir, "a.socket", "[Socket]\nListenDatagram=7781\nAccept=yes\n")
    r = verify(str(s))
    assert r.returncode == 1
    d = diagnostics(r.stderr)
    assert d[0][:3] == (str(s), 2, "error")
    assert "non-accepting" in d[0][3]
    assert "bad setting" in d[-1][3]


def test_missing_service_fails(verify, unit_dir):
    s = write_unit(unit_dir, "lonely.socket", GOOD_SOCKET)
    r = verify(str(s))
    assert r.returncode == 1
    assert "Failed to load unit lonely.service: not found" in r.stderr


def test_accept_yes_checks_the_template(verify, unit_dir):
    s = write_unit(unit_dir, "t.socket", "[Socket]\nListenStream=7782\nAccept=yes\n")
    r = verify(str(s))
    assert r.returncode == 1
    # the template is checked as an instance, like systemd-analyze verify does
    assert "Failed to load unit t@test_instance.service: not found" in r.stderr
    write_unit(unit_dir, "t@.service", "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n")
    r = verify(str(s))
    assert r.returncode == 0, r.stderr


def test_template_file_is_verified_as_instance(verify, unit_dir):
    s = write_unit(unit_dir, "tpl@.socket", "[Socket]\nListenStream=/run/porter-test-%i.sk\nService=tpl@%i.service\n")
    write_unit(unit_dir, "tpl@.service", "[Service]\nExecStart=/bin/echo %i\n")
    r = verify("--json", str(s))
    assert r.returncode == 0, r.stdout
    doc = json.loads(r.stdout)
    assert [e["unit"] for e in doc] == ["tpl@test_instance.socket", "tpl@test_instance.service"]


def test_masked_unit_is_not_loaded(verify, unit_dir):
    s = write_unit(unit_dir, "m.socket", "")
    r = verify(str(s))
    assert r.returncode == 1
    assert "masked" in r.stderr


def test_dropin_diagnostic_names_the_dropin(verify, unit_dir):
    write_unit(unit_dir, "d.socket", GOOD_SOCKET)
    write_unit(unit_dir, "d.service", GOOD_SERVICE)
    conf = write_unit(unit_dir, "d.socket.d/override.conf", "[Socket]\nBacklog=lots\n")
    r = verify("d.socket")
    assert r.returncode == 1
    d = diagnostics(r.stderr)
    assert d[0][:3] == (str(conf), 2, "warning")


def test_json_shape(verify, unit_dir):
    s = write_unit(unit_dir, "j.socket", "[Socket]\nListenStream=7783\nBacklog=x\n")
    write_unit(unit_dir, "j.service", GOOD_SERVICE)
    bad = write_unit(unit_dir, "k.socket", "[Socket]\nAccept=yes\n")
    r = verify("--json", str(s), str(bad))
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert isinstance(doc, list)
    assert [e["unit"] for e in doc] == ["j.socket", "j.service", "k.socket"]
    for e in doc:
        assert set(e) == {"unit", "path", "loaded", "warnings"}
        assert isinstance(e["loaded"], bool)
        for w in e["warnings"]:
            assert {"line", "severity", "message"} <= set(w)
            assert isinstance(w["line"], int)
            assert w["severity"] in ("warning", "error")
    j, svc, k = doc
    assert j["loaded"] and j["path"] == str(s)
    assert j["warnings"][0]["line"] == 3 and j["warnings"][0]["severity"] == "warning"
    assert svc["loaded"] and svc["warnings"] == []
    assert not k["loaded"]
    assert any(w["severity"] == "error" for w in k["warnings"])


def test_json_option_before_verb_and_clean_exit(porterctl, unit_dir):
    s = write_unit(unit_dir, "o.socket", GOOD_SOCKET)
    write_unit(unit_dir, "o.service", GOOD_SERVICE)
    r = porterctl("--json", "verify", str(s), env={"PORTER_UNIT_PATH": str(unit_dir)})
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [e["loaded"] for e in doc] == [True, True]


def test_json_survives_invalid_utf8_and_control_chars(verify, unit_dir):
    s = write_unit(unit_dir, "x.socket", b"[Socket]\nListenStream=7784\nBacklog=\x01\"\\\nNoDelay=\xff\n")
    write_unit(unit_dir, "x.service", GOOD_SERVICE)
    r = verify("--json", str(s))
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    msgs = [w["message"] for w in doc[0]["warnings"]]
    assert any("UTF-8" in m for m in msgs)


def test_specifiers_and_unknown_specifier(verify, unit_dir):
    s = write_unit(unit_dir, "sp.socket", "[Socket]\nListenStream=/run/porter-test-%n.sk\nListenStream=/run/%Z\n")
    write_unit(unit_dir, "sp.service", GOOD_SERVICE)
    r = verify("--json", str(s))
    doc = json.loads(r.stdout)
    assert doc[0]["loaded"]
    assert doc[0]["warnings"][0]["line"] == 3
    assert "specifier" in doc[0]["warnings"][0]["message"]


def test_user_mode_runtime_dir_specifier(porterctl, unit_dir):
    s = write_unit(unit_dir, "us.socket", "[Socket]\nListenStream=%t/porter-test-us.sk\n")
    write_unit(unit_dir, "us.service", GOOD_SERVICE)
    env = {"PORTER_UNIT_PATH": str(unit_dir), "XDG_RUNTIME_DIR": ""}
    r = porterctl("verify", "--user", "--json", str(s), env=env)
    assert r.returncode == 0, r.stdout
    r = porterctl("verify", "--json", str(s), env=env)
    assert r.returncode == 0, r.stdout


def test_no_arguments_is_an_error(porterctl):
    r = porterctl("verify")
    assert r.returncode != 0
