# SPDX-License-Identifier: MIT
"""Shared reader for the malformed-input corpus in test/verify-cases.

cases.toml holds one [[case]] table per case; the unit files of case NAME
live in the directory NAME/ next to it.  Fields of a case:

  name        directory name, also the test id
  about       one sentence: what the case checks
  verify      files to pass to the verifier (default ["t.socket"])
  user        true: verify in user mode (--user)
  exit        expected exit status of `porterctl verify` (0 or 1)
  loads       expected "loaded" of the first verified unit in --json output
  messages    expected diagnostics, every one must be printed and nothing
              else: {file (default: the first verified file), line (0 = not
              tied to a line), severity ("warning" | "error"; absent = either), text (list of
              fragments that must all occur, case-insensitively)}
  compare     how porter's verdict is compared with systemd-analyze verify
              (systemd 252, reference stored in systemd-252.json).  systemd
              252 exits 0 after mere parse warnings and 1 only when a unit
              fails, so its exit status is not compared as such:
                "lines"  same load verdict, the same set of (file, line) pairs
                         carrying a message, and porter silent (exit 0)
                         exactly when systemd prints nothing
                "verdict" same load verdict, and porter silent exactly when
                         systemd prints nothing (for cases where porter names a
                         line that systemd leaves out)
                "quiet"  porter silent exactly when systemd prints nothing
                "no"     not compared; `difference` says why
  difference  why porter deliberately differs from systemd 252 (listed in
              docs/COMPATIBILITY.md)
  known_bug   porter does not do this yet: the porterctl test is an expected
              failure (strict, so it fails once porter is fixed and the
              field must go); the expectation is still checked against
              systemd.  Every known_bug is a to-do, not a decision.
  generate    for files too large for git: {file, head, fill, count, tail};
              the file is head + fill*count + tail

This module has no test of its own; tools/systemd-verify-reference.py,
test/pytest/test_verify_cases.py and tools/gen-fuzz-seeds.py import it.
"""
import os
import pathlib
import shutil
import tomllib

CASES_DIR = pathlib.Path(__file__).resolve().parent
MANIFEST = CASES_DIR / "cases.toml"
REFERENCE = CASES_DIR / "systemd-252.json"


def load_cases():
    """All cases of cases.toml, in file order, with defaults filled in."""
    with open(MANIFEST, "rb") as f:
        cases = tomllib.load(f)["case"]
    for c in cases:
        c.setdefault("verify", ["t.socket"])
        c.setdefault("user", False)
        c.setdefault("messages", [])
        c.setdefault("difference", "")
        c.setdefault("known_bug", "")
        for m in c["messages"]:
            m.setdefault("file", c["verify"][0])
        if c["compare"] not in ("lines", "verdict", "quiet", "no"):
            raise ValueError(f"{c['name']}: compare must be lines, verdict, quiet or no")
        if c["compare"] == "no" and not c["difference"]:
            raise ValueError(f"{c['name']}: compare = \"no\" needs a difference")
    return cases


def materialize(case, dest):
    """Copy the files of CASE into directory DEST (created), generating the
    large ones; symlinks are copied as symlinks.  Returns DEST as a Path."""
    dest = pathlib.Path(dest)
    src = CASES_DIR / case["name"]
    shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".generated"))
    g = case.get("generate")
    if g:
        data = g["head"] + g["fill"] * g["count"] + g["tail"]
        (dest / g["file"]).write_bytes(data.encode())
    return dest


def case_file_names(case):
    """Relative names of every file of CASE, generated ones included."""
    src = CASES_DIR / case["name"]
    names = set()
    for root, _dirs, files in os.walk(src):
        for f in files:
            if f != ".generated":
                names.add(os.path.relpath(os.path.join(root, f), src))
    if case.get("generate"):
        names.add(case["generate"]["file"])
    return sorted(names)
