# SPDX-License-Identifier: MIT
"""The malformed-input corpus itself: the manifest, the case directories and
the stored systemd 252 reference agree with each other.  Needs no porter
program; test_verify_cases.py runs porterctl over the same cases."""
import importlib.util
import json
import shutil
import subprocess
import sys

import pytest

from conftest import SOURCE_DIR

sys.path.insert(0, str(SOURCE_DIR / "test" / "verify-cases"))
import verifycases  # noqa: E402

CASES = verifycases.load_cases()
REFERENCE = json.loads(verifycases.REFERENCE.read_text())


def test_corpus_size_and_directories():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    assert len(CASES) >= 70
    dirs = {p.name for p in verifycases.CASES_DIR.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert dirs == set(names), f"dirs without case: {dirs - set(names)}, cases without dir: {set(names) - dirs}"
    for c in CASES:
        files = verifycases.case_file_names(c)
        for v in c["verify"]:
            assert v in files, f"{c['name']}: verified file {v} missing"
        for m in c["messages"]:
            assert m["line"] == 0 or m["file"] in files, f"{c['name']}: message names unknown file {m['file']}"
        if c["known_bug"]:
            assert c["compare"] != "no" or c["difference"], c["name"]
        if c["exit"] == 0:
            assert c["loads"] and not c["messages"], f"{c['name']}: exit 0 with messages or not loaded"
        else:
            assert c["messages"], f"{c['name']}: exit 1 but no expected message"


def test_reference_covers_every_case():
    assert REFERENCE["systemd"] == "252"
    assert set(REFERENCE["cases"]) == {c["name"] for c in CASES}, \
        "run tools/systemd-verify-reference.py"


@pytest.mark.parametrize("case", [c for c in CASES if c["compare"] != "no"],
                         ids=[c["name"] for c in CASES if c["compare"] != "no"])
def test_expectation_agrees_with_systemd(case):
    """What the manifest expects of porter is what systemd 252 did, for every
    case not listed as a deliberate difference."""
    ref = REFERENCE["cases"][case["name"]]
    assert (case["exit"] == 0) == (not ref["messages"]), ref["messages"]
    if case["compare"] in ("lines", "verdict"):
        assert case["loads"] == ref["loads"], ref["messages"]
    if case["compare"] == "lines":
        ours = {(m["file"], m["line"]) for m in case["messages"] if m["line"]}
        theirs = {(m["file"], m["line"]) for m in ref["messages"] if m["line"]}
        assert ours == theirs, ref["messages"]


def test_reference_is_current():
    """A sample of the stored reference is what this machine's systemd-analyze
    prints (every 8th case, to stay fast; `tools/systemd-verify-reference.py
    --check` compares all of them)."""
    exe = shutil.which("systemd-analyze")
    if not exe:
        pytest.skip("systemd-analyze not installed")
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.split()
    if len(version) < 2 or version[1] != "252":
        pytest.skip(f"reference is for systemd 252, this is {' '.join(version[:2])}")
    spec = importlib.util.spec_from_file_location(
        "systemd_verify_reference", SOURCE_DIR / "tools" / "systemd-verify-reference.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for case in CASES[::8]:
        assert tool.run_case(case) == REFERENCE["cases"][case["name"]], \
            f"{case['name']}: stored reference is stale; run tools/systemd-verify-reference.py"
