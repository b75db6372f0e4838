"""Latency of every explorer as a learner feels it: a key press until the chart is redrawn.

Starts JupyterLab on 127.0.0.1 (throw-away copy of the notebooks, random token), opens one
notebook that shows every explorer in ``iaptlab.explorers.REGISTRY`` (one cell each, with the
renderer the lessons use, ``setup()``), in Debian's Chromium with every off-host request
blocked. On each explorer it presses a key ``--moves`` times (default 40): an arrow key on the
first slider, else Space on a check box, else Space on the next radio button. The first move
after the notebook has run is included (and shown on its own). For each move the page records
``performance.now()`` at the key event and again when the chart has changed and been painted (a
MutationObserver on the chart, then the next animation frame); the next move waits for it.

The path that answered: ``browser`` when the page computed the moves itself (the live chart
marks its element ``data-iaptlab-path="browser"``, and the kernel recorded no refresh), ``kernel``
when the kernel recorded one refresh per move (``box.refresh_seconds``, read back from the kernel,
whose median is also shown). Any p95 above 50 ms is flagged.

    .venv/bin/python benchmarks/browser_latency.py [--moves 40] [--only 02.thresholds]
    .venv/bin/python benchmarks/browser_latency.py --quick    # 3 moves of one explorer (CI)

After the explorers, a kernel-path explorer that does no work (:data:`FLOOR_KEY`) is measured the
same way: the floor of any explorer the kernel answers (``--no-floor`` leaves it out).
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
import harness  # noqa: E402

TARGET_P95_MS = 50
BENCH_NOTEBOOK = "bench_explorers.ipynb"

#: Installs the page-side stopwatch on explorer number ``index``: key event -> chart changed -> painted.
_INSTRUMENT_JS = """(index) => {
  const explorer = document.querySelectorAll('.jp-Notebook .iaptlab-explorer')[index];
  const chart = explorer.querySelector('.iaptlab-chart');
  const state = {input: null, drawn: [], pressed: null, arrived: [], applied: []};
  window.__iaptlabStopwatch = state;
  explorer.addEventListener('keydown', () => { state.input = state.pressed = performance.now(); }, true);
  // the kernel path's own marks (live_chart.js): when its update arrived, when the chart had it
  explorer.addEventListener('iaptlab-drawn', (event) => {
    if (state.pressed === null) return;
    state.arrived.push(event.detail.received - state.pressed);
    state.applied.push(event.detail.drawn - event.detail.received);
  });
  new MutationObserver(() => {
    if (state.input === null) return;
    const started = state.input;
    state.input = null;
    requestAnimationFrame(() => { state.drawn.push(performance.now() - started); });
  }).observe(chart, {childList: true, subtree: true, attributes: true, characterData: true});
  return true;
}"""

#: What to press on explorer ``index``: ["slider", value, min, max] | ["checkbox"] | ["radio", n] | null.
_CONTROL_JS = """(index) => {
  const e = document.querySelectorAll('.jp-Notebook .iaptlab-explorer')[index];
  if (e.querySelector('.widget-slider .noUi-handle')) {
    const input = e.querySelector('.iaptlab-number input');
    return input ? ['slider', Number(input.value), Number(input.min), Number(input.max)] : ['slider', 0, 0, 5];
  }
  if (e.querySelector('.widget-checkbox input')) return ['checkbox'];
  const radios = e.querySelectorAll('.widget-radio-box input');
  return radios.length > 1 ? ['radio', radios.length] : null;
}"""


#: Not an explorer of the registry: a kernel-path explorer whose compute does no work (one bar, one
#: number), measured like the others. Its times are the floor of the kernel path on this machine:
#: the page -> server -> kernel -> server -> page round trip of a widget message, the refill of a
#: one-bar chart, and Vega's redraw.
FLOOR_KEY = "floor.kernel_no_work"
_FLOOR_SOURCE = """import altair as alt
import pandas as pd
from iaptlab.charts.layout import refill
from iaptlab import widgets
_floor_template = alt.Chart().mark_bar().encode(x=alt.X("n:Q", scale=alt.Scale(domain=[0, 10])), y="k:N")
def _no_work(n=0):
    data = pd.DataFrame({"k": ["n"], "n": [n]})
    return widgets.Result(data, refill(_floor_template, data, description=f"n = {n}"), f"n is {n}.")
widgets.show(_no_work, (widgets.Control("n", "A control that computes nothing", "int", 0, 0, 10),),
             title="Floor: a kernel-path explorer that does no work")"""


def notebook_text(keys: list[str]) -> str:
    """A notebook showing each explorer in ``keys`` live, one cell each, as the lessons set up
    (:data:`FLOOR_KEY` shows the no-work explorer)."""
    cells = [{"cell_type": "code", "execution_count": None, "id": "setup", "metadata": {}, "outputs": [],
              "source": "from iaptlab.notebook import setup\nprint(setup())\nfrom iaptlab.explorers import show"}]
    cells += [{"cell_type": "code", "execution_count": None, "id": f"e{i}", "metadata": {}, "outputs": [],
               "source": _FLOOR_SOURCE if key == FLOOR_KEY else f"show({key!r})"} for i, key in enumerate(keys)]
    notebook = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
                "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                             "language_info": {"name": "python"}}}
    return json.dumps(notebook, indent=1)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0-1) of a non-empty list.

    >>> percentile([1, 2, 3, 4], 0.5), percentile([1, 2, 3, 4], 0.95)
    (2, 4)
    """
    ordered = sorted(values)
    rank = max(1, int(-(-share * len(ordered) // 1)))  # ceil(share * n), at least 1
    return ordered[rank - 1]


def _presses(page, index: int, moves: int):
    """(locator to focus, key) for each move, keeping a slider inside its range."""
    explorer = page.locator(".jp-Notebook .iaptlab-explorer").nth(index)
    kind = page.evaluate(_CONTROL_JS, index)
    if kind is None:
        return []
    if kind[0] == "slider":
        _, value, low, high = kind
        span = int(max(1, min(5, max(high - value, value - low))))
        first, back = ("ArrowRight", "ArrowLeft") if high - value >= value - low else ("ArrowLeft", "ArrowRight")
        cycle = [first] * span + [back] * span
        handle = explorer.locator(".widget-slider .noUi-handle").first
        return [(handle, cycle[i % len(cycle)]) for i in range(moves)]
    if kind[0] == "checkbox":
        box = explorer.locator(".widget-checkbox input").first
        return [(box, "Space")] * moves
    radios = explorer.locator(".widget-radio-box input")
    checked = page.evaluate("""(index) => Array.from(document.querySelectorAll('.jp-Notebook .iaptlab-explorer')[index]
        .querySelectorAll('.widget-radio-box input')).findIndex(r => r.checked)""", index)
    other = 1 if checked == 0 else 0
    return [(radios.nth(other if i % 2 == 0 else checked), "Space") for i in range(moves)]


def measure_explorer(page, index: int, moves: int, timeout_s: float = 30) -> list[float]:
    """End-to-end milliseconds for ``moves`` key presses on explorer ``index`` (first move first)."""
    page.evaluate(_INSTRUMENT_JS, index)
    presses = _presses(page, index, moves)
    if not presses:
        return []
    presses[0][0].scroll_into_view_if_needed()
    focused = None
    for done, (target, key) in enumerate(presses, start=1):
        if target != focused:
            target.focus()
            focused = target
        page.keyboard.press(key)
        page.wait_for_function(f"() => window.__iaptlabStopwatch.drawn.length >= {done}",
                               timeout=timeout_s * 1000)
        page.wait_for_timeout(60)  # let the sentence and table land before the next move
    return page.evaluate("() => window.__iaptlabStopwatch.drawn")


def page_breakdown(page) -> dict[str, float | None]:
    """Medians (ms) of the kernel path's marks for the moves just measured: key press -> its update
    arrived in the page (``arrived``: the round trip and the kernel's work), and update arrived ->
    chart changed (``applied``: the changeset run by Vega). None where the page answered itself."""
    marks = page.evaluate("() => ({arrived: window.__iaptlabStopwatch.arrived, applied: window.__iaptlabStopwatch.applied})")
    return {name: round(statistics.median(values), 1) if values else None for name, values in marks.items()}


def page_path(page, index: int) -> str | None:
    """The path the live chart of explorer ``index`` says answered its last move, if it says."""
    return page.evaluate("""(index) => {
      const chart = document.querySelectorAll('.jp-Notebook .iaptlab-explorer')[index].querySelector('.iaptlab-chart');
      const marked = chart && chart.querySelector('[data-iaptlab-path]');
      return marked ? marked.dataset.iaptlabPath : null;
    }""", index)


def kernel_timings(server, notebook: str) -> list[list[float]]:
    """Each explorer's refresh times in ms, in page order (explorers are cell results in ``Out``)."""
    client = harness.kernel_for(server, notebook)
    try:
        return harness.kernel_eval_json(client, (
            "import json as _j\n"
            "print(_j.dumps([[1000 * t for t in v.refresh_seconds] for _, v in sorted(Out.items())"
            " if hasattr(v, 'refresh_seconds')]))"))
    finally:
        client.stop_channels()


def kernel_round_trip_ms(server, notebook: str, repeats: int = 30) -> float:
    """The floor: median ms of an empty execute request to the notebook's kernel and its reply."""
    client = harness.kernel_for(server, notebook)
    try:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            client.execute_interactive("pass", store_history=False, timeout=10)
            times.append(1000 * (time.perf_counter() - started))
        return statistics.median(times)
    finally:
        client.stop_channels()


def summarise(key: str, page_ms: list[float], kernel_ms: list[float], marked: str | None = None) -> dict:
    """One table row: p50, p95, the first move, the path that answered and the kernel's median.

    >>> summarise("x", [10, 20, 30], [], "browser")["path"], summarise("x", [10], [5.0])["path"]
    ('browser', 'kernel')
    """
    p50, p95 = percentile(page_ms, 0.50), percentile(page_ms, 0.95)
    path = "kernel" if len(kernel_ms) >= len(page_ms) else "browser"
    if marked == "browser" and kernel_ms:
        path = "both"  # the page answered, yet the kernel refreshed too: a double update
    return {"explorer": key, "moves": len(page_ms), "first_ms": round(page_ms[0]), "p50_ms": round(p50),
            "p95_ms": round(p95), "max_ms": round(max(page_ms)), "path": path,
            "kernel_p50_ms": round(statistics.median(kernel_ms), 1) if kernel_ms else None,
            "over_target": p95 > TARGET_P95_MS}


def bench(browser, server, keys: list[str], moves: int, *, notebook: str = BENCH_NOTEBOOK) -> dict:
    """Measure each explorer in ``keys`` on a running JupyterLab ``server``; rows and the floor."""
    (server.root / notebook).write_text(notebook_text(keys))
    guard = harness.OfflineGuard()
    context = harness.new_context(browser, guard)
    page = context.new_page()
    try:
        harness.open_notebook(page, server, notebook)
        _, summary = harness.run_all(page)
        if harness.problems(summary):
            raise RuntimeError(f"{notebook} does not run clean: {harness.problems(summary)}")
        measured = []
        for index, key in enumerate(keys):
            print(f"  explorer {index + 1}/{len(keys)} {key}", file=sys.stderr, flush=True)
            page_ms = measure_explorer(page, index, moves)
            measured.append((key, page_ms, page_path(page, index), page_breakdown(page)))
        kernel = kernel_timings(server, notebook)
        rows = []
        for index, (key, page_ms, marked, breakdown) in enumerate(measured):
            if not page_ms:
                rows.append({"explorer": key, "moves": 0, "path": "no control to press"})
                continue
            # the refreshes after the first draw, i.e. one per move answered by the kernel
            kernel_ms = kernel[index][1:] if index < len(kernel) else []
            rows.append({**summarise(key, page_ms, kernel_ms, marked),
                         "arrived_p50_ms": breakdown["arrived"], "applied_p50_ms": breakdown["applied"]})
        floor = kernel_round_trip_ms(server, notebook)
        return {"rows": rows, "kernel_round_trip_ms": round(floor, 1), "blocked_requests": len(guard.blocked)}
    finally:
        context.close()
        harness.shut_down_kernels(server)


def table(result: dict) -> str:
    """The printed table: one row per explorer, misses flagged."""
    lines = [f"{'explorer':<26} {'moves':>5} {'first':>6} {'p50':>5} {'p95':>5} {'path':>7} {'kernel p50':>10}"
             f" {'arrived':>8} {'applied':>8}"]
    for row in result["rows"]:
        if not row["moves"]:
            lines.append(f"{row['explorer']:<26} {row['path']}")
            continue
        kernel = "" if row["kernel_p50_ms"] is None else f"{row['kernel_p50_ms']:.1f}"
        arrived, applied = ("" if row.get(k) is None else f"{row[k]:.1f}" for k in ("arrived_p50_ms", "applied_p50_ms"))
        flag = f"  p95 > {TARGET_P95_MS} ms" if row["over_target"] else ""
        lines.append(f"{row['explorer']:<26} {row['moves']:>5} {row['first_ms']:>6} {row['p50_ms']:>5} "
                     f"{row['p95_ms']:>5} {row['path']:>7} {kernel:>10} {arrived:>8} {applied:>8}{flag}")
    lines.append("kernel path, medians: 'arrived' = key press -> the kernel's update reached the page; "
                 "'applied' = update -> chart changed")
    lines.append(f"floor: an empty kernel round trip (execute 'pass') takes {result['kernel_round_trip_ms']} ms "
                 "(median, from Python; the page's widget messages take the same route)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=40, help="key presses per explorer (>= 30)")
    parser.add_argument("--only", action="append", help="an explorer key (repeatable); default every one")
    parser.add_argument("--quick", action="store_true", help="3 moves of lesson 02's threshold explorer")
    parser.add_argument("--no-floor", action="store_true",
                        help="leave out the kernel-path explorer that does no work (the floor)")
    parser.add_argument("--json", type=Path, default=harness.REPO / "build" / "browser" / "latency.json")
    args = parser.parse_args(argv)
    if args.moves < 30 and not args.quick:
        parser.error("--moves must be at least 30")
    from iaptlab.explorers import REGISTRY

    keys = [harness.EXPLORER_KEY] if args.quick else (args.only or list(REGISTRY))
    unknown = [k for k in keys if k not in REGISTRY]
    if unknown:
        parser.error(f"unknown explorer(s) {unknown}; known: {', '.join(REGISTRY)}")
    if not (args.quick or args.no_floor):
        keys.append(FLOOR_KEY)
    moves = 3 if args.quick else args.moves
    reason = harness.browser_missing()
    if reason:
        print(f"cannot run the browser benchmark: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the server is still stopped
    server = harness.start_server("lab")
    started = time.perf_counter()
    try:
        with sync_playwright() as playwright:
            browser = harness.launch_browser(playwright)
            result = bench(browser, server, keys, moves)
            browser.close()
    finally:
        server.stop()
    print(f"Key press -> chart redrawn in the page (JupyterLab, Chromium), {moves} moves per explorer, "
          f"target p95 <= {TARGET_P95_MS} ms:")
    print(table(result))
    print(f"off-host requests blocked: {result['blocked_requests']}; total time "
          f"{time.perf_counter() - started:.0f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    return 0 if result["blocked_requests"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
