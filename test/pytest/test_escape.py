# porterctl escape / unescape against the real systemd-escape of this
# machine: same stdout bytes, same exit status, same error messages, over
# many inputs (ASCII, non-ASCII, leading dots, paths, bad escapes) and every
# option combination systemd-escape accepts or refuses.
import itertools
import os
import shutil
import subprocess

import pytest

from conftest import program

SYSTEMD_ESCAPE = shutil.which("systemd-escape")
pytestmark = pytest.mark.skipif(SYSTEMD_ESCAPE is None,
                                reason="systemd-escape is not installed")

# Strings as bytes: argv is bytes on Linux, and some are not UTF-8.
STRINGS = [
    b"", b"hello", b"hello-world", b"hello world", b"a/b/c", b"/a/b/c",
    b"/tmp//waldi/foobar/", b"/", b"//", b"///", b".", b"..", b"./", b"/.",
    b"/..", b"/../foo", b"foo/..", b"/foo/../bar", b"/foo/./bar", b"./foo",
    b".foo", b"/.foo", b"..foo", b"/..foo", b".hidden/.x", b"-", b"--", b"-a-",
    b"a-b", b"a\\b", b"a\\x2db", b"a\\x2Db", b"a\\X2db", b"\\", b"\\x", b"\\x2",
    b"\\xzz", b"\\x2f", b"a@b", b"@", b"foo@bar.service", b"foo@.service",
    b"foo.service", b"foo.socket", b"foo.bar", b"foo.", b".service",
    b"a:b_c.d", b"\xc3\xbc", b"caf\xc3\xa9/na\xc3\xafve", b"\xff\xfe",
    b"\x01\x1f\x7f", b"tab\there", b"new\nline", b"*", b"foo*", b"f?o",
    b"[ab]", b"!x", b"%i", b"$HOME", b"'q'", b'"q"', b"a=b", b"a,b;c",
    b"/dev/sda1", b"/dev/disk/by-label/x y", b"/sys/devices/foo", b"/dev",
    b"/home/user/My Documents", b"x" * 200, b"x" * 300, b"/" + b"y" * 256,
    b"/" + b"z/" * 2100, b"foo\\x00bar", b"a-\\x2d-b", b"-a", b"a-",
    b"foo@", b"@foo", b"foo@@bar.service", b"foo@a-b.service",
    b"foo@a\\x2db.service", b"foo@-.service", b"foo@\\x2d.service",
    b"foo@a\\x2fb.service", b"bar@x.socket",
]

MODES = [
    [], ["-p"], ["--path"], ["-u"], ["--unescape"], ["-u", "-p"], ["-m"],
    ["--mangle"], ["--suffix=mount"], ["--suffix=service", "-p"],
    ["--template=foo@.service"], ["--template=foo@.service", "-p"],
    ["-u", "--instance"], ["-u", "--instance", "-p"],
    ["-u", "--template=foo@.service"], ["-u", "-p", "--template=foo@.service"],
]

REFUSED = [
    ["--suffix=bogus"], ["--suffix=.mount"], ["--suffix="],
    ["--template=foo.service"], ["--template=foo@bar.service"],
    ["--template=@.service"], ["--suffix=mount", "--template=foo@.service"],
    ["-m", "--suffix=mount"], ["-m", "--template=foo@.service"],
    ["-u", "--suffix=mount"], ["-m", "-p"], ["--instance"],
    ["-m", "--instance"], ["-u", "--instance", "--template=foo@.service"],
    ["-u", "-m"], ["-m", "-u"],
]


def run(argv):
    r = subprocess.run(argv, capture_output=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def messages(stderr, prefix=b""):
    """stderr lines without our 'porterctl: ' prefix."""
    out = []
    for line in stderr.splitlines():
        if prefix and line.startswith(prefix):
            line = line[len(prefix):]
        out.append(line)
    return out


def compare(args, strings):
    ours = run([program("porterctl"), "escape", *args, "--", *strings])
    theirs = run([SYSTEMD_ESCAPE, *args, "--", *strings])
    what = f"args={args} strings={strings!r}"
    assert ours[0] == theirs[0], f"exit status {ours[0]} != {theirs[0]}: {what}"
    assert ours[1] == theirs[1], f"stdout {ours[1]!r} != {theirs[1]!r}: {what}"
    assert messages(ours[2], b"porterctl: ") == messages(theirs[2]), \
        f"stderr {ours[2]!r} != {theirs[2]!r}: {what}"
    return ours


@pytest.mark.parametrize("args", MODES, ids=lambda a: " ".join(a) or "plain")
def test_each_string_like_systemd_escape(args):
    for s in STRINGS:
        compare(args, [s])


@pytest.mark.parametrize("args", MODES, ids=lambda a: " ".join(a) or "plain")
def test_many_strings_in_one_call(args):
    # Several strings: one line, space separated; a failure in the middle
    # leaves the earlier results on stdout without a newline.
    for chunk in itertools.zip_longest(*[iter(STRINGS)] * 5, fillvalue=b"x"):
        compare(args, list(chunk))


@pytest.mark.parametrize("args", REFUSED, ids=lambda a: " ".join(a))
def test_refused_combinations(args):
    rc, _, _ = compare(args, [b"foo"])
    if args not in (["-u", "-m"], ["-m", "-u"]):  # last action wins there
        assert rc == 1


def test_not_enough_arguments():
    ours = run([program("porterctl"), "escape"])
    theirs = run([SYSTEMD_ESCAPE])
    assert (ours[0], ours[1]) == (theirs[0], theirs[1]) == (1, b"")
    assert messages(ours[2], b"porterctl: ") == messages(theirs[2])


def test_options_before_the_verb():
    # porterctl also takes the options in front of the verb.
    r = run([program("porterctl"), "--path", "--suffix=mount", "escape", "/tmp//waldi/foobar/"])
    assert r[:2] == (0, b"tmp-waldi-foobar.mount\n")
    r = run([program("porterctl"), "-u", "escape", "--path", "tmp-waldi"])
    assert r[:2] == (0, b"/tmp/waldi\n")


def test_unescape_verb_is_escape_u():
    for args in ([], ["-p"], ["--instance"], ["--template=foo@.service"]):
        for s in STRINGS:
            ours = run([program("porterctl"), "unescape", *args, "--", s])
            theirs = run([SYSTEMD_ESCAPE, "-u", *args, "--", s])
            assert ours[:2] == theirs[:2], (args, s, ours, theirs)


def test_round_trip():
    # escape then unescape gives the input back, for any bytes but NUL.
    for s in STRINGS + [bytes(range(1, 256))]:
        _, e, _ = run([program("porterctl"), "escape", "--", s])
        rc, u, _ = run([program("porterctl"), "unescape", "--", e.rstrip(b"\n")])
        assert rc == 0 and u == s + b"\n", (s, e, u)


def test_help():
    r = run([program("porterctl"), "escape", "--help"])
    assert r[0] == 0 and b"--unescape" in r[1]


def test_version_and_verb_listed():
    r = run([program("porterctl"), "escape", "--version"])
    assert r[0] == 0 and r[1].startswith(b"porter ")
    r = run([program("porterctl"), "--help"])
    assert b"escape" in r[1] and b"unescape" in r[1]


def test_option_like_strings_after_double_dash():
    for s in (b"--path", b"-u", b"-"):
        ours = run([program("porterctl"), "escape", "--", s])
        theirs = run([SYSTEMD_ESCAPE, "--", s])
        assert ours[:2] == theirs[:2]
