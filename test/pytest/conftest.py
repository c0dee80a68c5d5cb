# Shared fixtures for porter's pytest scenarios.
#
# The programs under test come from PORTER_BUILD_DIR (set by tools/test.sh and
# by meson test); every test writes its units and runtime state into its own
# temporary directory.
import os
import pathlib
import subprocess

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("PORTER_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
BUILD_DIR = pathlib.Path(os.environ.get("PORTER_BUILD_DIR", SOURCE_DIR / "build"))

PROGRAMS = {
    "porterctl": "src/porterctl/porterctl",
    "porter-activate": "src/activate/porter-activate",
    "porterd": "src/porterd/porterd",
}


def program(name):
    """Path of a built porter program; skips the test if it was not built."""
    path = BUILD_DIR / PROGRAMS[name]
    if not path.exists():
        pytest.skip(f"{name} not built at {path}")
    return str(path)


@pytest.fixture
def porterctl():
    """Run porterctl with arguments; returns CompletedProcess (text mode)."""
    exe = program("porterctl")

    def run(*args, env=None, timeout=30, **kw):
        e = dict(os.environ)
        if env:
            e.update(env)
        return subprocess.run([exe, *args], capture_output=True, text=True,
                              env=e, timeout=timeout, **kw)
    return run


@pytest.fixture
def unit_dir(tmp_path):
    """A fresh directory for unit files; write_unit(name, text) fills it."""
    d = tmp_path / "units"
    d.mkdir()
    return d


def write_unit(directory, name, text, mode="w"):
    p = pathlib.Path(directory) / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p
