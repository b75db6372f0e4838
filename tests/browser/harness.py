"""Drive the workbook in a real browser: JupyterLab or Voilà on 127.0.0.1, Debian's Chromium.

Shared by ``tests/browser`` and ``benchmarks/browser_latency.py``. Nothing here downloads a
browser (Playwright is pointed at ``/usr/bin/chromium``), and every request that is not to
127.0.0.1 is blocked and recorded, so a test can assert the page tried to reach nothing else.

The server runs in a throw-away directory (a copy of the notebooks, its own settings, workspaces,
runtime and IPython dirs), so running lessons never writes into the repository, and it is stopped
by its own process id.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from iaptlab.workbook import LAB_SETTINGS as WORKBOOK_LAB_SETTINGS

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
CHROMIUM = Path(os.environ.get("IAPTLAB_CHROMIUM", "/usr/bin/chromium"))
LOOPBACK = "127.0.0.1"
#: Chromium flags: headless, no sandbox (root in CI), and no background traffic of its own. The
#: resolver rule makes any host but 127.0.0.1 unresolvable, a second lock behind the request
#: filter (which is what the tests count).
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-dev-shm-usage",
    f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {LOOPBACK}",
)
#: JupyterLab settings for the throw-away settings dir: the workbook's own (no news or update
#: checks, the preferred kernel started without a dialog: iaptlab.workbook.LAB_SETTINGS) plus, for
#: the tests only, no toasts, no autosave and every cell in the DOM (no virtual scrolling), so each
#: chart and explorer can be checked.
_TEST_ONLY_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"doNotDisturbMode": True},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
LAB_SETTINGS = {rel: {**WORKBOOK_LAB_SETTINGS.get(rel, {}), **_TEST_ONLY_SETTINGS.get(rel, {})}
                for rel in {**WORKBOOK_LAB_SETTINGS, **_TEST_ONLY_SETTINGS}}


def lesson_paths() -> list[Path]:
    """Every lesson notebook in the repository (``notebooks/NN_*.ipynb``), in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def browser_missing() -> str:
    """Why the browser tests cannot run here, or "" when they can."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set IAPTLAB_CHROMIUM)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[browser]')"
    return ""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A JupyterLab or Voilà process serving a throw-away copy of ``notebooks/``."""

    kind: str  # "lab" or "voila"
    root: Path
    port: int
    token: str
    process: subprocess.Popen
    log_path: Path
    started_seconds: float

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def lab_url(self, notebook: str, workspace: str) -> str:
        """The URL that opens ``notebook`` alone in a fresh workspace (``reset`` drops old tabs)."""
        return f"{self.base}/lab/workspaces/{workspace}/tree/{notebook}?token={self.token}&reset"

    def voila_url(self, notebook: str) -> str:
        return f"{self.base}/voila/render/{notebook}?token={self.token}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the server we started, by its process id (its kernels are its children)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def isolated_env(scratch: Path) -> dict[str, str]:
    """This environment with Jupyter's config, data, runtime and IPython dirs under ``scratch``
    (a fresh profile: nothing from the user's own JupyterLab settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IAPTLAB_RENDERER"))}
    for name in ("config", "data", "runtime", "ipython"):
        (scratch / name).mkdir(parents=True, exist_ok=True)
    env.update(JUPYTER_CONFIG_DIR=str(scratch / "config"), JUPYTER_DATA_DIR=str(scratch / "data"),
               JUPYTER_RUNTIME_DIR=str(scratch / "runtime"), IPYTHONDIR=str(scratch / "ipython"),
               JUPYTER_PLATFORM_DIRS="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def start_server(kind: str = "lab", *, extra_files: dict[str, str] | None = None,
                 timeout: float = 60) -> Server:
    """Start JupyterLab (``kind="lab"``) or Voilà on a free 127.0.0.1 port with a random token.

    ``extra_files`` (relative path -> text) are written into the served copy, e.g. a generated
    notebook. Returns once the server answers; raises RuntimeError with its log otherwise.
    """
    scratch = Path(tempfile.mkdtemp(prefix=f"iaptlab-{kind}-"))
    root = scratch / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for rel, text in (extra_files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    env = isolated_env(scratch)
    port, token = free_port(), secrets.token_hex(24)
    common = [f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1",
              f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--no-browser"]
    if os.geteuid() == 0:
        common.append("--allow-root")
    if kind == "lab":
        settings = scratch / "settings"
        for rel, value in LAB_SETTINGS.items():
            (settings / rel).parent.mkdir(parents=True, exist_ok=True)
            (settings / rel).write_text(json.dumps(value))
        command = [sys.executable, "-m", "jupyterlab", *common,
                   f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={scratch / 'ws'}",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    elif kind == "voila":
        from iaptlab.cli import OFFLINE_TEMPLATE, write_offline_template

        write_offline_template(scratch / "share")
        env["JUPYTER_PATH"] = str(scratch / "share")
        command = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}", f"--token={token}",
                   "--Voila.ip=127.0.0.1", f"--Voila.root_dir={root}", "--theme=light",
                   f"--template={OFFLINE_TEMPLATE}", "--VoilaConfiguration.show_tracebacks=True"]
    else:
        raise ValueError(f"kind must be 'lab' or 'voila', got {kind!r}")
    log_path = scratch / "server.log"
    started = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(kind, root, port, token, process, log_path, 0.0)
    probe = f"{server.base}/{'api/status' if kind == 'lab' else 'voila/tree'}?token={token}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{kind} server exited with {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as reply:
                if reply.status == 200:
                    server.started_seconds = time.perf_counter() - started
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{kind} server not up after {timeout} s:\n{server.log()}")


@dataclass
class OfflineGuard:
    """Lets requests to 127.0.0.1 through and blocks (and records) every other one."""

    blocked: list[str] = field(default_factory=list)
    allowed: int = 0

    def handle(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname == LOOPBACK:
            self.allowed += 1
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def watch_websocket(self, websocket) -> None:
        if urlsplit(websocket.url).hostname != LOOPBACK:
            self.blocked.append(websocket.url)

    def install(self, context) -> None:
        context.route("**/*", self.handle)
        context.on("page", lambda page: page.on("websocket", self.watch_websocket))


def launch_browser(playwright):
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))


def new_context(browser, guard: OfflineGuard, *, width: int = 1400, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height})
    guard.install(context)
    return context


# ------------------------------------------------------------------ JupyterLab page helpers

#: Text that means an output failed to show, whatever the cell printed.
FAILURE_TEXTS = ("Error displaying widget", "Error rendering output item", "JavaScript Error",
                 "Failed to load model class", "model not found", "Error loading script")
#: Page-side summary of a notebook's outputs after Run All.
_SUMMARY_JS = """() => {
  const text = (e) => (e.innerText || '').trim();
  const outputs = Array.from(document.querySelectorAll('.jp-Notebook .jp-OutputArea-output'));
  const charts = Array.from(document.querySelectorAll('.jp-Notebook .vega-embed')).map(e => {
    const g = e.querySelector('svg.marks, canvas.marks, svg, canvas');
    const box = g ? g.getBoundingClientRect() : {width: 0, height: 0};
    return {drawn: !!g && box.width > 0 && box.height > 0,
            label: (e.querySelector('[aria-label]') || e).getAttribute('aria-label') || ''};
  });
  const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).map(c => {
    const p = c.querySelector('.jp-InputArea-prompt');
    const src = c.querySelector('.jp-InputArea-editor');
    return {prompt: p ? text(p) : '', empty: src ? text(src) === '' : true};
  });
  return {
    prompts,
    stderr: outputs.filter(o => o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr')
                   .map(text),
    texts: outputs.map(text),
    charts,
    explorers: document.querySelectorAll('.jp-Notebook .iaptlab-explorer').length,
    static_defaults: document.querySelectorAll('.jp-Notebook .iaptlab-static-default').length,
  };
}"""


#: True once the status bar shows a started kernel that is idle ("Python 3 (ipykernel) | Idle").
_KERNEL_IDLE_JS = """() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
  .some(e => / \\| Idle/.test(e.textContent) && !/No Kernel/.test(e.textContent))"""
_PROGRESS_JS = """() => {
  const cells = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'));
  const prompt = (c) => (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '';
  const empty = (c) => ((c.querySelector('.jp-InputArea-editor') || {}).innerText || '').trim() === '';
  return {busy: cells.some(c => prompt(c).includes('*')),
          all_ran: cells.every(c => empty(c) || /[0-9]/.test(prompt(c)))};
}"""


def open_notebook(page, server: Server, notebook: str, *, timeout_ms: int = 90_000) -> float:
    """Open ``notebook`` in its own fresh workspace; wait for an idle kernel. Returns seconds."""
    started = time.perf_counter()
    workspace = "w" + secrets.token_hex(4)
    page.goto(server.lab_url(notebook, workspace), wait_until="commit")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout_ms)
    page.wait_for_function(_KERNEL_IDLE_JS, timeout=timeout_ms)
    return time.perf_counter() - started


def run_all(page, *, timeout_s: float = 240) -> tuple[float, dict]:
    """Run All Cells; wait until no cell is running and the kernel is idle. Returns (seconds, summary)."""
    started = time.perf_counter()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        state = page.evaluate(_PROGRESS_JS)
        idle = page.evaluate(_KERNEL_IDLE_JS)
        if not state["busy"] and idle and (state["all_ran"] or time.perf_counter() - started > 5):
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 1.5:  # charts draw after the kernel is idle
                break
        else:
            quiet_since = None
        time.sleep(0.25)
    else:
        raise TimeoutError(f"notebook still running after {timeout_s} s")
    elapsed = time.perf_counter() - started
    page.wait_for_timeout(500)
    return elapsed, page.evaluate(_SUMMARY_JS)


def problems(summary: dict) -> list[str]:
    """Everything a presenter would not want to see, in words (empty when the lesson is clean)."""
    found = []
    for index, cell in enumerate(summary["prompts"], start=1):
        if not cell["empty"] and not any(ch.isdigit() for ch in cell["prompt"]):
            found.append(f"code cell {index} did not run (prompt {cell['prompt']!r})")
    found += [f"error or warning output: {text[:400]}" for text in summary["stderr"]]
    for text in summary["texts"]:
        hits = [t for t in FAILURE_TEXTS if t in text]
        if hits:
            found.append(f"output shows {hits[0]!r}: {text[:300]}")
        if "JupyterChart(" in text or "VegaLite 6 object" in text or "alt.Chart(...)" in text:
            found.append(f"a chart fell back to text: {text[:200]}")
    blank = [i for i, chart in enumerate(summary["charts"], start=1) if not chart["drawn"]]
    found += [f"chart {i} of {len(summary['charts'])} is blank (no svg/canvas drawn)" for i in blank]
    if summary["static_defaults"] != summary["explorers"]:
        found.append(f"{summary['static_defaults']} explorer default(s) shown but "
                     f"{summary['explorers']} live explorer(s) on the page")
    return found


def screenshot_whole_notebook(page, path: Path, *, page_height: int = 8_000) -> list[Path]:
    """PNGs of the whole notebook: the viewport is stretched (up to ``page_height`` px) and the
    notebook scrolled page by page; returns ``path`` and, for long lessons, ``path-2.png``, ..."""
    scroller = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
    total = page.evaluate(f"() => document.querySelector('{scroller}').scrollHeight")
    size = page.viewport_size or {"width": 1400, "height": 1000}
    chrome = size["height"] - page.evaluate(f"() => document.querySelector('{scroller}').clientHeight")
    view = int(min(page_height, total + chrome))
    page.set_viewport_size({"width": size["width"], "height": view})
    step = view - chrome
    shots = []
    path.parent.mkdir(parents=True, exist_ok=True)
    for index, top in enumerate(range(0, max(total, 1), max(step, 1))):
        page.evaluate(f"() => {{ document.querySelector('{scroller}').scrollTop = {top}; }}")
        page.wait_for_timeout(400)
        target = path if index == 0 else path.with_name(f"{path.stem}-{index + 1}{path.suffix}")
        page.screenshot(path=str(target))
        shots.append(target)
    page.set_viewport_size(size)
    return shots


def shut_down_kernels(server: Server) -> int:
    """Shut down every kernel the server runs (each lesson leaves one); returns how many."""
    base, token = server.base, server.token
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=10) as reply:
        kernels = json.load(reply)
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={token}",
                                         method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()
    return len(kernels)


#: The explorer the browser tests and the latency benchmark drive (a key of ``iaptlab.explorers.REGISTRY``).
EXPLORER_KEY = "02.thresholds"


def explorer_notebook() -> str:
    """A one-cell notebook showing lesson 02's threshold explorer over the lesson cohort, as the
    lesson does (``setup()``, then ``show``); used by the latency benchmark and as a stand-in
    until ``notebooks/02_*.ipynb`` exists."""
    source = (
        "from iaptlab.notebook import setup\n"
        "print(setup())\n"
        "from iaptlab.explorers import show\n"
        f"explorer = show({EXPLORER_KEY!r})\n"
        "explorer"
    )
    notebook = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "explorer", "metadata": {},
                   "outputs": [], "source": source}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1)


def kernel_for(server: Server, notebook: str):
    """A second client on the kernel running ``notebook`` (to ask it for timings)."""
    from jupyter_client import BlockingKernelClient

    with urllib.request.urlopen(f"{server.base}/api/sessions?token={server.token}", timeout=10) as reply:
        sessions = json.load(reply)
    kernel_id = next(s["kernel"]["id"] for s in sessions if s["path"].endswith(notebook))
    client = BlockingKernelClient()
    client.load_connection_file(str(server.root.parent / "runtime" / f"kernel-{kernel_id}.json"))
    client.start_channels()
    client.wait_for_ready(timeout=30)
    return client


def kernel_eval_json(client, code: str, *, timeout: float = 30):
    """Run ``code`` (which prints one JSON value) in the kernel and return the value."""
    printed: list[str] = []

    def hook(message) -> None:
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    reply = client.execute_interactive(code, output_hook=hook, timeout=timeout, store_history=False)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel said: {reply['content'].get('evalue')}")
    return json.loads("".join(printed))


# ------------------------------------------------------------------ layout and accessibility

#: Every explorer part a learner must read whole: labels, controls, values, the reset button,
#: chart text. Returns one line per clipped element ("" list when nothing is clipped).
_CLIPPED_JS = """(scope) => {
  const found = [];
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 2 && r.height > 2; };
  const name = (e) => (e.className && e.className.baseVal === undefined ? e.className : e.tagName) + '';
  const canvas = document.createElement('canvas').getContext('2d');
  for (const root of document.querySelectorAll(scope)) {
    const box = root.getBoundingClientRect();
    const parts = root.querySelectorAll('.widget-label, .widget-label-basic, .widget-checkbox label, ' +
      '.jupyter-button, .widget-inline-hbox, .iaptlab-row, .widget-html, input, select, h4');
    for (const e of parts) {
      if (!visible(e) || e.closest('.iaptlab-number .widget-label') === e) continue;
      const text = (e.innerText || e.value || '').trim().slice(0, 60);
      if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto')
        found.push(`${name(e)} "${text}": content ${e.scrollWidth} px in ${e.clientWidth} px`);
      const r = e.getBoundingClientRect();
      if (r.right > Math.min(box.right, window.innerWidth) + 1 && !e.closest('.iaptlab-table'))
        found.push(`${name(e)} "${text}": right edge ${Math.round(r.right)} px beyond ${Math.round(Math.min(box.right, window.innerWidth))} px`);
      if (e.tagName === 'SELECT') {
        const style = getComputedStyle(e);
        canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const option = e.options[e.selectedIndex];
        const need = canvas.measureText(option ? option.text : '').width + 20;
        if (need > e.clientWidth + 4)
          found.push(`select showing "${option && option.text}": needs ${Math.round(need)} px, has ${e.clientWidth} px`);
      }
    }
    for (const t of root.querySelectorAll('.iaptlab-chart svg text')) {
      if (/\\u2026$/.test(t.textContent)) found.push(`chart text truncated: "${t.textContent}"`);
    }
  }
  return found;
}"""


def clipped_parts(page, scope: str = ".iaptlab-explorer") -> list[str]:
    """Every explorer label, control or chart text that does not show whole (empty when all do)."""
    return page.evaluate(_CLIPPED_JS, scope)


def axe_path() -> Path:
    """axe-core's browser script, as shipped by axe-playwright-python (no download)."""
    from importlib.resources import files

    return Path(str(files("axe_playwright_python") / "axe.min.js"))


#: Marks the output areas holding an explorer (axe's own selector engine has no ``:has``).
_MARK_AXE_SCOPE_JS = """(selector) => {
  let n = 0;
  for (const e of document.querySelectorAll(selector)) { e.setAttribute('data-axe-scope', ''); n++; }
  return n;
}"""


def axe_violations(page, scope: str, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core on the elements matching ``scope``: one line per violation of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path()))
    if page.evaluate(_MARK_AXE_SCOPE_JS, scope) == 0:
        return [f"nothing matches {scope!r}"]
    result = page.evaluate("""async () => {
      const r = await axe.run({include: [['[data-axe-scope]']]}, {resultTypes: ['violations']});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + (n.html || '').slice(0, 120)),
        count: v.nodes.length}));
    }""")
    return [f"{v['impact']} {v['id']} ({v['count']}x): {v['help']} e.g. {v['nodes']}"
            for v in result if v["impact"] in impacts]


def collapse_side_panels(page) -> None:
    """Close JupyterLab's side panels (the file browser), as a learner on a phone would."""
    tabs = page.locator(".jp-SideBar .lm-TabBar-tab.lm-mod-current")
    for _ in range(tabs.count()):  # clicking the current tab closes its panel
        tabs.first.click()
        page.wait_for_timeout(200)


#: The page's chart titles and subtitles, in drawing order (run on the chart's element).
CHART_TITLES_JS = ("(el) => Array.from(el.querySelectorAll('g.role-title-text text, g.role-title-subtitle text'),"
                   " (t) => t.textContent.trim())")


def chart_titles(spec: dict) -> list[str]:
    """A Vega-Lite spec's titles and subtitles in the order the page draws them (see
    :data:`CHART_TITLES_JS`): its own, then each concatenated part's; a title given as lines is
    drawn as one text element (its lines joined)."""
    parts = next((spec[k] for k in ("vconcat", "hconcat", "concat") if isinstance(spec.get(k), list)), [])
    texts = []
    for title in [spec.get("title")] + [part.get("title") for part in parts]:
        if title is None:
            continue
        title = title if isinstance(title, dict) else {"text": title}
        texts += ["".join(title[key]) if isinstance(title[key], list) else title[key]
                  for key in ("text", "subtitle") if key in title]
    return texts


def wait_until(page, read, want, *, timeout_s: float = 20, poll_ms: int = 100):
    """Call ``read()`` every ``poll_ms`` until it returns ``want`` or ``timeout_s`` has passed (by
    the page's clock); return the last value read, for the caller's assertion to show."""
    deadline = page.evaluate("() => performance.now()") + 1000 * timeout_s
    seen = read()
    while seen != want and page.evaluate("() => performance.now()") < deadline:
        page.wait_for_timeout(poll_ms)
        seen = read()
    return seen
