"""The entity registry (ontology/entities.toml): links, references, aliases."""

from __future__ import annotations

import dataclasses
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from graph.errors import InputError
from graph.registry import Entity, Registry, load_registry, local_name

ROOT = Path(__file__).resolve().parent.parent
ENTITIES = ROOT / "ontology" / "entities.toml"
REFERENCES = ("capital", "citizen_of", "affiliation", "government_of", "state", "located_in", "part_of")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def raw() -> dict[str, list[dict[str, object]]]:
    return tomllib.loads(ENTITIES.read_text(encoding="utf-8"))


def _checked_qids() -> dict[str, str]:
    rows = (ROOT / "ontology" / "wikidata-ids.tsv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split("\t")
    return {c["qid"]: c["kind"] for c in (dict(zip(header, r.split("\t"), strict=False)) for r in rows[1:])}


def test_every_wikidata_id_is_a_checked_entity_qid(registry: Registry) -> None:
    kinds = _checked_qids()
    linked = {e.id: e.wikidata for e in registry.entities.values() if e.wikidata}
    assert linked["Shinzo_Abe"] == "Q132345"
    assert {i: q for i, q in linked.items() if kinds.get(q) != "entity"} == {}


def test_no_qid_links_two_entities(registry: Registry) -> None:
    by_qid: dict[str, list[str]] = defaultdict(list)
    for e in registry.entities.values():
        if e.wikidata:
            by_qid[e.wikidata].append(e.id)
    assert {q: ids for q, ids in by_qid.items() if len(ids) > 1} == {}


def test_every_id_reference_resolves(registry: Registry) -> None:
    dangling = []
    for e in registry.entities.values():
        for attribute in REFERENCES:
            target = getattr(e, attribute)
            if target and target not in registry.entities:
                dangling.append((e.id, attribute, target))
        dangling += [(e.id, "disputed_by", s) for s in e.disputed_by if s not in registry.entities]
    assert dangling == []


def test_no_alias_is_shared_by_two_entries(registry: Registry) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for e in registry.entities.values():
        for name in {e.label, *e.aliases}:
            owners[name].add(e.id)
    assert {name: ids for name, ids in owners.items() if len(ids) > 1} == {}


def test_no_demonym_is_another_entrys_name_or_demonym(registry: Registry) -> None:
    names = {n: e.id for e in registry.entities.values() for n in {e.label, *e.aliases}}
    demonyms: dict[str, set[str]] = defaultdict(set)
    for e in registry.entities.values():
        for d in e.demonyms:
            demonyms[d].add(e.id)
    clashes = {d: ids for d, ids in demonyms.items()
               if len(ids) > 1 or (d in names and names[d] not in ids)}
    assert clashes == {}


def test_every_key_of_the_registry_file_is_a_known_field(raw) -> None:
    """A misspelt key ("citizen-of") would silently be ignored."""
    known = {f.name for f in dataclasses.fields(Entity)} | {"id", "label"}
    unknown = {(table, key) for table, rows in raw.items() for row in rows for key in row
               if key not in known}
    assert unknown == set()


def test_ids_are_iri_local_names(registry: Registry) -> None:
    assert [i for i in registry.entities if local_name(i) != i] == []


def test_local_name_never_contains_a_slash() -> None:
    assert local_name("Carnegie Moscow Center/Beijing") == "Carnegie_Moscow_Center_Beijing"
    assert local_name("St. Petersburg’s U.S. Consulate") == "St_Petersburgs_US_Consulate"
    assert local_name("???") == "unnamed"


def test_discovering_a_name_twice_gives_the_same_entity(registry: Registry) -> None:
    copy = registry.copy()
    first = copy.discover("Noel  Clay", "Person")
    assert copy.discover("Noel Clay", "Person") is first
    assert first.label == "Noel Clay" and first.discovered and first.wikidata is None
    assert "Noel_Clay" not in registry.entities  # the loaded registry is left alone


def test_state_of_follows_capital_citizenship_and_government(registry: Registry) -> None:
    assert registry.state_of(registry["Tokyo"]).id == "Japan"
    assert registry.state_of(registry["Vladimir_Putin"]).id == "Russia"
    assert registry.state_of(registry["Kremlin"]).id == "Russia"


def test_a_duplicate_id_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "entities.toml"
    path.write_text('[[state]]\nid = "X"\nlabel = "X"\n[[city]]\nid = "X"\nlabel = "X City"\n',
                    encoding="utf-8")
    with pytest.raises(InputError, match="duplicate id 'X'"):
        load_registry(path)
