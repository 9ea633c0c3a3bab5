"""How fast ``dipkg push`` loads a release into a triple store: a fresh ``oxigraph serve`` on
127.0.0.1 per run, one push of every graph and the merge, triples sent per second.

    python benchmarks/push_speed.py build /tmp/bench-100k [--batch N]

(a 100k-quad folder: ``python benchmarks/corpus.py --from build/dipkg.nq --quads 100000 --out
/tmp/bench-100k.nq && dipkg load /tmp/bench-100k.nq --out /tmp/bench-100k``).  Other stores:
``dipkg push`` prints the same numbers (``benchmarks/virtuoso.sh`` for Virtuoso).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from dipkg.graph.push import DEFAULT_BATCH, push

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import free_port


def fresh_oxigraph(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    exe = Path(sys.executable).with_name("oxigraph")
    process = subprocess.Popen([str(exe), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.post(f"{base}/query", data={"query": "ASK {}"}, timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("oxigraph serve did not start")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", nargs="+", type=Path, help="dipkg build folders")
    p.add_argument("--batch", type=int, default=DEFAULT_BATCH)
    args = p.parse_args(argv)
    for data in args.data:
        with tempfile.TemporaryDirectory(prefix="dipkg-push-bench-") as tmp:
            process, base = fresh_oxigraph(Path(tmp) / "store")
            try:
                report = push(data, f"{base}/store", batch=args.batch, state_file=Path(tmp) / "state.json",
                              progress=None)
            finally:
                process.terminate()
                process.wait(10)
        print(f"{data}: {report.graphs} graphs, {report.triples} triples in {report.requests} requests, "
              f"{report.seconds:.2f} s: {report.triples_per_second:,.0f} triples/s (batch {args.batch})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
