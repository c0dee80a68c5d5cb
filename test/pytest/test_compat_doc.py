# SPDX-License-Identifier: MIT
"""docs/COMPATIBILITY.md's generated tables match their sources: the
directive table src/shared/unit-directives.gperf and the differences listed
in test/verify-cases/cases.toml.  Regenerate with tools/gen-compat.py."""
import importlib.util
import re

from conftest import SOURCE_DIR


def load_gen_compat():
    spec = importlib.util.spec_from_file_location("gen_compat", SOURCE_DIR / "tools" / "gen-compat.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_compat_doc_is_current():
    gen = load_gen_compat()
    text = gen.DOC.read_text()
    assert gen.render(text) == text, "docs/COMPATIBILITY.md drifted: run tools/gen-compat.py"


def test_every_directive_listed_once_per_section():
    gen = load_gen_compat()
    rows = gen.directive_table.read_table()
    text = gen.DOC.read_text()
    table = text[text.index("<!-- directives:begin -->"):text.index("<!-- directives:end -->")]
    listed = []
    section = None
    for line in table.splitlines():
        m = re.match(r"^### \[(\w+)\]", line)
        if m:
            section = m.group(1)
        m = re.match(r"^\| `([A-Za-z0-9]+)=` \| (implemented|parsed, ignored with a warning) \|", line)
        if m:
            listed.append((section, m.group(1), m.group(2) == "implemented"))
    assert sorted(listed) == sorted((r.section, r.key, r.supported) for r in rows)
    # The table must describe porter's real state: both kinds exist.
    assert any(r.supported for r in rows) and any(not r.supported for r in rows)
