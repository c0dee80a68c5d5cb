"""porterctl enable/disable/reenable/mask/unmask/is-enabled against
systemctl itself: `systemctl --root=DIR` works offline on a tree without a
running systemd, so both tools run the same verbs on two copies of one tree
and must leave the same symlinks, print the same states and change
messages, and exit with the same codes.  Then the daemon side: cat, enable
into porterd's --unit-path, status of a unit porterd has not loaded yet,
and the *TimestampMonotonic properties of show."""
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import program, write_unit
from porterd_fixture import Porterd, free_port, wait_started

SYSTEMCTL = shutil.which("systemctl")

# UpheldBy= is left out: systemd 252 (this machine's systemctl) predates it;
# test-unit-install.c covers it.
UNITS = {
    "usr/lib/systemd/system/foo.service":
        "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n"
        "RequiredBy=bar.target\nAlias=foo2.service\nAlso=foo.socket\n",
    "usr/lib/systemd/system/foo.socket":
        "[Socket]\nListenStream=1234\n[Install]\nWantedBy=sockets.target\n",
    "usr/lib/systemd/system/sockets.target": "[Unit]\nDescription=Sockets\n",
    "usr/lib/systemd/system/tmpl@.service":
        "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nDefaultInstance=def\n",
    "usr/lib/systemd/system/notmpl@.service":
        "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n",
    "usr/lib/systemd/system/st.service": "[Service]\nExecStart=/bin/true\n",
    "usr/lib/systemd/system/alsoonly.service":
        "[Service]\nExecStart=/bin/true\n[Install]\nAlso=foo.socket\n",
    "usr/lib/systemd/system/inst@.socket":
        "[Socket]\nListenStream=2345\nAccept=yes\n[Install]\nWantedBy=sockets.target\n",
    "run/systemd/generator/gen.service":
        "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n",
    "opt/linked.service": "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n",
    "usr/lib/systemd/system/talias@.service":
        "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nAlias=other@.service\n",
    "usr/lib/systemd/system/vendor.service":
        "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n",
    "usr/lib/systemd/system/dropin.service": "[Service]\nExecStart=/bin/true\n",
    "etc/systemd/system/dropin.service.d/install.conf": "[Install]\nWantedBy=extra.target\n",
    "usr/lib/systemd/system/cyc-a.service":
        "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=a.target\nAlso=cyc-b.service\n",
    "usr/lib/systemd/system/cyc-b.service":
        "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=b.target\nAlso=cyc-a.service\n",
    "usr/lib/systemd/system/spec.service":
        "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=%N.target\nAlias=%p-alias.service\n",
}

# Each step: the verb and its arguments, run by both tools in turn.
STEPS = [
    ["is-enabled", "foo.service", "foo.socket", "st.service", "alsoonly.service", "gen.service",
     "linked.service", "tmpl@.service", "tmpl@x.service"],
    ["enable", "foo.service"],
    ["is-enabled", "foo.service", "foo2.service", "foo.socket", "alsoonly.service"],
    ["enable", "foo.service"],
    ["enable", "tmpl@.service"],
    ["enable", "tmpl@x.service"],
    ["enable", "notmpl@a.service"],
    ["enable", "inst@.socket"],
    ["is-enabled", "tmpl@.service", "tmpl@x.service", "tmpl@def.service", "tmpl@y.service",
     "notmpl@a.service", "notmpl@b.service"],
    ["disable", "tmpl@x.service"],
    ["is-enabled", "tmpl@x.service", "tmpl@def.service"],
    ["reenable", "foo.service"],
    ["disable", "foo.service"],
    ["is-enabled", "foo.service", "foo.socket"],
    ["enable", "linked.service"],
    ["is-enabled", "linked.service"],
    ["disable", "linked.service"],
    ["mask", "st.service"],
    ["is-enabled", "st.service"],
    ["enable", "st.service"],
    ["disable", "st.service"],
    ["unmask", "st.service"],
    ["is-enabled", "st.service"],
    ["enable", "nope.service"],
    ["disable", "nope.service"],
    ["is-enabled", "nope.service"],
    ["disable", "tmpl@.service"],
    ["is-enabled", "tmpl@def.service"],
    ["enable", "gen.service"],
    ["is-enabled", "vendor.service", "valias.service", "dropin.service", "cyc-a.service"],
    ["enable", "talias@a.service"],
    ["is-enabled", "talias@a.service", "other@a.service", "talias@b.service"],
    ["disable", "talias@a.service"],
    ["enable", "valias.service"],
    ["is-enabled", "vendor.service", "valias.service"],
    ["disable", "vendor.service"],
    ["enable", "dropin.service"],
    ["is-enabled", "dropin.service"],
    ["disable", "dropin.service"],
    ["enable", "cyc-a.service"],
    ["is-enabled", "cyc-a.service", "cyc-b.service"],
    ["disable", "cyc-b.service"],
    ["enable", "spec.service"],
    ["is-enabled", "spec.service", "spec-alias.service"],
    ["disable", "spec.service"],
    ["enable", "--force", "foo.service"],
    ["mask", "foo.service", "st.service"],
    ["is-enabled", "foo.service", "foo.socket"],
    ["unmask", "foo.service", "st.service"],
    ["is-enabled", "foo.service", "foo.socket"],
    ["disable", "foo.service"],
    ["--runtime", "enable", "foo.service"],
    ["is-enabled", "foo.service", "foo.socket", "foo2.service"],
    ["--runtime", "mask", "foo.socket"],
    ["is-enabled", "foo.socket"],
    ["--runtime", "disable", "foo.service"],
    ["--runtime", "unmask", "foo.socket"],
    ["is-enabled", "foo.service", "foo.socket"],
    ["--runtime", "disable", "foo.socket"],
]


def make_tree(root):
    for rel, text in UNITS.items():
        write_unit(root, rel, text)
    os.makedirs(root / "etc/systemd/system", exist_ok=True)
    os.symlink("/opt/linked.service", root / "etc/systemd/system/linked.service")
    os.makedirs(root / "usr/lib/systemd/system/multi-user.target.wants")
    os.symlink("../vendor.service", root / "usr/lib/systemd/system/multi-user.target.wants/vendor.service")
    os.symlink("vendor.service", root / "usr/lib/systemd/system/valias.service")


def links(root):
    """Every symlink below etc/ and run/systemd/system: path -> text."""
    out = {}
    for top in ("etc", "run/systemd/system"):
        for dirpath, dirs, files in os.walk(root / top):
            for n in dirs + files:
                p = os.path.join(dirpath, n)
                if os.path.islink(p):
                    out[os.path.relpath(p, root)] = os.readlink(p)
    return out


# The messages both tools print in the same words (the long explanation
# for units without [Install] differs between systemd versions).
MESSAGE = re.compile(r"^(Created symlink|Removed|Failed to|Unit .* (is masked|is added as a dependency))")


def messages(text, root):
    return sorted(l.replace(str(root), "ROOT") for l in text.splitlines() if MESSAGE.match(l))


def run_tool(cmd, root, step):
    env = dict(os.environ)
    env.pop("PORTER_UNIT_PATH", None)
    env.pop("SYSTEMD_UNIT_PATH", None)
    env["SYSTEMD_LOG_LEVEL"] = "info"
    env["SYSTEMD_COLORS"] = "0"
    return subprocess.run([*cmd, f"--root={root}", *step], capture_output=True, text=True, env=env,
                          timeout=60)


@pytest.mark.skipif(SYSTEMCTL is None, reason="systemctl is not installed: nothing to compare with")
def test_install_verbs_match_systemctl(tmp_path):
    ctl = program("porterctl")
    ours, theirs = tmp_path / "porter", tmp_path / "systemd"
    make_tree(ours)
    make_tree(theirs)
    for step in STEPS:
        a = run_tool([ctl], ours, step)
        b = run_tool([SYSTEMCTL], theirs, step)
        where = f"step {step}:\nporterctl: {a.returncode} {a.stdout!r} {a.stderr!r}\n" \
                f"systemctl: {b.returncode} {b.stdout!r} {b.stderr!r}"
        assert a.returncode == b.returncode, where
        assert a.stdout == b.stdout, where
        assert messages(a.stderr, ours) == messages(b.stderr, theirs), where
        assert links(ours) == links(theirs), where


def test_install_verbs_without_systemctl(tmp_path, porterctl):
    """The same tree, checked against fixed expectations (runs where
    systemctl is missing too)."""
    root = tmp_path / "r"
    make_tree(root)
    r = porterctl(f"--root={root}", "enable", "foo.service")
    assert r.returncode == 0, r.stderr
    assert f"Created symlink {root}/etc/systemd/system/foo2.service \u2192 /usr/lib/systemd/system/foo.service." \
        in r.stderr.splitlines()
    assert links(root) == {
        "etc/systemd/system/linked.service": "/opt/linked.service",
        "etc/systemd/system/foo2.service": "/usr/lib/systemd/system/foo.service",
        "etc/systemd/system/multi-user.target.wants/foo.service": "/usr/lib/systemd/system/foo.service",
        "etc/systemd/system/bar.target.requires/foo.service": "/usr/lib/systemd/system/foo.service",
        "etc/systemd/system/sockets.target.wants/foo.socket": "/usr/lib/systemd/system/foo.socket",
    }
    r = porterctl(f"--root={root}", "is-enabled", "foo.service", "foo2.service", "st.service", "gen.service",
                  "linked.service", "alsoonly.service")
    assert r.stdout.split() == ["enabled", "alias", "static", "generated", "linked", "indirect"]
    assert r.returncode == 0
    r = porterctl(f"--root={root}", "-q", "is-enabled", "tmpl@.service")
    assert (r.returncode, r.stdout) == (1, "")
    r = porterctl(f"--root={root}", "disable", "foo.service")
    assert r.returncode == 0
    assert f'Removed "{root}/etc/systemd/system/foo2.service".' in r.stderr.splitlines()
    assert links(root) == {"etc/systemd/system/linked.service": "/opt/linked.service"}
    # cat works offline on the tree too (systemctl refuses cat with --root)
    write_unit(root, "etc/systemd/system/foo.service.d/x.conf", "[Unit]\nDescription=x\n")
    r = porterctl(f"--root={root}", "cat", "foo.service")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (f"# {root}/usr/lib/systemd/system/foo.service\n" + UNITS["usr/lib/systemd/system/foo.service"]
                        + f"\n# {root}/etc/systemd/system/foo.service.d/x.conf\n[Unit]\nDescription=x\n")
    # options after the verb, as systemctl takes them
    r = porterctl("mask", f"--root={root}", "st.service")
    assert r.returncode == 0 and links(root)["etc/systemd/system/st.service"] == "/dev/null"


@pytest.fixture
def daemon(tmp_path, unit_dir):
    exe = program("porterd")
    ctl = program("porterctl")
    port = free_port()
    write_unit(unit_dir, "web.socket",
               f"[Unit]\nDescription=Web socket\n[Socket]\nListenStream=127.0.0.1:{port}\n"
               "[Install]\nWantedBy=sockets.target\n")
    write_unit(unit_dir, "web.service", "[Service]\nExecStart=/bin/sleep 1000\n")
    write_unit(unit_dir, "web.socket.d/a.conf", "[Socket]\nBacklog=16\n")
    write_unit(unit_dir, "web.socket.d/b.conf", "[Unit]\nDocumentation=man:porterd(8)\n")
    write_unit(unit_dir, "idle.service",
               "[Unit]\nDescription=Idle\n[Service]\nExecStart=/bin/sleep 1000\n"
               "[Install]\nWantedBy=multi-user.target\n")
    d = Porterd(exe, tmp_path, unit_dir, start=("web.socket",))
    env = dict(os.environ, XDG_RUNTIME_DIR=str(d.runtime))
    env.pop("PORTER_UNIT_PATH", None)  # porterctl must learn the path from porterd

    def run(*args):
        return subprocess.run([ctl, "--user", *args], capture_output=True, text=True, env=env, timeout=60)
    wait_started(d, 1)
    yield run, d
    d.kill()
    assert d.sanitizer_reports() == [], d.text()


def test_cat(daemon, unit_dir):
    run, d = daemon
    r = run("cat", "web.socket", "idle.service")
    assert r.returncode == 0, r.stderr
    sock = (unit_dir / "web.socket").read_text()
    expected = (f"# {unit_dir}/web.socket\n{sock}"
                f"\n# {unit_dir}/web.socket.d/a.conf\n[Socket]\nBacklog=16\n"
                f"\n# {unit_dir}/web.socket.d/b.conf\n[Unit]\nDocumentation=man:porterd(8)\n"
                f"\n# {unit_dir}/idle.service\n" + (unit_dir / "idle.service").read_text())
    assert r.stdout == expected
    r = run("cat", "nope")
    assert r.returncode == 1
    assert r.stderr.strip() == "No files found for nope.service."
    assert r.stdout == ""


def test_enable_into_unit_path_and_status_of_unloaded_unit(daemon, unit_dir):
    run, d = daemon
    r = run("is-enabled", "web.socket", "idle.service")
    assert (r.returncode, r.stdout.split()) == (1, ["disabled", "disabled"]), r.stderr
    r = run("enable", "idle.service")
    assert r.returncode == 0, r.stderr
    # porterd runs with --unit-path: the links go there, where it looks
    link = unit_dir / "multi-user.target.wants" / "idle.service"
    assert os.readlink(link) == str(unit_dir / "idle.service")
    assert f"Created symlink {link} \u2192 {unit_dir}/idle.service." in r.stderr
    r = run("is-enabled", "idle.service")
    assert (r.returncode, r.stdout) == (0, "enabled\n")

    # idle.service was never started: status loads it (Manager.LoadUnit)
    r = run("status", "idle.service")
    assert r.returncode == 3, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].endswith("idle.service - Idle")
    assert f"     Loaded: loaded ({unit_dir}/idle.service; enabled)" in lines
    assert "     Active: inactive (dead)" in lines

    r = run("status", "web.socket")
    assert f"     Loaded: loaded ({unit_dir}/web.socket; disabled)" in r.stdout.splitlines()
    assert f"    Drop-In: {unit_dir}/web.socket.d" in r.stdout.splitlines()
    assert "             \u2514\u2500a.conf, b.conf" in r.stdout.splitlines()

    r = run("-o", "json", "status", "idle.service")
    assert json.loads(r.stdout)[0]["unit_file_state"] == "enabled"

    r = run("disable", "idle.service")
    assert r.returncode == 0 and not os.path.lexists(link)
    assert f'Removed "{link}".' in r.stderr
    r = run("status", "nope.service")
    assert r.returncode == 4 and "Unit nope.service could not be found." in r.stderr
    # LoadUnit is open to every peer: a name without a file leaves nothing
    r = run("list-units", "--all")
    assert "nope.service" not in r.stdout and "idle.service" in r.stdout


def test_enable_now_disable_now_and_masked_status(daemon, unit_dir):
    run, d = daemon
    r = run("enable", "--now", "idle.service")
    assert r.returncode == 0, r.stderr
    assert run("is-active", "idle.service").stdout == "active\n"
    assert run("is-enabled", "idle.service").stdout == "enabled\n"
    r = run("disable", "--now", "idle.service")
    assert r.returncode == 0, r.stderr
    assert run("is-active", "idle.service").stdout == "inactive\n"
    assert not os.path.lexists(unit_dir / "multi-user.target.wants" / "idle.service")

    os.symlink("/dev/null", unit_dir / "gone.service")
    r = run("status", "gone.service")
    assert r.returncode == 3, r.stdout + r.stderr
    assert "     Loaded: masked (Reason: Unit gone.service is masked.)" in r.stdout.splitlines()
    assert "     Active: inactive (dead)" in r.stdout.splitlines()
    assert run("is-enabled", "gone.service").stdout == "masked\n"
    r = run("cat", "gone.service")
    assert (r.returncode, r.stdout) == (0, "# Unit gone.service is masked.\n")


def test_show_monotonic_timestamps(daemon):
    run, d = daemon
    r = run("show", "-p", "ActiveEnterTimestamp", "-p", "ActiveEnterTimestampMonotonic",
            "-p", "InactiveExitTimestampMonotonic", "-p", "StateChangeTimestampMonotonic", "web.socket")
    assert r.returncode == 0, r.stderr
    props = dict(l.split("=", 1) for l in r.stdout.splitlines())
    assert re.fullmatch(r"\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+", props["ActiveEnterTimestamp"])
    mono = int(props["ActiveEnterTimestampMonotonic"])
    now = int(open("/proc/uptime").read().split()[0].split(".")[0]) * 1_000_000
    assert 0 < mono <= now + 2_000_000
    assert 0 < int(props["InactiveExitTimestampMonotonic"]) <= mono
    assert int(props["StateChangeTimestampMonotonic"]) >= mono
