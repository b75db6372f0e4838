"""Memory a learner's kernel needs, per lesson: what a JupyterHub should allow each learner.

Runs every lesson (``notebooks/NN_*.ipynb``, the authored edition with the worked answers, or
the notebooks of a workbook folder given as an argument) in its own fresh ``python3`` kernel with
the renderer JupyterLab uses (the lessons' ``setup()`` default; ``IAPTLAB_RENDERER`` is removed
from the kernel's environment), and prints the kernel's resident memory (RSS) when it has started,
after Run All, and its peak (``VmHWM``, Linux only).

Usage: ``.venv/bin/python benchmarks/kernel_memory.py [FOLDER]`` (not part of ``make bench``:
about a minute per lesson on a busy 2-core machine).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def _memory_mb(pid: int) -> tuple[float, float]:
    """(RSS now, peak RSS) of process ``pid`` in MB; peak is NaN where /proc is missing."""
    status = Path(f"/proc/{pid}/status")
    if status.is_file():
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        kb = {k: float(fields[k].split()[0]) for k in ("VmRSS", "VmHWM") if k in fields}
        return kb["VmRSS"] / 1024, kb.get("VmHWM", float("nan")) / 1024
    import psutil

    return psutil.Process(pid).memory_info().rss / MB, float("nan")


def measure(notebook: Path, timeout: float = 900) -> dict[str, float]:
    """Run ``notebook`` in a fresh kernel; its memory at start, after Run All and at peak (MB)."""
    nb = nbformat.read(notebook, as_version=4)
    env = {k: v for k, v in os.environ.items() if k != "IAPTLAB_RENDERER"}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    started = time.perf_counter()
    with client.setup_kernel(env=env, cwd=str(notebook.parent)):
        pid = client.km.provisioner.process.pid
        at_start, _ = _memory_mb(pid)
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        after, peak = _memory_mb(pid)
    return {"start_mb": at_start, "after_run_all_mb": after, "peak_mb": peak,
            "seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else REPO / "notebooks"
    lessons = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not lessons:
        print(f"no lessons (NN_*.ipynb) in {folder}", file=sys.stderr)
        return 2
    print(f"kernel memory per lesson ({folder}), renderer: the lessons' default")
    print(f"{'lesson':<42} {'start MB':>9} {'after Run All MB':>17} {'peak MB':>8} {'s':>6}")
    worst = 0.0
    for lesson in lessons:
        row = measure(lesson)
        worst = max(worst, row["peak_mb"] if row["peak_mb"] == row["peak_mb"] else row["after_run_all_mb"])
        print(f"{lesson.stem:<42} {row['start_mb']:>9.0f} {row['after_run_all_mb']:>17.0f} "
              f"{row['peak_mb']:>8.0f} {row['seconds']:>6.0f}", flush=True)
    print(f"largest kernel: {worst:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
