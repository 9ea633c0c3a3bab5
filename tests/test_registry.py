"""The entity registry (ontology/entities.toml): links, references, aliases."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from dipkg.graph.errors import InputError
from dipkg.graph.registry import Entity, Registry, load_registry, local_name, name_pattern

ROOT = Path(__file__).resolve().parent.parent
ENTITIES = ROOT / "ontology" / "entities.toml"
REFERENCES = ("capital", "citizen_of", "affiliation", "government_of", "seat", "state", "located_in", "part_of")


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


# -- coverage beyond Japan-Russia -------------------------------------------------------------

def _checked_labels() -> dict[str, str]:
    rows = (ROOT / "ontology" / "wikidata-ids.tsv").read_text(encoding="utf-8").splitlines()
    return {r.split("\t")[0]: r.split("\t")[1] for r in rows[1:] if r.split("\t")[2] == "entity"}


def test_the_checked_list_keeps_its_evidence_column() -> None:
    rows = (ROOT / "ontology" / "wikidata-ids.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0].split("\t") == ["label", "qid", "kind", "evidence"]
    assert len(rows) > 600 and all(len(r.split("\t")) == 4 and r.split("\t")[3] for r in rows)


def test_an_entry_named_exactly_as_a_checked_item_is_linked_to_it(registry: Registry) -> None:
    """Linking is complete where the checked list is unambiguous: an entry whose label is a
    checked label carries that item (labels with a qualifier, "Kashmir (region)", were
    matched by hand)."""
    checked = _checked_labels()
    unlinked = {e.id: checked[e.label] for e in registry.entities.values()
                if e.label in checked and e.wikidata != checked[e.label]}
    assert unlinked == {}
    assert sum(1 for e in registry.entities.values() if e.wikidata) > 450


def test_every_un_member_and_observer_state_is_named(registry: Registry) -> None:
    states = [e for e in registry.entities.values() if e.cls == "State"]
    assert len(states) >= 193 + 2  # and Taiwan, Kosovo
    names = {n: e.id for e in states for n in (e.label, *e.aliases)}
    expected = {"Britain": "United_Kingdom", "UK": "United_Kingdom", "U.S.": "United_States",
                "Republic of Korea": "South_Korea", "ROK": "South_Korea", "DPRK": "North_Korea",
                "Ivory Coast": "Cote_dIvoire", "Holy See": "Vatican_City", "Palestine": "State_of_Palestine",
                "Kosovo": "Kosovo", "Swaziland": "Eswatini", "East Timor": "Timor-Leste"}
    for name, state in expected.items():
        assert names.get(name) == state, name


def test_a_capital_is_a_city_of_its_state(registry: Registry) -> None:
    wrong = [(e.id, e.capital) for e in registry.entities.values() if e.capital
             and (registry[e.capital].cls != "City" or registry[e.capital].state != e.id)]
    assert wrong == []
    assert registry["Nigeria"].capital == "Abuja" and registry["Jordan"].capital == "Amman"


def test_organizations_are_named_by_abbreviation_and_long_form(registry: Registry) -> None:
    names = {n: e.id for e in registry.entities.values() if e.letter == "O" for n in (e.label, *e.aliases)}
    expected = {"G-7": "Group_of_Seven", "Group of Twenty": "Group_of_Twenty", "GCC": "Gulf_Cooperation_Council",
                "League of Arab States": "Arab_League", "AUKUS": "AUKUS", "Quad": "Quadrilateral_Security_Dialogue",
                "ASEAN Regional Forum": "ASEAN_Regional_Forum", "OECD": "OECD",
                "CSTO": "Collective_Security_Treaty_Organization"}
    for name, org in expected.items():
        assert names.get(name) == org, name


# -- offices: who leads when ---------------------------------------------------------------------

def test_every_office_is_of_a_known_entity_with_a_term_in_order(registry: Registry) -> None:
    bad = [(e.id, o) for e in registry.entities.values() for o in e.offices
           if o.of not in registry.entities or (o.end is not None and o.end < o.start) or not o.role]
    assert bad == []
    assert sum(1 for e in registry.entities.values() if e.offices) > 300


def test_a_person_with_a_head_office_is_flagged_leader_and_a_flagged_leader_has_one(registry: Registry) -> None:
    mismatched = [e.id for e in registry.entities.values() if e.offices
                  and any(registry.is_head(o) for o in e.offices) != e.leader
                  and not all(registry[o.of].letter == "O" for o in e.offices if registry.is_head(o))]
    assert mismatched == []


def test_a_leader_leads_only_during_a_head_office(registry: Registry) -> None:
    kishida, putin, blinken = registry["Fumio_Kishida"], registry["Vladimir_Putin"], registry["Antony_Blinken"]
    assert not registry.leads_in(kishida, 2016)  # Foreign Minister then
    assert registry.leads_in(kishida, 2021) and registry.leads_in(kishida, 2023)
    assert not registry.leads_in(kishida, 2025)
    assert all(registry.leads_in(putin, year) for year in (2001, 2010, 2019))  # President, then Prime Minister
    assert not registry.leads_in(blinken, 2022)  # never a head of state or government
    assert registry.leads_in(registry["Kim_Jong_Un"], 2018)  # "Supreme Leader" is a head role
    assert registry.leads_in(registry["Salman_bin_Abdulaziz"], 2016)  # a king


def test_a_flagged_leader_without_offices_leads_at_any_time(tmp_path: Path) -> None:
    path = tmp_path / "entities.toml"
    path.write_text('[[state]]\nid = "Ruritania"\nlabel = "Ruritania"\nleader_titles = ["Regent"]\n'
                    '[[person]]\nid = "Ann_Ode"\nlabel = "Ann Ode"\nleader = true\n'
                    '[[person]]\nid = "Bo_Ek"\nlabel = "Bo Ek"\nleader = true\n'
                    'offices = [{role = "Regent", of = "Ruritania", from = 2003, to = 2005}]\n',
                    encoding="utf-8")
    registry = load_registry(path)
    assert registry.leads_in(registry["Ann_Ode"], 1990) and registry.leads_in(registry["Ann_Ode"], 2030)
    # a role is a head role when the state names it among its leader titles
    assert [registry.leads_in(registry["Bo_Ek"], y) for y in (2002, 2003, 2005, 2006)] == [False, True, True, False]


@pytest.mark.parametrize("office", ['{role = "Mayor", of = "X", from = "2012"}',
                                    '{role = "Mayor", of = "X", from = 2012, to = 2010}',
                                    '{role = "Mayor", from = 2012}',
                                    '{role = "Mayor", of = "X", from = 2012, until = 2014}'])
def test_a_malformed_office_is_an_input_error(tmp_path: Path, office: str) -> None:
    path = tmp_path / "entities.toml"
    path.write_text(f'[[person]]\nid = "P"\nlabel = "Pat Doe"\noffices = [{office}]\n', encoding="utf-8")
    with pytest.raises(InputError, match="office"):
        load_registry(path)


def test_the_short_name_is_the_family_name_news_uses_alone(registry: Registry) -> None:
    assert registry["Xi_Jinping"].surname == "Xi"  # family name first
    assert registry["Moon_Jae-in"].surname == "Moon"
    assert registry["Prayut_Chan-o-cha"].surname == "Prayut"
    assert registry["Mohammed_bin_Salman"].surname is None  # no bare name stands for him
    assert registry["Angela_Merkel"].surname == "Merkel"  # the label's last word by default


def test_the_name_pattern_matches_the_longest_name_like_the_sorted_alternation() -> None:
    names = ["Guinea", "Guinea-Bissau", "Equatorial Guinea", "Papua New Guinea", "New Guinea", "U.S.",
             "U.S.A.", "US", "Saint Lucia", "Saint Kitts and Nevis", "Samoa", "American Samoa", "Sam"]
    text = ("Guinea-Bissau, Guinea and Equatorial Guinea; New Guinea and Papua New Guinea. U.S.A. "
            "and U.S.-led US forces in American Samoa, Samoa, Saint Lucia's Sam, Samoans, Saint Kitts.")
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    expected = [m.group(0) for m in re.finditer(rf"(?<![\w])(?:{alternation})(?![\w])", text)]
    found = [m.group(0) for m in re.finditer(rf"(?<![\w])(?:{name_pattern(names)})(?![\w])", text)]
    assert found == expected
    assert found[:6] == ["Guinea-Bissau", "Guinea", "Equatorial Guinea", "New Guinea", "Papua New Guinea", "U.S.A."]
    assert "Samoans" not in found and "Saint Kitts" not in found
