"""How fast a running service follows a new release, and what readers feel meanwhile.

Serves a copy of a build (default ``build/``) with ``dipkg serve``, then swaps its ``current``
pointer between two releases (the build's, and a copy of it under another name: the service
cannot tell them apart from the pointer alone, so each swap is a full reload) ``--swaps`` times.
For each swap it measures the time from the pointer's rename to the first response that names the
new release (``X-Dipkg-Release``), while reader threads ask a COUNT the whole time; their latency
is reported for the quiet phase before the swaps and for the phase with swaps, with any error
and any answer that does not match the release it names.

    python benchmarks/reload.py [BUILD_DIR] [--swaps 6] [--readers 4]

127.0.0.1 only; bounded in swaps and in time (each swap waits at most 30 s).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import ROOT, start_dipkg, stop

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class Reader(threading.Thread):
    """Asks COUNT in a loop; records (time, seconds taken, release, count) or errors."""

    def __init__(self, base: str, stop_at: float) -> None:
        super().__init__(daemon=True)
        self.base, self.stop_at = base, stop_at
        self.samples: list[tuple[float, float, str, int]] = []
        self.errors: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.halt.is_set() and time.monotonic() < self.stop_at:
                started = time.monotonic()
                try:
                    response = client.get(f"{self.base}/sparql", params={"query": COUNT})
                    response.raise_for_status()
                    n = int(response.json()["results"]["bindings"][0]["n"]["value"])
                except (httpx.HTTPError, KeyError, ValueError) as err:
                    self.errors.append(repr(err))
                    continue
                self.samples.append((started, time.monotonic() - started, response.headers["x-dipkg-release"], n))


def point(out: Path, release: str) -> float:
    """Swap ``current`` to ``releases/<release>`` with one rename, as a publish does; when."""
    link = out / ".current.bench.tmp"
    link.unlink(missing_ok=True)
    link.symlink_to(f"releases/{release}")
    swapped = time.monotonic()
    link.replace(out / "current")
    return swapped


def quantiles(values: list[float]) -> str:
    if not values:
        return "no samples"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"p50 {1000 * statistics.median(ordered):.1f} ms, p99 {1000 * p99:.1f} ms, n {len(ordered)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", nargs="?", type=Path, default=ROOT / "build")
    parser.add_argument("--swaps", type=int, default=6)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--quiet-s", type=float, default=5.0, help="readers alone before the first swap")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dipkg-reload-bench-"))
    out = work / "out"
    shutil.copytree(args.build, out, symlinks=True)
    for marker in out.glob("releases/*/.serving-*"):
        marker.unlink()
    first = (out / "current").resolve().name
    second = "copy" + first[4:]
    shutil.copytree(out / "releases" / first, out / "releases" / second, symlinks=True)
    process, base = start_dipkg(["--data", str(out)], {"DIPKG_WORKERS": "2"})
    try:
        counts = {first: -1, second: -1}
        readers = [Reader(base, time.monotonic() + args.quiet_s + 40 * args.swaps) for _ in range(args.readers)]
        started = time.monotonic()
        for reader in readers:
            reader.start()
        time.sleep(args.quiet_s)
        quiet_end = time.monotonic()
        delays: list[float] = []
        opening: list[float] = []  # what the service says opening and checking the release took
        target = first
        for _ in range(args.swaps):
            target = second if target == first else first
            swapped = point(out, target)
            deadline = swapped + 30
            while time.monotonic() < deadline:
                health = httpx.get(f"{base}/health", timeout=10)
                if health.headers.get("x-dipkg-release") == target:
                    delays.append(time.monotonic() - swapped)
                    opening.append(float(health.json()["last_reload_s"]))
                    break
                time.sleep(0.01)
            else:
                print(f"swap to {target}: not served within 30 s", file=sys.stderr)
            time.sleep(1.0)
        for reader in readers:
            reader.halt.set()
            reader.join(30)
        samples = [s for reader in readers for s in reader.samples]
        errors = [e for reader in readers for e in reader.errors]
        mismatched = 0
        for _, _, release, n in samples:
            if counts.get(release, -1) == -1:
                counts[release] = n
            mismatched += counts[release] != n
        print(f"build: {args.build} ({counts[first]} triples in the default graph); {args.readers} readers, "
              f"2 workers, {args.swaps} swaps; {time.monotonic() - started:.0f} s")
        print(f"swap -> first response from the new release: {quantiles(delays)} "
              f"(max {1000 * max(delays, default=0):.0f} ms; the poll every 1 s included)")
        print(f"of which opening and checking the new version: {quantiles(opening)}")
        print(f"COUNT while quiet:      {quantiles([s[1] for s in samples if s[0] < quiet_end])}")
        print(f"COUNT during the swaps: {quantiles([s[1] for s in samples if s[0] >= quiet_end])}")
        print(f"errors: {len(errors)}; answers not matching the release they name: {mismatched}; "
              f"releases seen: {sorted({s[2] for s in samples})}")
        return 0 if not errors and not mismatched else 1
    finally:
        stop(process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
