#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check that man/porter.socket.5.scd lists every [Socket] directive of
src/shared/unit-directives.gperf with the right status.

  man/check-socket-page.py     exit 1 and name each problem

- every Socket.* row appears on the page as *Key=*;
- a row parsed by config_parse_unsupported is documented as *ignored*: in a
  definition entry whose text says "Status: *ignored*", or in the list that
  follows "Status of all other context settings";
- an implemented row is never documented as ignored.
"""
import pathlib
import re
import sys

TOP = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tools"))
import directive_table  # noqa: E402

PAGE = TOP / "man" / "porter.socket.5.scd"


def entries(text):
    """Yield (keys, body) for each definition entry and list paragraph."""
    ignored_list = False
    block = []
    for line in text.splitlines() + [""]:
        if line.startswith("# "):
            ignored_list = False
        if "Status of all other context settings" in line:
            ignored_list = True
        if line.strip() == "" or (line.startswith("*") and block and not block[-1].startswith("\t")
                                  and not block[0].startswith("*")):
            if block:
                body = "\n".join(block)
                keys = set(re.findall(r"\*([A-Za-z0-9]+)=\*", body))
                yield keys, body, ignored_list
            block = []
            continue
        block.append(line)


def main():
    rows = [d for d in directive_table.read_table() if d.section == "Socket"]
    text = PAGE.read_text()
    status = {}
    for keys, body, in_ignored_list in entries(text):
        ignored = in_ignored_list or "Status: *ignored*" in body
        for k in keys:
            status.setdefault(k, set()).add(ignored)
    problems = []
    for d in rows:
        if d.key not in status:
            problems.append(f"{d.key}= is not on the page")
        elif not d.supported and True not in status[d.key]:
            problems.append(f"{d.key}= is ignored by porter but not documented as ignored")
        elif d.supported and True in status[d.key]:
            problems.append(f"{d.key}= is implemented but documented as ignored")
    for p in problems:
        print(f"{PAGE.relative_to(TOP)}: {p}", file=sys.stderr)
    print(f"{len(rows)} [Socket] directives checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
