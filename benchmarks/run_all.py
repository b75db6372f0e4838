"""Run every benchmark in this folder (``make bench``) and print their figures.

Each ``bench_*.py`` module exposes ``main()``; they run one after another in this process so the
ratios inside each are measured in the same run on the same machine.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    sys.path.insert(0, str(HERE))
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if len(sys.argv) > 1:
        names = [n for n in names if any(arg in n for arg in sys.argv[1:])]
    for name in names:
        print(f"\n== {name}")
        start = time.perf_counter()
        importlib.import_module(name).main()
        print(f"({name} took {time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
