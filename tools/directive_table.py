# SPDX-License-Identifier: MIT
"""Read porter's directive table, src/shared/unit-directives.gperf.

The table's keyword section (between the two "%%" lines) has one row per
directive, "Section.Key, parser, ltype, offset", where offset may itself hold
a comma (offsetof(UnitConfig, field)); lines starting with '#' are comments.
A row whose parser is config_parse_unsupported is parsed and ignored with a
warning.  Used by tools/gen-compat.py, tools/gen-fuzz-seeds.py and the tests.
"""
import pathlib
from dataclasses import dataclass

TOP = pathlib.Path(__file__).resolve().parents[1]
GPERF = TOP / "src" / "shared" / "unit-directives.gperf"
UNSUPPORTED = "config_parse_unsupported"


@dataclass(frozen=True)
class Directive:
    section: str
    key: str
    parser: str
    ltype: str
    offset: str
    line: int

    @property
    def supported(self):
        return self.parser != UNSUPPORTED


def read_table(path=GPERF):
    """Every row of the table, in file order."""
    rows = []
    in_keywords = False
    for n, raw in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        if raw.strip() == "%%":
            if in_keywords:
                break
            in_keywords = True
            continue
        if not in_keywords or not raw.strip() or raw.startswith("#"):
            continue
        fields = [f.strip() for f in raw.split(",", 3)]
        if len(fields) != 4 or "." not in fields[0]:
            raise ValueError(f"{path}:{n}: not 'Section.Key, parser, ltype, offset': {raw!r}")
        section, key = fields[0].split(".", 1)
        rows.append(Directive(section, key, fields[1], fields[2], fields[3], n))
    if not rows:
        raise ValueError(f"{path}: no directive rows")
    return rows


def unsupported_keys(rows):
    """Keys porter parses and ignores, as a set of (section, key)."""
    return {(d.section, d.key) for d in rows if not d.supported}
