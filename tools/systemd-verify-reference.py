#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Record what systemd's own `systemd-analyze verify` says about every case of
test/verify-cases, so that porter's verdicts can be compared with it.

  tools/systemd-verify-reference.py            rewrite test/verify-cases/systemd-252.json
  tools/systemd-verify-reference.py --check    exit 1 if the stored file is out of date
  tools/systemd-verify-reference.py -v NAME..  print systemd's raw output for some cases

How each case is run (found by trying systemd 252 on Debian 12):
  - the case's files are copied into a fresh temporary directory and the
    verified files are passed as ./NAME with that directory as the working
    directory; systemd-analyze then adds the directory to its unit search path,
    so the socket's service and drop-ins (NAME.d/) beside it are found.  A
    socket whose service is missing gets "service X not loaded, socket cannot be
    started" (exit 1).
  - `--man=no` so that Documentation= does not run man(1);
  - XDG_RUNTIME_DIR points into the temporary directory: `--user` refuses to
    start without it ("Failed to lookup RuntimeDirectory path").
  - systemd-analyze writes its messages to stderr and exits 1 after any of them.

Messages are stored with the temporary directory removed from paths:
  {"file": "t.socket" or null, "line": N or 0, "text": "..."}.
"loads" is false when systemd says the first verified unit has a bad
setting, failed to load, is masked, or its name could not be used (messages
about other units, such as its service, do not count).
"""
import concurrent.futures
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

TOP = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "test" / "verify-cases"))
import verifycases  # noqa: E402

NOT_LOADED = ("bad unit file setting", "failed to load properly", "is masked",
              "Failed to prepare filename", "Unit configuration has fatal error")
LINE_RE = re.compile(r"^(?P<path>/.+?):(?P<line>\d+): (?P<text>.*)$")


def systemd_version():
    out = subprocess.run(["systemd-analyze", "--version"], capture_output=True,
                         text=True, check=True).stdout
    return out.split()[1]


def parse_output(stderr, tmp):
    """Split systemd-analyze's stderr into message records."""
    messages = []
    prefix = str(tmp) + "/"
    for raw in stderr.splitlines():
        if not raw.strip():
            continue
        m = LINE_RE.match(raw)
        if m and m.group("path").startswith(prefix):
            messages.append({"file": m.group("path")[len(prefix):],
                             "line": int(m.group("line")),
                             "text": m.group("text").replace(prefix, "")})
        else:
            messages.append({"file": None, "line": 0, "text": raw.replace(prefix, "")})
    return messages


def run_case(case, timeout=20):
    """Run systemd-analyze verify on one case; returns its reference record."""
    with tempfile.TemporaryDirectory(prefix="porter-sdv-") as tmp:
        tmp = pathlib.Path(tmp).resolve()
        units = verifycases.materialize(case, tmp / "u")
        runtime = tmp / "runtime"
        runtime.mkdir(mode=0o700)
        env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), SYSTEMD_LOG_COLOR="0",
                   SYSTEMD_PAGER="cat", LC_ALL="C.UTF-8")
        cmd = ["systemd-analyze"]
        if case["user"]:
            cmd.append("--user")
        cmd += ["verify", "--man=no"] + ["./" + v for v in case["verify"]]
        p = subprocess.run(cmd, cwd=units, env=env, capture_output=True, timeout=timeout)
        stderr = p.stderr.decode("utf-8", "backslashreplace") + p.stdout.decode("utf-8", "backslashreplace")
        messages = parse_output(stderr, units)
        unit = case["verify"][0]
        loads = not any(unit in m["text"] and any(s.lower() in m["text"].lower() for s in NOT_LOADED)
                        for m in messages if not m["file"])
        return {"exit": p.returncode, "loads": loads, "messages": messages}


def build_reference(cases):
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        results = list(ex.map(run_case, cases))
    return {"systemd": systemd_version(),
            "cases": {c["name"]: r for c, r in zip(cases, results)}}


def main(argv):
    cases = verifycases.load_cases()
    if argv[:1] == ["-v"]:
        for c in cases:
            if c["name"] in argv[1:]:
                print(c["name"], json.dumps(run_case(c), indent=1))
        return 0
    ref = build_reference(cases)
    text = json.dumps(ref, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if argv[:1] == ["--check"]:
        old = verifycases.REFERENCE.read_text() if verifycases.REFERENCE.exists() else ""
        if old != text:
            print(f"{verifycases.REFERENCE} is out of date; run {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    verifycases.REFERENCE.write_text(text)
    print(f"wrote {verifycases.REFERENCE} ({len(cases)} cases, systemd {ref['systemd']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
