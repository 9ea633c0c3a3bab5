"""Benchmark: where a build's time goes, and what two design choices buy.

Measured side by side in one run, on the articles folder given (default: seeds/):

* stage times: extraction, OWL-RL closure, SHACL validation, serialization;
* reasoning: the build's forward chainer against owlrl's closure (the reference) — same graph;
  how many triples owlrl adds, and how many of them the filter keeps
  (the rest is noise: ``x owl:sameAs x``, ``owl:Thing`` types, copies onto Wikidata IRIs …);
* validation: pyshacl running every SPARQL constraint once per focus node (its own way)
  against ``graph.validation.check`` running each once over the whole graph — same verdict.

usage: python benchmarks/build_stages.py [ARTICLES_DIR] [--skip-slow]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import owlrl
from pyshacl import validate
from rdflib import Graph

import dipkg.graph.build as build_module
from dipkg.graph.publish import nquads, trig
from dipkg.graph.reasoning import infer, infer_owlrl
from dipkg.graph.validation import ValidationReport, check, shapes_graph


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("articles", nargs="?", default="seeds", type=Path)
    ap.add_argument("--skip-slow", action="store_true", help="skip pyshacl's per-node SPARQL run")
    args = ap.parse_args()

    captured: dict[str, Graph] = {}
    timings: dict[str, float] = {}
    real_check = build_module.check

    def timed_check(union: Graph) -> ValidationReport:
        captured["union"] = union
        started = time.perf_counter()
        report = real_check(union)
        timings["validation (dipkg: core + one query per SPARQL constraint)"] = time.perf_counter() - started
        return report

    build_module.check = timed_check
    started = time.perf_counter()
    result = build_module.build(args.articles)
    total = time.perf_counter() - started
    build_module.check = real_check

    union = captured["union"]
    inferred_graph = Graph()
    asserted = Graph()
    for ctx in result.dataset.graphs():
        target = inferred_graph if str(ctx.identifier).endswith("/inferred") else asserted
        for triple in ctx:
            target.add(triple)
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    started = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    timings["owlrl closure (the reference, not run by the build)"] = time.perf_counter() - started
    raw_added = len(closure) - len(asserted)
    started = time.perf_counter()
    chained = infer(asserted)
    timings["reasoning (dipkg: forward chainer, filtered)"] = time.perf_counter() - started
    same = set(chained) == set(infer_owlrl(asserted))

    started = time.perf_counter()
    trig(result.dataset)
    nquads(result.dataset)
    timings["serialization (TriG + N-Quads)"] = time.perf_counter() - started

    print(f"articles: {len(result.facts)}; facts: {dict(result.by_kind)}")
    print(f"build total: {total:.2f} s; triples asserted {result.asserted}, inferred kept {result.inferred}")
    for name, seconds in timings.items():
        print(f"  {name}: {seconds:.2f} s")
    print(f"owlrl adds {raw_added} triples; kept {result.inferred} "
          f"({100 * result.inferred / max(raw_added, 1):.0f}%), dropped {raw_added - result.inferred} as noise")
    print(f"forward chainer's inferred graph equals owlrl's after filtering: {same}")

    if not args.skip_slow:
        started = time.perf_counter()
        conforms, _, _ = validate(union, shacl_graph=shapes_graph(), inference="none", advanced=True)
        slow = time.perf_counter() - started
        started = time.perf_counter()
        ours = check(union)
        fast = time.perf_counter() - started
        print(f"validation: pyshacl per-node SPARQL {slow:.2f} s (conforms={conforms}) vs dipkg {fast:.2f} s "
              f"(conforms={ours.conforms}): {slow / fast:.0f}x faster, same verdict: {bool(conforms) == ours.conforms}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
