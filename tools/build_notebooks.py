"""Build the learner and instructor workbooks (``make student``): a thin wrapper.

Usage: ``python tools/build_notebooks.py --out build [--src notebooks]`` writes ``build/student``
(the learner edition) and ``build/instructor``. The work is done by :mod:`iaptlab.editions`,
which an installed wheel can use too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from iaptlab.editions import BuildError, build_edition

FOLDERS = {"student": "learner", "instructor": "instructor"}


def main(argv: list[str] | None = None) -> int:
    """Command line: build both editions; print what was written or why the build failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent / "notebooks")
    parser.add_argument("--out", type=Path, default=Path("build"))
    args = parser.parse_args(argv)
    try:
        written = {folder: build_edition(args.src, args.out / folder, edition)
                   for folder, edition in FOLDERS.items()}
    except BuildError as err:
        print(f"build failed: {err}", file=sys.stderr)
        return 1
    lessons = sum(p.suffix == ".ipynb" for p in written["student"])
    print(f"built {lessons} notebook{'s' if lessons != 1 else ''} into {args.out}/student (learner "
          f"edition) and {args.out}/instructor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
