# SPDX-License-Identifier: MIT
"""The fuzz-unit-file seed corpus is what tools/gen-fuzz-seeds.py makes from
the directive table and the verify corpus: a new directive or case gets a
seed.  Regenerate with tools/gen-fuzz-seeds.py."""
import subprocess
import sys

from conftest import SOURCE_DIR


def test_unit_file_seeds_current():
    r = subprocess.run([sys.executable, str(SOURCE_DIR / "tools" / "gen-fuzz-seeds.py"), "--check"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
