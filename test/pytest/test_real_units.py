# SPDX-License-Identifier: MIT
"""porter loads the socket units Debian 12 ships, as systemd 252 does.

tools/fetch-real-units.sh downloads about fifty Debian 12 packages that ship
.socket units (openssh-server, cups, dbus, docker.io, libvirt, systemd,
gpg-agent, pipewire, ...) into a cache directory and extracts their unit
directories.  Then, for every *.socket file there (system and user units,
templates included), both tools verify it with the same view:

  systemd-analyze [--user] verify --man=no FILE   with SYSTEMD_UNIT_PATH
  porterctl verify [--user] FILE                  with PORTER_UNIT_PATH

both set to exactly the extracted directories (no trailing ':', so the
machine's own units are not searched), and XDG_RUNTIME_DIR to a fresh
directory.  The packages are not installed, so messages about missing
executables ("is not executable") are dropped from both outputs.

How the outputs are compared: porter must load every unit systemd loads, and
every message porter prints must have a counterpart in systemd's output: a
message tied to FILE:LINE needs a systemd message on the same file and line;
a message about the unit as a whole needs a systemd message about the unit
as a whole.  The one exception is porter's "KEY= is not supported by porter,
ignoring", accepted only when KEY is a config_parse_unsupported row of
src/shared/unit-directives.gperf: those are porter's documented omissions
(docs/COMPATIBILITY.md), not disagreements about the file.

The test skips, saying why, only when the download fails (no network to
Debian's mirrors) or systemd-analyze is missing.
"""
import concurrent.futures
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

from conftest import SOURCE_DIR, program

sys.path.insert(0, str(SOURCE_DIR / "tools"))
import directive_table  # noqa: E402

CACHE = pathlib.Path(os.environ.get("PORTER_UNITS_CACHE", "/var/cache/porter-units"))
SYSTEM_DIRS = ["lib/systemd/system", "usr/lib/systemd/system"]
USER_DIRS = ["usr/lib/systemd/user", "lib/systemd/user"]
FETCH_TIMEOUT = 300

SD_LINE_RE = re.compile(r"^(?P<path>/.+?):(?P<line>\d+): (?P<text>.*)$")
PORTER_RE = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+))?: (?P<severity>warning|error): (?P<text>.*)$")
UNSUPPORTED_RE = re.compile(r"^(?P<key>[A-Za-z0-9]+)= is not supported by porter, ignoring$")
IGNORED = ("is not executable",)


@pytest.fixture(scope="module")
def units_root():
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze (the reference) is not installed")
    script = SOURCE_DIR / "tools" / "fetch-real-units.sh"
    try:
        r = subprocess.run([str(script), str(CACHE)], capture_output=True, text=True,
                           timeout=FETCH_TIMEOUT + 30, env=dict(os.environ, FETCH_TIMEOUT=str(FETCH_TIMEOUT)))
    except subprocess.TimeoutExpired:
        pytest.skip(f"fetching Debian packages took over {FETCH_TIMEOUT} s")
    if r.returncode != 0:
        pytest.skip(f"could not fetch Debian packages: {r.stderr.strip()[-300:]}")
    return CACHE / "root"


def socket_files(root, dirs):
    files = []
    for d in dirs:
        p = root / d
        if p.is_dir():
            files += sorted(f for f in p.glob("*.socket") if f.is_file() and not f.is_symlink())
    return files


def run_systemd(path, search, user, runtime):
    env = dict(os.environ, SYSTEMD_UNIT_PATH=search, XDG_RUNTIME_DIR=str(runtime),
               SYSTEMD_LOG_COLOR="0", LC_ALL="C.UTF-8")
    cmd = ["systemd-analyze"] + (["--user"] if user else []) + ["verify", "--man=no", str(path)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=30)
    out = []
    for raw in (r.stderr + r.stdout).splitlines():
        if not raw.strip() or any(s in raw for s in IGNORED):
            continue
        m = SD_LINE_RE.match(raw)
        out.append((m.group("path"), int(m.group("line")), m.group("text")) if m else (None, 0, raw))
    # Only messages about this unit decide whether it loads; a dependency
    # that fails (its service, say) is reported but does not count here.
    loads = not any(path.name in t and s in t.lower() for f, _, t in out if not f
                    for s in ("bad unit file setting", "failed to load properly", "is masked",
                              "fatal error"))
    return loads, out


def run_porter(exe, path, search, user, runtime):
    env = dict(os.environ, PORTER_UNIT_PATH=search, XDG_RUNTIME_DIR=str(runtime), LC_ALL="C.UTF-8")
    cmd = [exe, "verify"] + (["--user"] if user else []) + [str(path)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=30)
    out, stray = [], []
    for raw in (r.stdout + r.stderr).splitlines():
        if not raw.strip() or any(s in raw for s in IGNORED):
            continue
        m = PORTER_RE.match(raw)
        if not m:
            stray.append(raw)
            continue
        out.append((m.group("path"), int(m.group("line") or 0), m.group("severity"), m.group("text")))
    cmd_json = [exe, "verify", "--json"] + (["--user"] if user else []) + [str(path)]
    rj = subprocess.run(cmd_json, capture_output=True, text=True, env=env, timeout=30)
    try:
        objects = json.loads(rj.stdout)
    except ValueError:
        stray.append(f"--json printed no JSON (exit {rj.returncode}): {rj.stderr.strip()[:200]}")
        objects = []
    me = next((o for o in objects if o.get("unit") == path.name), objects[0] if objects else {})
    return me.get("loaded", False), out, stray


def compare_one(exe, unsupported, root, path, dirs, user, tmp):
    search = ":".join(str(root / d) for d in dirs)
    # %t paths must fit in sun_path: keep the runtime directory short.
    runtime = pathlib.Path(tempfile.mkdtemp(prefix="prt-", dir="/tmp"))
    try:
        return compare_in(exe, unsupported, root, path, search, user, runtime)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def compare_in(exe, unsupported, root, path, search, user, runtime):
    sd_loads, sd_out = run_systemd(path, search, user, runtime)
    p_loads, p_out, stray = run_porter(exe, path, search, user, runtime)
    problems, excused = [], 0
    if stray:
        problems.append(f"lines not in PATH:LINE: severity: TEXT form: {stray}")
    if sd_loads and not p_loads:
        problems.append("systemd 252 loads it, porter does not")
    sd_lines = {(os.path.realpath(f), line) for f, line, _ in sd_out if f}
    sd_unit_level = [t for f, _, t in sd_out if not f]
    for f, line, sev, text in p_out:
        m = UNSUPPORTED_RE.match(text)
        if m and any(k == m.group("key") for _, k in unsupported):
            excused += 1
            continue
        if line and (os.path.realpath(f), line) in sd_lines:
            continue
        if not line and sd_unit_level:
            continue
        problems.append(f"porter only: {f}:{line}: {sev}: {text}")
    return [f"{path.relative_to(root)}: {p}" for p in problems], sd_out, excused


@pytest.mark.parametrize("mode", ["system", "user"])
def test_real_socket_units(units_root, tmp_path, mode):
    exe = program("porterctl")
    dirs = SYSTEM_DIRS if mode == "system" else USER_DIRS
    files = socket_files(units_root, dirs)
    assert len(files) >= (40 if mode == "system" else 8), f"only {len(files)} {mode} socket units fetched"
    unsupported = directive_table.unsupported_keys(directive_table.read_table())
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        results = list(ex.map(lambda f: compare_one(exe, unsupported, units_root, f, dirs,
                                                     mode == "user", tmp_path), files))
    problems = [p for r, _, _ in results for p in r]
    for f, (_, sd, _) in zip(files, results):
        if sd:
            print(f"systemd 252 on {f.name}: {sd}")
    sd_noisy = sum(1 for _, sd, _ in results if sd)
    excused = sum(e for _, _, e in results)
    print(f"{len(files)} {mode} socket units; systemd 252 printed messages for {sd_noisy}; "
          f"{excused} 'not supported by porter' warnings excused; {len(problems)} porter-only messages")
    assert not problems, "\n".join(problems)
