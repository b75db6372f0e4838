"""Cost per learner: each lesson's kernel memory after Run All, and kernel start to first chart.

For every lesson notebook, a fresh IPython kernel (as JupyterLab starts one, with the renderer
the lessons use there: Altair's offline ``jupyter`` renderer, live explorer widgets) runs every
code cell in order from the notebooks folder. Reported per lesson:

* ``ready s``: from asking for the kernel to its first reply (the floor: nothing imported yet).
* ``first chart s``: from asking for the kernel to the first chart output arriving (a chart
  widget or a Vega/SVG output), running the lesson's cells in order (so it includes whatever
  the lesson computes before its first chart); the page then needs only to draw it. ``cell``:
  the code cell (1 = the first) that drew it.
* ``RSS MB``: the kernel's resident memory after the last cell; ``peak MB``: its high-water mark.
* ``anon MB``: the part of RSS that is the kernel's own (heap, arrays). The rest is pages of
  shared libraries (pyarrow's alone is ~50 MB), mapped read-only from the same files by every
  kernel on the machine, so a hub of 60 learners pays it about once, not 60 times.

The first row, ``(imports only)``, is the floor: a kernel that has run only what every lesson's
first cell imports (``setup()`` and the explorers) and nothing else.

Targets (issue 15): memory <= 200 MB, first chart <= 1.5 s.

Shared libraries and the page cache: a library page counts in a process's RSS once mapped, and
how many pages a kernel maps depends on how the page cache holds the library files. Measured in a
fresh worktree right after ``pip install`` wrote them: imports only 213 MB RSS, and 177 MB once the
same files were dropped from the page cache and read again, with the same anon MB (113-114). To
measure one state every time, the benchmark first drops this environment's shared libraries from
the page cache (``posix_fadvise``; its own files only, no other environment's; pages in use stay),
then runs one warm-up kernel, so every kernel measured finds the libraries as a kernel reads
them (as on a hub whose libraries were read from disk). ``--warm-libraries`` skips the drop (RSS
then depends on what ran before). Each run prints the load average, since timings on a shared
machine move with it.

Kernels import from compiled bytecode, as a learner's do (pip byte-compiles a wheel; an editable
install writes ``__pycache__`` on first import): with ``PYTHONDONTWRITEBYTECODE`` set (as in some
CI shells) every kernel would compile iaptlab's sources again, about 0.1-0.2 s that no learner
pays twice. The bytecode goes to a cache folder outside the repository (``PYTHONPYCACHEPREFIX``),
made before the first measurement.

    .venv/bin/python benchmarks/bench_kernel.py [NN ...]           # every lesson, or some
    .venv/bin/python benchmarks/bench_kernel.py --cells NN [NN ...]  # time and memory cell by cell
    .venv/bin/python benchmarks/bench_kernel.py --warm-libraries      # leave the page cache as it is
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TARGET_MB = 200
TARGET_FIRST_CHART_S = 1.5
#: Outputs that are a chart: a widget view (the live chart or Altair's chart widget), Vega, SVG.
_CHART_MIMES = ("application/vnd.jupyter.widget-view+json", "application/vnd.vegalite.v5+json",
                "application/vnd.vegalite.v6+json", "image/svg+xml")


#: Where the kernels' bytecode is cached (outside the repository).
PYCACHE = Path(tempfile.gettempdir()) / "iaptlab-bench-pycache"


def _kernel_env() -> dict[str, str]:
    """The environment of a learner's kernel: the lessons' renderer, bytecode cached."""
    drop = ("IAPTLAB_RENDERER", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def _compile_bytecode() -> None:
    """Compile every module the kernels import into :data:`PYCACHE` once, before timing anything."""
    code = ("import compileall, os, ipykernel.kernelapp, iaptlab.notebook as n, iaptlab.explorers, "
            "iaptlab.exercises; n.setup(); compileall.compile_dir(os.path.dirname(n.__file__), quiet=1)")
    subprocess.run([sys.executable, "-c", code], env=_kernel_env(), check=True, cwd=NOTEBOOKS,
                   stdout=subprocess.DEVNULL)


def drop_cached_libraries(root: Path | None = None) -> int:
    """Ask Linux to drop the shared libraries under ``root`` (default: this environment's
    ``sys.prefix``) from the page cache; return how many files were asked. Pages mapped by a running
    process stay; on systems without ``posix_fadvise`` nothing is done (0)."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return 0
    count = 0
    for path in Path(root or sys.prefix).rglob("*.so*"):
        if not path.is_file():
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            count += 1
        finally:
            os.close(fd)
    return count


#: What every lesson's first cell runs before anything of its own: the floor of a lesson kernel.
IMPORTS_ONLY = "from iaptlab.notebook import setup\nsetup()\nimport iaptlab.explorers, iaptlab.exercises"


def _memory_mb(pid: int) -> tuple[float, float, float]:
    """(resident, peak resident, anonymous resident) MB of process ``pid``, from /proc (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return tuple(int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM", "RssAnon"))


def measure_lesson(path: Path, *, timeout: float = 600, cells: bool = False) -> dict:
    """Run ``path`` top to bottom in a fresh kernel; first-chart time and memory afterwards.

    ``cells``: also print each cell's time, RSS and peak after it (what holds memory, what is slow).
    """
    notebook = nbformat.read(path, as_version=4)
    sources = [cell.source for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip()]
    return measure_sources(path.stem, sources, cwd=path.parent, timeout=timeout, cells=cells)


def measure_sources(name: str, sources: list[str], *, cwd: Path = NOTEBOOKS, timeout: float = 600,
                    cells: bool = False) -> dict:
    """Run ``sources`` (code cells) in order in a fresh kernel; see :func:`measure_lesson`."""
    from jupyter_client import KernelManager

    env = _kernel_env()
    started = time.perf_counter()
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(cwd), env=env)
    client = manager.client()
    client.start_channels()
    first_chart: list[float] = []
    cell_at = [0]  # the code cell running now (1 = the first)
    first_chart_cell: list[int] = []

    def hook(message) -> None:
        if first_chart or message["msg_type"] not in ("display_data", "execute_result"):
            return
        if any(mime in message["content"]["data"] for mime in _CHART_MIMES):
            first_chart.append(time.perf_counter() - started)
            first_chart_cell.append(cell_at[0])

    try:
        client.wait_for_ready(timeout=60)
        ready = time.perf_counter() - started  # the floor: a kernel that has done nothing yet
        errors = 0
        pid = manager.provisioner.pid if manager.provisioner else manager.kernel.pid
        for source in sources:
            cell_at[0] += 1
            cell_started = time.perf_counter()
            reply = client.execute_interactive(source, output_hook=hook, timeout=timeout)
            errors += reply["content"]["status"] != "ok"
            if cells:
                rss, peak, anon = _memory_mb(pid)
                print(f"  {time.perf_counter() - cell_started:6.2f} s  RSS {rss:5.0f}  anon {anon:5.0f}  "
                      f"peak {peak:5.0f}  {source.splitlines()[0][:64]}", flush=True)
        ran = time.perf_counter() - started
        rss, peak, anon = _memory_mb(pid)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return {"lesson": name, "kernel_ready_s": round(ready, 2),
            "first_chart_s": round(first_chart[0], 2) if first_chart else None,
            "first_chart_cell": first_chart_cell[0] if first_chart_cell else None,
            "run_all_s": round(ran, 1), "rss_mb": round(rss), "anon_mb": round(anon),
            "peak_mb": round(peak), "errors": errors}


def main(argv: list[str] | None = None) -> list[dict]:
    args = list(argv or [])
    cells = "--cells" in args
    warm = "--warm-libraries" in args
    wanted = [a for a in args if not a.startswith("--")]  # lesson numbers ("02", ...); none means every lesson
    lessons = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
               if not wanted or any(p.name.startswith(w) for w in wanted)]
    rows = []
    if not warm:
        dropped = drop_cached_libraries()
        print(f"page cache: {dropped} shared-library files of {sys.prefix} dropped (--warm-libraries keeps them)")
    _compile_bytecode()  # also the warm-up: reads what every kernel reads
    load = "/".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"load average (1/5/15 min) at start: {load}; {os.cpu_count()} cores")
    print(f"{'lesson':<44} {'ready s':>7} {'first chart s':>13} {'cell':>4} {'run all s':>9} {'RSS MB':>7} {'anon MB':>8} {'peak MB':>8}")
    runs = [("(imports only)", None)] if not cells else []
    for name, path in [*runs, *((p.stem, p) for p in lessons)]:
        if cells:
            print(name)
        row = (measure_sources(name, [IMPORTS_ONLY]) if path is None
               else measure_lesson(path, cells=cells))
        rows.append(row)
        flags = []
        if row["rss_mb"] > TARGET_MB:
            flags.append(f"RSS > {TARGET_MB} MB")
        if row["first_chart_s"] is not None and row["first_chart_s"] > TARGET_FIRST_CHART_S:
            flags.append(f"first chart > {TARGET_FIRST_CHART_S} s")
        if row["errors"]:
            flags.append(f"{row['errors']} cell(s) failed")
        first = "-" if row["first_chart_s"] is None else f"{row['first_chart_s']:.2f}"
        print(f"{row['lesson']:<44} {row['kernel_ready_s']:>7.2f} {first:>13} {row['first_chart_cell'] or '-':>4} {row['run_all_s']:>9.1f} {row['rss_mb']:>7} {row['anon_mb']:>8} {row['peak_mb']:>8}"
              f"  {'; '.join(flags)}", flush=True)
    if hasattr(os, "getloadavg"):
        print(f"load average (1/5/15 min) at end: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
