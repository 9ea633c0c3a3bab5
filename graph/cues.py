"""Cue tables: the words English news uses to state a fact, kept as data a team can extend.

Each table is a tab-separated file ``ontology/cues/<name>.tsv`` with a header row naming its
columns; the first column is the cue (a word or phrase, matched case-insensitively unless a
rule says otherwise), the others say what the cue means to the rule that reads it (a status,
a kind, a role …), and a ``note`` column, where present, says why the row is there.  Lines
starting with ``#`` and blank lines are skipped.  Keeping cues out of rule code means that a
new phrasing is a new row, reviewed as data, never a new regular expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dipkg.graph.errors import InputError
from dipkg.graph.resources import ontology_dir


@dataclass(frozen=True)
class CueTable:
    """The rows of one table, each a mapping from column name to value."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    def cues(self, **where: str) -> tuple[str, ...]:
        """The cues (first column) of the rows whose columns equal ``where``, longest first.

        Longest first so that an alternation built from them prefers "on the margins of"
        over "margins".
        """
        key = self.columns[0]
        found = {row[key] for row in self.rows if all(row.get(c) == v for c, v in where.items())}
        return tuple(sorted(found, key=lambda cue: (-len(cue), cue)))

    def mapping(self, column: str) -> dict[str, str]:
        """Cue (lower-cased) -> the value of ``column`` in its row."""
        key = self.columns[0]
        return {row[key].lower(): row[column] for row in self.rows}

    def pattern(self, **where: str) -> str:
        """A regular-expression alternation of the selected cues, words matched whole.

        Spaces in a cue match any run of whitespace (articles are often hard-wrapped).
        """
        parts = [r"\s+".join(re.escape(word) for word in cue.split()) for cue in self.cues(**where)]
        return r"(?:" + "|".join(parts) + r")" if parts else r"(?!)"


def table_path(name: str) -> Path:
    return ontology_dir() / "cues" / f"{name}.tsv"


def parse_table(name: str, text: str, source: str) -> CueTable:
    """Parse one table's text; a malformed row is a one-line error naming file and line."""
    columns: tuple[str, ...] | None = None
    rows: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = tuple(cell.strip() for cell in line.split("\t"))
        if columns is None:
            if not cells[0]:
                raise InputError(f"{source}:{number}", "the header's first column must name the cue")
            columns = cells
            continue
        if len(cells) > len(columns) or not cells[0]:
            raise InputError(f"{source}:{number}", f"expected at most {len(columns)} tab-separated "
                             f"columns ({', '.join(columns)}) with a cue first, got {len(cells)}")
        rows.append(dict(zip(columns, cells + ("",) * (len(columns) - len(cells)), strict=True)))
    if columns is None:
        raise InputError(source, "empty cue table (a header row naming the columns is required)")
    return CueTable(name, columns, tuple(rows))


@cache
def load(name: str) -> CueTable:
    """The table ``ontology/cues/<name>.tsv``, read once per process."""
    path = table_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(path, f"cannot read cue table: {err.strerror or err}") from None
    return parse_table(name, text, str(path))
