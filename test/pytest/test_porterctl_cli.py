# porterctl's command line: options, help, unknown verbs and exit codes.
import re


def test_version(porterctl):
    r = porterctl("--version")
    assert r.returncode == 0
    assert re.match(r"porter \d+\.\d+", r.stdout)


def test_help_lists_verbs(porterctl):
    r = porterctl("--help")
    assert r.returncode == 0
    assert "Commands:" in r.stdout


def test_unknown_verb_fails(porterctl):
    r = porterctl("frobnicate")
    assert r.returncode == 1
    assert "Unknown command verb 'frobnicate'" in r.stderr


def test_bad_output_mode(porterctl):
    r = porterctl("-o", "yaml", "help")
    assert r.returncode == 1
    assert "yaml" in r.stderr
