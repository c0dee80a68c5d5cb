#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Regenerate the generated parts of docs/COMPATIBILITY.md.

  tools/gen-compat.py          rewrite the doc in place
  tools/gen-compat.py --check  exit 1 (and say so) if the doc is out of date

Two parts are generated, each between a pair of marker comments:

  <!-- directives:begin --> ... <!-- directives:end -->
      one table row per row of src/shared/unit-directives.gperf, grouped by
      section, with its status: "implemented", or "parsed, ignored with a
      warning" for rows using config_parse_unsupported.
  <!-- differences:begin --> ... <!-- differences:end -->
      every case of the verify corpus (test/verify-cases/cases.toml) that
      carries a `difference`: where porter deliberately differs from
      systemd 252's `systemd-analyze verify`.

Everything outside the markers is written by hand.
test/pytest/test_compat_doc.py fails when either part drifts.
"""
import pathlib
import sys

TOP = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tools"))
sys.path.insert(0, str(TOP / "test" / "verify-cases"))
import directive_table  # noqa: E402
import verifycases  # noqa: E402

DOC = TOP / "docs" / "COMPATIBILITY.md"
SECTION_ORDER = ["Unit", "Socket", "Service", "Install"]


def render_directives(rows):
    out = []
    for section in SECTION_ORDER + sorted({r.section for r in rows} - set(SECTION_ORDER)):
        mine = [r for r in rows if r.section == section]
        if not mine:
            continue
        n_ok = sum(1 for r in mine if r.supported)
        out.append(f"### [{section}] — {len(mine)} directives, {n_ok} implemented, "
                   f"{len(mine) - n_ok} parsed and ignored\n")
        out.append("| Directive | Status | Parser |")
        out.append("|---|---|---|")
        for r in mine:
            status = "implemented" if r.supported else "parsed, ignored with a warning"
            out.append(f"| `{r.key}=` | {status} | `{r.parser}` |")
        out.append("")
    total = len(rows)
    ok = sum(1 for r in rows if r.supported)
    head = (f"{total} rows in `src/shared/unit-directives.gperf`: {ok} implemented, "
            f"{total - ok} parsed and ignored with a warning.\n")
    return head + "\n" + "\n".join(out).rstrip("\n") + "\n"


def render_differences(cases):
    out = ["| Case | What porter does | Why it differs from systemd 252 |", "|---|---|---|"]
    for c in cases:
        if not c["difference"]:
            continue
        verdict = "loads" if c["loads"] else "refuses the unit"
        verdict += ", silent" if c["exit"] == 0 else ", with messages"
        diff = c["difference"].replace("|", "\\|")
        out.append(f"| `{c['name']}` | {verdict} | {diff} |")
    return "\n".join(out) + "\n"


def replace_between(text, name, body):
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    a, b = text.find(begin), text.find(end)
    if a < 0 or b < a:
        raise SystemExit(f"{DOC}: markers {begin} / {end} missing")
    return text[:a + len(begin)] + "\n" + body + text[b:]


def render(text):
    """The doc TEXT with both generated parts brought up to date."""
    text = replace_between(text, "directives", render_directives(directive_table.read_table()))
    return replace_between(text, "differences", render_differences(verifycases.load_cases()))


def main(argv):
    old = DOC.read_text()
    new = render(old)
    if argv[:1] == ["--check"]:
        if new != old:
            print(f"{DOC} is out of date: run tools/gen-compat.py", file=sys.stderr)
            return 1
        return 0
    if new != old:
        DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
