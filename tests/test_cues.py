"""Cue tables: parsed as data, selected by column, turned into whole-word alternations."""

from __future__ import annotations

import re

import pytest

from dipkg.graph.cues import parse_table
from dipkg.graph.errors import InputError

TABLE = "# how a status is said\ncue\tstatus\tnote\nwill hold\tplanned\tfuture\nheld\theld\n\nhold\tplanned\n"


def test_rows_are_read_with_missing_cells_empty() -> None:
    table = parse_table("status", TABLE, "status.tsv")
    assert table.columns == ("cue", "status", "note")
    assert table.rows[1] == {"cue": "held", "status": "held", "note": ""}


def test_cues_are_selected_longest_first() -> None:
    table = parse_table("status", TABLE, "status.tsv")
    assert table.cues(status="planned") == ("will hold", "hold")
    assert table.mapping("status")["will hold"] == "planned"


def test_pattern_matches_across_line_breaks() -> None:
    table = parse_table("status", TABLE, "status.tsv")
    assert re.search(table.pattern(status="planned"), "they will\n hold talks")
    assert re.fullmatch(parse_table("x", "cue\n", "x.tsv").pattern(), "") is None


@pytest.mark.parametrize("text", ["", "# only a comment\n", "cue\tstatus\n\tplanned\n", "cue\ta\nx\ty\tz\n"])
def test_malformed_tables_are_one_line_errors(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_table("bad", text, "bad.tsv")
    assert "bad.tsv" in str(err.value) and "\n" not in str(err.value)
