"""Every dip: term the code or the public vocabulary uses is declared in ontology/dipkg.ttl."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from dipkg.graph import rdf as rdf_module
from dipkg.graph.namespace import DIP, DIP_IRI, declared_terms
from dipkg.graph.registry import TABLES

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = Path(__file__).resolve().parent / "data" / "VOCABULARY.md"


def _dip_terms_in_code(path: Path) -> set[str]:
    """``DIP.<name>`` and ``DIP["<name>"]`` in code (tokens, so docstrings and comments don't count)."""
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT,
                                tokenize.DEDENT)]
    found = set()
    for i, tok in enumerate(tokens[:-2]):
        if tok.type != tokenize.NAME or tok.string != "DIP":
            continue
        nxt, arg = tokens[i + 1], tokens[i + 2]
        if nxt.string == "." and arg.type == tokenize.NAME:
            found.add(arg.string)
        elif nxt.string == "[" and arg.type == tokenize.STRING and tokens[i + 3].string == "]":
            found.add(arg.string.strip("\"'"))
    return found


def _python_files() -> list[Path]:
    return sorted(p for folder in ("graph", "server") for p in (ROOT / folder).rglob("*.py"))


def test_the_scanner_sees_both_spellings(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""DIP.Docstring"""\nx = DIP.Meeting  # DIP.Comment\ny = DIP["participant"]\n'
                      'z = DIP[name]\n', encoding="utf-8")
    assert _dip_terms_in_code(sample) == {"Meeting", "participant"}


def test_every_dip_term_in_the_code_is_declared() -> None:
    used: dict[str, list[str]] = {}
    for path in _python_files():
        for term in _dip_terms_in_code(path):
            used.setdefault(term, []).append(str(path.relative_to(ROOT)))
    assert len(used) > 20  # the scan found the code's terms
    undeclared = {t: files for t, files in used.items() if t not in declared_terms()}
    assert undeclared == {}


def test_terms_the_code_looks_up_by_value_are_declared() -> None:
    """The DIP[...] look-ups with computed names: statuses, kinds, entity classes, references."""
    names = set(rdf_module._STATUS.values()) | set(rdf_module._KIND.values())
    names |= set(TABLES.values()) | {"HistoricalState", "StateGroup", "Leader"}
    names |= {prop for _, prop, _ in rdf_module._REFERENCES}
    names |= {"claimedBy", "controlledBy", "memberOf"}  # TerritoryStatement.predicate values
    assert sorted(names - declared_terms()) == []


def test_every_dip_term_of_the_public_vocabulary_is_declared() -> None:
    text = VOCABULARY.read_text(encoding="utf-8")
    terms = set(re.findall(r"\bdip:([A-Za-z_][A-Za-z0-9_]*)", text))
    assert {"Meeting", "participant", "claimedBy", "usedBy", "fileName"} <= terms
    assert sorted(terms - declared_terms()) == []


def test_an_undeclared_term_fails_at_once() -> None:
    with pytest.raises(AttributeError, match="not declared"):
        _ = DIP.NoSuchTerm
    assert str(DIP.Meeting) == DIP_IRI + "Meeting"
    assert DIP["participant"] == DIP.participant
