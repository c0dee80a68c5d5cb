#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check that a man page lists every directive of one section of
src/shared/unit-directives.gperf with the right status.

  man/check-directive-page.py PAGE SECTION    exit 1 and name each problem
  man/check-directive-page.py man/porter.socket.5.scd Socket
  man/check-directive-page.py man/porter.service.5.scd Service

The page is read as scdoc: blocks separated by blank lines; a block whose
first line is followed by tab-indented lines is a definition entry (term and
body), any other block a paragraph.  A directive counts as documented where
its *Key=* appears in the term of an entry, in a paragraph that starts with a
*Key=* (a list of keys), or anywhere in the ignored list: the paragraphs after
a line saying "Status of all other ..." up to the next "# " heading.  A mere
mention in the body of another entry does not count.

- every SECTION.* row is documented;
- a row parsed by config_parse_unsupported is documented as *ignored*: in an
  entry whose body says "Status: *ignored*", or in the ignored list;
- an implemented row is nowhere documented as ignored.
"""
import pathlib
import re
import sys

TOP = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tools"))
import directive_table  # noqa: E402

IGNORED_LIST_MARKER = "Status of all other"
KEY = re.compile(r"\*([A-Za-z0-9]+)=\*")


def blocks(text):
    """Yield (lines, in_ignored_list) for each block between blank lines."""
    ignored_list = False
    block = []
    for line in text.splitlines() + [""]:
        if line.startswith("# "):
            ignored_list = False
        if IGNORED_LIST_MARKER in line:
            ignored_list = True
        if line.strip():
            block.append(line)
            continue
        if block:
            yield block, ignored_list
        block = []


def documentation(text):
    """Yield (keys documented, ignored?) for each place that documents keys."""
    for lines, in_ignored_list in blocks(text):
        # Entries may follow each other (or a paragraph) without a blank
        # line: a non-indented line followed by an indented one is a term.
        i = 0
        while i < len(lines):
            if lines[i].startswith("\t"):
                i += 1
                continue
            j = i + 1
            while j < len(lines) and lines[j].startswith("\t"):
                j += 1
            if j > i + 1:       # term lines[i], body lines[i+1:j]
                body = "\n".join(lines[i + 1:j])
                ignored = in_ignored_list or "Status: *ignored*" in body
                yield set(KEY.findall(lines[i])), ignored
                # Mentions in the body only matter when they say "ignored".
                if ignored:
                    yield set(KEY.findall(body)), True
                i = j
                continue
            # A paragraph: up to the next term or the end of the block.
            k = i
            while k + 1 < len(lines) and not lines[k + 1].startswith("\t") and not (
                    k + 2 < len(lines) and lines[k + 2].startswith("\t")):
                k += 1
            para = "\n".join(lines[i:k + 1])
            if in_ignored_list or KEY.match(para):
                yield set(KEY.findall(para)), in_ignored_list
            i = k + 1


def check(page, section, table=None):
    """The problems of page (a path) for section, as strings."""
    rows = [d for d in (table or directive_table.read_table()) if d.section == section]
    if not rows:
        return [f"no [{section}] rows in the directive table"]
    status = {}
    for keys, ignored in documentation(pathlib.Path(page).read_text()):
        for k in keys:
            status.setdefault(k, set()).add(ignored)
    problems = []
    for d in rows:
        if d.key not in status:
            problems.append(f"{d.key}= is not documented on the page")
        elif not d.supported and True not in status[d.key]:
            problems.append(f"{d.key}= is ignored by porter but not documented as ignored")
        elif d.supported and True in status[d.key]:
            problems.append(f"{d.key}= is implemented but documented as ignored")
    return problems


def main(argv):
    if len(argv) != 3:
        print(f"usage: {argv[0]} PAGE SECTION", file=sys.stderr)
        return 2
    page, section = pathlib.Path(argv[1]).resolve(), argv[2]
    problems = check(page, section)
    for p in problems:
        print(f"{page.name}: {p}", file=sys.stderr)
    n = sum(1 for d in directive_table.read_table() if d.section == section)
    print(f"{page.name}: {n} [{section}] directives checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
