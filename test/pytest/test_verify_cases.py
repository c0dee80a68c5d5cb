# SPDX-License-Identifier: MIT
"""`porterctl verify` over the malformed-input corpus in test/verify-cases.

Each case (see test/verify-cases/verifycases.py for the manifest fields) is
copied into a temporary directory and verified twice: in text mode, whose
`PATH:LINE: severity: TEXT` lines are matched against the expected messages,
and with --json, whose "loaded" gives the load verdict.  Where the case is
comparable, porter's result is also compared with what systemd 252's
`systemd-analyze verify` printed for the same files (systemd-252.json,
written by tools/systemd-verify-reference.py).
"""
import json
import os
import pathlib
import re
import sys

import pytest

from conftest import SOURCE_DIR

sys.path.insert(0, str(SOURCE_DIR / "test" / "verify-cases"))
import verifycases  # noqa: E402

CASES = verifycases.load_cases()
REFERENCE = json.loads(verifycases.REFERENCE.read_text())["cases"]

# "PATH:LINE: severity: TEXT", or "PATH: severity: TEXT" for messages about the
# unit as a whole.  PATH may itself contain ':' (a:b.socket).
MESSAGE_RE = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+))?: (?P<severity>warning|error): (?P<text>.*)$")


def run_verify(porterctl, case, tmp_path, json_output):
    units = verifycases.materialize(case, tmp_path / "units")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    args = ["verify"]
    if case["user"]:
        args.append("--user")
    if json_output:
        args.append("--json")
    args += [str(units / v) for v in case["verify"]]
    r = porterctl(*args, env={"XDG_RUNTIME_DIR": str(runtime), "LC_ALL": "C.UTF-8"},
                  cwd=units, timeout=20)
    return units, r


def normalize_path(path, units):
    """Case-relative name of a path porter printed (absolute or ./NAME)."""
    prefix = str(units) + "/"
    if path.startswith(prefix):
        return path[len(prefix):]
    if path.startswith("./"):
        return path[2:]
    return path


def parse_messages(output, units):
    messages, stray = [], []
    for raw in output.splitlines():
        if not raw.strip():
            continue
        m = MESSAGE_RE.match(raw)
        if not m:
            stray.append(raw)
            continue
        messages.append({"file": normalize_path(m.group("path"), units),
                         "line": int(m.group("line") or 0),
                         "severity": m.group("severity"),
                         "text": m.group("text")})
    return messages, stray


def matches(expected, got, case):
    if expected["line"] != got["line"]:
        return False
    if expected["line"] and expected["file"] != got["file"]:
        return False
    if expected.get("severity") and expected["severity"] != got["severity"]:
        return False
    return all(f.lower() in got["text"].lower() for f in expected["text"])


def check_messages(case, messages):
    """Every expected message is printed once; no other message tied to a
    line is printed.  Extra messages about a unit as a whole (line 0) are
    allowed only when an error is expected (summaries such as "Failed to
    load unit X: bad setting")."""
    left = list(messages)
    for exp in case["messages"]:
        hit = next((g for g in left if matches(exp, g, case)), None)
        assert hit is not None, f"expected message {exp} not among {messages}"
        left.remove(hit)
    errors_expected = any(m.get("severity") != "warning" for m in case["messages"])
    for g in left:
        assert g["line"] == 0 and errors_expected, f"unexpected message {g}"


def case_param(c):
    marks = [pytest.mark.xfail(reason=c["known_bug"], strict=True)] if c["known_bug"] else []
    return pytest.param(c, id=c["name"], marks=marks)


@pytest.mark.parametrize("case", [case_param(c) for c in CASES])
def test_verify_case(porterctl, tmp_path, case):
    units, text = run_verify(porterctl, case, tmp_path, json_output=False)
    output = text.stdout + text.stderr
    messages, stray = parse_messages(output, units)
    assert text.returncode == case["exit"], f"exit {text.returncode}, output:\n{output}"
    assert not stray, f"lines not in PATH:LINE: severity: TEXT form: {stray}"
    check_messages(case, messages)

    _, js = run_verify(porterctl, case, tmp_path / "json", json_output=True)
    assert js.returncode == case["exit"], js.stderr
    objects = json.loads(js.stdout)
    assert isinstance(objects, list) and objects, js.stdout
    for o in objects:
        assert {"unit", "path", "loaded", "warnings"} <= set(o), o
        for w in o["warnings"]:
            assert {"line", "severity", "message"} <= set(w), w
    name = os.path.basename(case["verify"][0])
    first = next((o for o in objects if o["unit"] == name), objects[0])
    assert first["loaded"] == case["loads"], first
    n_json = sum(len(o["warnings"]) for o in objects)
    assert n_json == len(messages), f"--json has {n_json} messages, text mode {len(messages)}"

    ref = REFERENCE[case["name"]]
    if case["compare"] in ("lines", "quiet"):
        assert (text.returncode == 0) == (not ref["messages"]), \
            f"porter exit {text.returncode} but systemd 252 printed {ref['messages']}"
    if case["compare"] in ("lines", "verdict"):
        assert first["loaded"] == ref["loads"], f"systemd 252 loads={ref['loads']}"
    if case["compare"] == "lines":
        ours = {(m["file"], m["line"]) for m in messages if m["line"]}
        theirs = {(m["file"], m["line"]) for m in ref["messages"] if m["line"]}
        assert ours == theirs, f"lines with messages: porter {ours}, systemd 252 {theirs}"
