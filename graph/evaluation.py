"""Score a built knowledge graph against gold facts (see ../spec/VOCABULARY.md, ../gold/README.md).

usage: evaluate.py --dataset KG.trig|KG.nq --gold GOLD.json --articles DIR [--labels TSV] [--json-out FILE]

Per fact kind it prints precision, recall and F1, strict and loose, then the share of fact
nodes whose provenance span is exact (article_text[begin:end] == anchorOf), and Wikidata
linking. It needs only rdflib.

This is the project's copy of ``shared/tools/evaluate.py`` (the scoring tool of the gold sets),
kept identical in its scoring so that ``dipkg evaluate`` prints the same numbers; only its
entry point takes an argument list.

Scorer version 2:
* gold and predicted facts are paired by a maximum one-to-one matching, so the score no longer
  depends on the order in which facts are read (version 1 paired greedily);
* a strict meeting match also needs the right status (gold without "status" means held);
* a capital is no longer an alias of its state (a meeting "in Russia" does not match "in Moscow");
* --diff prints, per article and kind, each gold fact that was not matched strictly and each
  predicted fact that matched no gold fact.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

DIP = "https://w3id.org/dipkg/ontology#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
PROV = "http://www.w3.org/ns/prov#"
WD = "http://www.wikidata.org/entity/"
HERE = Path(__file__).resolve().parent
SCORER_VERSION = 2


def d(term: str) -> URIRef:
    return URIRef(DIP + term)


def norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    text = re.sub(r"^(the|mr|mrs|ms) ", "", text.strip())
    return " ".join(text.split())


# Names that refer to the same entity however an article or an annotator wrote them.
ALIAS_GROUPS = [
    {"northern territories", "southern kurils", "southern kuriles", "southern kuril islands",
     "south kurils", "northern territories southern kuril islands", "four islands",
     "four disputed islands", "disputed islands", "northern territories islands"},
    {"g7", "g 7", "group of seven", "group of 7"},
    {"state duma", "duma", "russian state duma"},
    {"european union", "eu"},
    {"united states", "u s", "us", "usa", "united states of america", "america"},
    {"russia", "russian federation"},
    {"kunashiri", "kunashir", "kunashir island", "kunashiri island"},
    {"western countries", "the west", "west", "western nations"},
]


def load_qid_labels(tsv: Path) -> dict[str, set[str]]:
    labels: dict[str, set[str]] = defaultdict(set)
    if tsv.exists():
        for line in tsv.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or "\t" not in line:
                continue
            qid, *names = line.split("\t")
            for name in names:
                if name.strip():
                    labels[qid.strip()].add(norm(name))
    return labels


QID_LABELS: dict[str, set[str]] = {}


def expand(names: set[str]) -> set[str]:
    out = set(names)
    for group in ALIAS_GROUPS:
        if out & group:
            out |= group
    return out


def gold_keys(entity: str | None) -> set[str]:
    if not entity:
        return set()
    if entity.startswith("label:"):
        return expand({norm(entity[6:])})
    return {entity} | expand(QID_LABELS.get(entity, set()))


class Graph:
    """Read access to the built dataset, by article."""

    def __init__(self, path: Path):
        fmt = "nquads" if path.suffix in {".nq", ".nquads"} else "trig"
        self.ds = Dataset(default_union=True)
        self.ds.parse(path, format=fmt)
        self.union = self.ds  # default_union: triples() spans every graph
        self._keys: dict = {}

    def article_graph(self, file_name: str):
        for a in self.union.subjects(d("fileName"), Literal(file_name)):
            return a, self.ds.graph(a)
        for a, _, lit in self.union.triples((None, d("fileName"), None)):
            if str(lit) == file_name:
                return a, self.ds.graph(a)
        return None, None

    def keys(self, node) -> set[str]:
        if node is None:
            return set()
        if node in self._keys:
            return self._keys[node]
        if isinstance(node, Literal):
            out = expand({norm(str(node))})
        else:
            out = set()
            for same in self.union.objects(node, OWL.sameAs):
                if str(same).startswith(WD):
                    out.add(str(same)[len(WD):])
            names = {norm(str(o)) for p in (RDFS.label, SKOS.altLabel, SKOS.prefLabel)
                     for o in self.union.objects(node, p)}
            out |= expand(names)
        self._keys[node] = out
        return out

    def qids(self, node) -> set[str]:
        return {k for k in self.keys(node) if re.fullmatch(r"Q\d+", k)}


def match_entity(pred_keys: set[str], gold: str | None) -> bool:
    return bool(gold) and bool(pred_keys & gold_keys(gold))


def date_ok(pred: str | None, gold: str | None) -> bool:
    if not gold:
        return True
    return bool(pred) and (pred == gold or pred.startswith(gold + "-"))


STOP = {"the", "of", "a", "an", "japanese", "japan's", "russian", "russia's", "u", "s", "us",
        "american", "german", "italian", "greek", "chinese", "ukrainian", "kremlin", "then",
        "former", "new", "current", "top", "state", "government"}


def role_tokens(role: str) -> set[str]:
    return {t for t in norm(role).split() if t not in STOP}


def roles_match(pred: str | None, gold: str) -> bool:
    p, g = role_tokens(pred or ""), role_tokens(gold)
    return bool(p and g) and (p <= g or g <= p)


def texts_match(pred: str | None, gold: str) -> bool:
    if not pred:
        return False
    p, g = norm(pred), norm(gold)
    if not p or not g:
        return False
    if (p in g or g in p) and min(len(p), len(g)) / max(len(p), len(g)) >= 0.8:
        return True
    return difflib.SequenceMatcher(None, p, g).ratio() >= 0.85


def one_to_one(gold: list, pred: list, ok) -> int:
    """Size of a maximum matching between gold and predicted facts (each used at most once)."""
    return len(matching(gold, pred, ok))


def matching(gold: list, pred: list, ok) -> dict[int, int]:
    """A maximum one-to-one matching {gold index: pred index} (augmenting paths; the lists are
    small), independent of the order in which facts were read."""
    edges = [[i for i, p in enumerate(pred) if ok(p, g)] for g in gold]
    owner: dict[int, int] = {}  # pred index -> gold index

    def augment(gi: int, seen: set[int]) -> bool:
        for pi in edges[gi]:
            if pi in seen:
                continue
            seen.add(pi)
            if pi not in owner or augment(owner[pi], seen):
                owner[pi] = gi
                return True
        return False

    for gi in sorted(range(len(gold)), key=lambda i: len(edges[i])):
        augment(gi, set())
    return {gi: pi for pi, gi in owner.items()}


# ---- reading predicted facts of one article --------------------------------------------

def values(graph, node, prop) -> list:
    return list(graph.objects(node, d(prop)))


def first(graph, node, prop):
    vals = values(graph, node, prop)
    return vals[0] if vals else None


def predicted(kg: Graph, g) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    key = kg.keys
    for m in set(g.subjects(RDF.type, d("Meeting"))):
        status = first(g, m, "status")
        date = first(g, m, "date")
        out["meetings"].append({
            "node": m,
            "participants": [key(p) for p in values(g, m, "participant")],
            "location": [key(x) for x in values(g, m, "location")],
            "date": str(date) if date is not None else None,
            "status": str(status).rsplit("#", 1)[-1].lower() if status is not None else None,
        })
    for h in set(g.subjects(RDF.type, d("PositionHolding"))):
        role = first(g, h, "role")
        out["positions"].append({
            "node": h, "person": [key(x) for x in values(g, h, "holder")],
            "role": str(role) if role is not None else None,
            "of": [key(x) for x in values(g, h, "of")],
        })
    for s in set(g.subjects(RDF.type, d("Sanction"))):
        out["sanctions"].append({
            "node": s, "imposedBy": [key(x) for x in values(g, s, "imposedBy")],
            "target": [key(x) for x in values(g, s, "target")],
        })
    for q in set(g.subjects(RDF.type, d("Quote"))):
        text = first(g, q, "text")
        out["quotes"].append({
            "node": q, "speaker": [key(x) for x in values(g, q, "speaker")],
            "text": str(text) if text is not None else None,
        })
    territories = set()
    for prop in ("claimedBy", "controlledBy", "hasName"):
        territories |= set(g.subjects(d(prop), None))
    for t in territories:
        names = []
        for n in g.objects(t, d("hasName")):
            for used in g.objects(n, d("usedBy")):
                for name in g.objects(n, d("name")):
                    names.append((key(used), str(name)))
        out["territories"].append({
            "node": t, "territory": key(t),
            "claimedBy": [key(x) for x in g.objects(t, d("claimedBy"))],
            "controlledBy": [key(x) for x in g.objects(t, d("controlledBy"))],
            "names": names,
        })
    for member, _, org in g.triples((None, d("memberOf"), None)):
        out["memberships"].append({"member": key(member), "of": key(org)})
    return out


def any_match(keys_list: list[set[str]], gold: str | None) -> bool:
    return any(match_entity(k, gold) for k in keys_list)


def covers(keys_list: list[set[str]], golds: list[str]) -> int:
    return sum(1 for gd in golds if any_match(keys_list, gd))


# ---- matching rules, loose and strict, per kind --------------------------------------------

def meeting_ok(strict: bool):
    def ok(p, g):
        need = len(g["participants"]) if strict else min(2, len(g["participants"]))
        if covers(p["participants"], g["participants"]) < need:
            return False
        if not strict:
            return True
        if g.get("location") and not any_match(p["location"], g["location"]):
            return False
        if (p["status"] or "held") != (g.get("status") or "held"):
            return False
        return date_ok(p["date"], g.get("date"))
    return ok


def position_ok(strict: bool):
    def ok(p, g):
        if not any_match(p["person"], g["person"]):
            return False
        of_ok = any_match(p["of"], g["of"])
        role_ok = roles_match(p["role"], g["role"])
        return (of_ok and role_ok) if strict else (of_ok or role_ok)
    return ok


def sanction_ok(strict: bool):
    def ok(p, g):
        if not any_match(p["target"], g["target"]):
            return False
        imposers = g.get("imposedBy") or []
        if not imposers:
            return True
        hit = covers(p["imposedBy"], imposers)
        return hit == len(imposers) if strict else hit > 0
    return ok


def territory_ok(strict: bool):
    def ok(p, g):
        if not match_entity(p["territory"], g["territory"]):
            return False
        if not strict:
            return True
        ctl = g.get("controlledBy")
        if ctl:
            if not any_match(p["controlledBy"], ctl):
                return False
        elif p["controlledBy"]:
            return False
        gold_claims = [c for c in g.get("claimedBy") or [] if c != ctl]
        pred_claims = [k for k in p["claimedBy"] if not (ctl and match_entity(k, ctl))]
        return covers(pred_claims, gold_claims) == len(gold_claims) and \
            len(pred_claims) == len(gold_claims)
    return ok


def membership_ok(_strict: bool):
    return lambda p, g: match_entity(p["member"], g["member"]) and match_entity(p["of"], g["of"])


def quote_ok(strict: bool):
    def ok(p, g):
        if not texts_match(p["text"], g["text"]):
            return False
        return any_match(p["speaker"], g["speaker"]) if strict else True
    return ok


RULES = {"meetings": meeting_ok, "positions": position_ok, "sanctions": sanction_ok,
         "territories": territory_ok, "memberships": membership_ok, "quotes": quote_ok}


def names_of(gold_territories: list[dict]) -> list[tuple]:
    return [(t["territory"], state, name) for t in gold_territories
            for state, name in (t.get("names") or {}).items()]


def pred_names(pred_territories: list[dict]) -> list[tuple]:
    return [(t["territory"], used, name) for t in pred_territories for used, name in t["names"]]


def name_ok(p, g) -> bool:
    return match_entity(p[0], g[0]) and any_match([p[1]], g[1]) and norm(p[2]) == norm(g[2])


# ---- provenance ------------------------------------------------------------------------------

def provenance(kg: Graph, g, article, text: str) -> tuple[int, int, int]:
    """(fact nodes, fact nodes with an exact span in this article, spans that are wrong)."""
    facts = set()
    for cls in ("Meeting", "PositionHolding", "Sanction", "Quote"):
        facts |= set(g.subjects(RDF.type, d(cls)))
    for s, p, o in g.triples((None, None, None)):
        if p in {d("claimedBy"), d("controlledBy"), d("memberOf")}:
            facts.add(("triple", s, p, o))
    good = wrong = 0
    stmt_spans: dict = defaultdict(list)
    for st in g.subjects(RDF.type, RDF.Statement):
        key = ("triple", g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object))
        stmt_spans[key] += list(g.objects(st, URIRef(PROV + "wasDerivedFrom")))
    for fact in facts:
        spans = stmt_spans.get(fact, []) if isinstance(fact, tuple) else \
            list(kg.union.objects(fact, URIRef(PROV + "wasDerivedFrom")))
        exact = False
        for span in spans:
            ctx = kg.union.value(span, URIRef(NIF + "referenceContext"))
            if ctx != article:
                continue
            b = kg.union.value(span, URIRef(NIF + "beginIndex"))
            e = kg.union.value(span, URIRef(NIF + "endIndex"))
            anchor = kg.union.value(span, URIRef(NIF + "anchorOf"))
            try:
                if text[int(b):int(e)] == str(anchor):
                    exact = True
                else:
                    wrong += 1
            except (TypeError, ValueError):
                wrong += 1
        good += exact
    return len(facts), good, wrong


def linking(kg: Graph, gold_articles: list[dict]) -> tuple[int, int, int]:
    """Over every entity node in the dataset whose label names a gold QID entity:
    (such nodes, linked to the right QID, linked to a wrong QID)."""
    gold_qids = set()
    for art in gold_articles:
        for kind in RULES:
            for fact in art.get(kind, []):
                for v in fact.values():
                    for x in (v if isinstance(v, list) else [v]):
                        if isinstance(x, str) and re.fullmatch(r"Q\d+", x):
                            gold_qids.add(x)
    seen = right = wrong = 0
    for node in set(kg.union.subjects(RDFS.label, None)):
        names = {norm(str(o)) for o in kg.union.objects(node, RDFS.label)}
        for qid in gold_qids:
            if names & QID_LABELS.get(qid, set()):
                seen += 1
                linked = kg.qids(node)
                right += qid in linked
                wrong += bool(linked) and qid not in linked
    return seen, right, wrong


def _show(fact: dict) -> str:
    """A predicted fact in one line: each entity by the shortest of its names."""
    def name(keys):
        return min(keys, key=lambda k: (len(k), k)) if keys else "?"
    parts = []
    for k, v in fact.items():
        if k == "node":
            continue
        if isinstance(v, set):
            v = name(v)
        elif isinstance(v, list):
            v = [name(x) if isinstance(x, set) else x for x in v]
        parts.append(f"{k}={v}")
    return ", ".join(parts)


def print_diff(file: str, kind: str, gold: list, pred: list, strict: dict[int, int], loose) -> None:
    used = set(strict.values())
    for gi, g in enumerate(gold):
        if gi in strict:
            continue
        near = [p for i, p in enumerate(pred) if i not in used and loose(p, g)]
        fields = {k: v for k, v in g.items() if k not in {"evidence", "evidence_extra", "note"}}
        print(f"  MISS {file} {kind}: {json.dumps(fields, ensure_ascii=False)}")
        print(f"       evidence: {' '.join(g.get('evidence', '').split())[:160]}")
        if near:
            print(f"       nearest (loose): {_show(near[0])}")
    loose_hits = set()
    for g in gold:
        for i, p in enumerate(pred):
            if loose(p, g):
                loose_hits.add(i)
    for i, p in enumerate(pred):
        if i not in used and i not in loose_hits:
            print(f"  EXTRA {file} {kind}: {_show(p)}")


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", required=True, type=Path)
    ap.add_argument("--gold", required=True, type=Path)
    ap.add_argument("--articles", required=True, type=Path)
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--diff", action="store_true",
                    help="list, per article and kind, gold facts not matched strictly and predicted "
                         "facts that matched no gold fact")
    ap.add_argument("--labels", type=Path, default=HERE.parent / "gold" / "qid-labels.tsv",
                    help="QID<TAB>name<TAB>alias... used to match entities that are not linked")
    args = ap.parse_args(argv)
    QID_LABELS.update(load_qid_labels(args.labels))

    kg = Graph(args.dataset)
    gold_articles = json.loads(args.gold.read_text(encoding="utf-8"))
    kinds = list(RULES) + ["names"]
    tally = {k: {"gold": 0, "pred": 0, "strict": 0, "loose": 0} for k in kinds}
    prov_total = prov_good = prov_wrong = 0
    missing = []
    for art in gold_articles:
        article, g = kg.article_graph(art["file"])
        text = (args.articles / art["file"]).read_text(encoding="utf-8")
        if g is None:
            missing.append(art["file"])
            for kind in RULES:
                tally[kind]["gold"] += len(art.get(kind, []))
            tally["names"]["gold"] += len(names_of(art.get("territories", [])))
            continue
        pred = predicted(kg, g)
        for kind, rule in RULES.items():
            gold = art.get(kind, [])
            if kind == "memberships" and "memberships" not in art:
                continue  # this gold set does not annotate memberships
            t = tally[kind]
            t["gold"] += len(gold)
            t["pred"] += len(pred[kind])
            strict = matching(gold, pred[kind], rule(True))
            t["strict"] += len(strict)
            t["loose"] += one_to_one(gold, pred[kind], rule(False))
            if args.diff:
                print_diff(art["file"], kind, gold, pred[kind], strict, rule(False))
        gn, pn = names_of(art.get("territories", [])), pred_names(pred["territories"])
        hits = one_to_one(gn, pn, name_ok)
        tally["names"]["gold"] += len(gn)
        tally["names"]["pred"] += len(pn)
        tally["names"]["strict"] += hits
        tally["names"]["loose"] += hits
        n, good, wrong = provenance(kg, g, article, text)
        prov_total, prov_good, prov_wrong = prov_total + n, prov_good + good, prov_wrong + wrong

    report: dict = {"scorer_version": SCORER_VERSION, "kinds": {}, "missing_articles": missing}
    print(f"{'kind':<12}{'gold':>6}{'pred':>6}   {'strict P/R/F1':<20}{'loose P/R/F1':<20}")
    sums = {"gold": 0, "pred": 0, "strict": 0, "loose": 0}
    for kind in kinds:
        t = tally[kind]
        for k in sums:
            sums[k] += t[k]
        s, lo = prf(t["strict"], t["pred"], t["gold"]), prf(t["loose"], t["pred"], t["gold"])
        report["kinds"][kind] = {**t, "strict_prf": s, "loose_prf": lo}
        print(f"{kind:<12}{t['gold']:>6}{t['pred']:>6}   "
              f"{s[0]:.2f}/{s[1]:.2f}/{s[2]:.2f}       {lo[0]:.2f}/{lo[1]:.2f}/{lo[2]:.2f}")
    s, lo = prf(sums["strict"], sums["pred"], sums["gold"]), prf(sums["loose"], sums["pred"], sums["gold"])
    seen, right, wrong = linking(kg, gold_articles)
    report.update(micro={**sums, "strict_prf": s, "loose_prf": lo},
                  provenance={"fact_nodes": prov_total, "exact": prov_good, "wrong_spans": prov_wrong},
                  linking={"nodes": seen, "right": right, "wrong": wrong})
    if missing:
        print("articles with no graph:", ", ".join(missing))
    print(f"provenance: {prov_good}/{prov_total} facts have an exact span; {prov_wrong} spans are wrong")
    print(f"wikidata linking: {right}/{seen} entity nodes linked right, {wrong} linked wrong")
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"micro strict P {s[0]:.2f} R {s[1]:.2f} F1 {s[2]:.2f}; loose F1 {lo[2]:.2f}; "
          f"provenance {prov_good}/{prov_total} (scorer v{SCORER_VERSION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
