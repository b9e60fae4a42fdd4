"""Run the benchmarks: every bench/bench_*.py main(), or the ones named on the command line."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def main() -> None:
    """Run the selected benchmark modules in one process, one after the other."""
    here = Path(__file__).parent
    names = sys.argv[1:] or sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"\n=== bench_{name} ===", flush=True)
        started = time.perf_counter()
        module.main()
        print(f"=== bench_{name}: {time.perf_counter() - started:.1f} s ===", flush=True)


main()
