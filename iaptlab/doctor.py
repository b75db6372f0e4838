"""``iaptlab doctor``: is this machine ready to show the workbook, and if not, what to do.

Each check is a small function returning a :class:`Finding` (what was found, and what to do in
plain words when it is wrong). Nothing here uses the network: the checks look at the installed
packages, the JupyterLab extensions that draw widgets and charts, the offline chart bundle, and
start a real kernel to see that it can import the workbook.

>>> finding = check_python()
>>> finding.ok
True
"""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LAB_EXTENSIONS", "MIN_PYTHON", "SLOW_IMPORT", "Finding", "check_chart_renderer",
           "check_kernel", "check_offline_assets", "check_packages", "check_python", "check_slow_import",
           "check_widget_renderer", "findings_text", "required_packages", "run_checks"]

MIN_PYTHON = (3, 11)
#: JupyterLab front-end extensions the workbook needs: sliders (ipywidgets) and charts (anywidget).
LAB_EXTENSIONS = {
    "@jupyter-widgets/jupyterlab-manager": "pip install --force-reinstall jupyterlab_widgets",
    "anywidget": "pip install --force-reinstall anywidget",
}
#: A package that makes every kernel start 2 s slower and that nothing in the workbook needs.
SLOW_IMPORT = "rfc3987-syntax"


@dataclass(frozen=True)
class Finding:
    """One check's result; ``fix`` says what to do, in plain words, when ``ok`` is False."""

    check: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # True: works, but worth fixing (not counted as a problem)


def _version_tuple(text: str) -> tuple[int, ...]:
    """Leading numeric parts of a version string.

    >>> _version_tuple("2.4.6"), _version_tuple("1.9.0.post1"), _version_tuple("8.1")
    ((2, 4, 6), (1, 9, 0), (8, 1))
    """
    parts = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if not digits:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def required_packages() -> dict[str, str]:
    """The runtime requirements of the installed ``iaptlab`` as {name: minimum version or ""}.

    >>> "pandas" in required_packages()
    True
    """
    wanted: dict[str, str] = {}
    for line in metadata.requires("iaptlab") or []:
        if "extra ==" in line:
            continue
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(?:>=\s*([0-9][^,;\s]*))?", line)
        if match:
            wanted[match.group(1)] = match.group(2) or ""
    return wanted


def check_python(version: Sequence[int] | None = None) -> Finding:
    """Python must be 3.11 or newer."""
    have = tuple((version or sys.version_info)[:3])
    shown = ".".join(map(str, have))
    if have[:2] >= MIN_PYTHON:
        return Finding("Python", True, f"Python {shown} ({sys.executable})")
    return Finding("Python", False, f"Python {shown} is too old",
                   "Install Python 3.11 or newer and recreate the environment (make setup).")


def check_packages(wanted: dict[str, str] | None = None,
                   version_of: Callable[[str], str] = metadata.version) -> Finding:
    """Every package iaptlab needs is installed at or above its minimum version."""
    wanted = required_packages() if wanted is None else wanted
    found, missing, old = [], [], []
    for name, minimum in sorted(wanted.items()):
        try:
            have = version_of(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
            continue
        found.append(f"{name} {have}")
        if minimum and _version_tuple(have) < _version_tuple(minimum):
            old.append(f"{name} {have} (needs {minimum} or newer)")
    if missing or old:
        names = " ".join(missing + [item.split()[0] for item in old])
        detail = "; ".join(filter(None, [f"missing: {', '.join(missing)}" if missing else "",
                                         f"too old: {', '.join(old)}" if old else ""]))
        return Finding("packages", False, detail,
                       f'Install or upgrade them: pip install --upgrade {names} '
                       '(or run "make setup" in the workbook folder).')
    return Finding("packages", True, ", ".join(found))


def _labextension_dirs() -> list[Path]:
    from jupyter_core.paths import jupyter_path

    return [Path(p) for p in jupyter_path("labextensions")]


def check_widget_renderer(search: Sequence[Path] | None = None) -> Finding:
    """JupyterLab can draw sliders (ipywidgets) and charts (anywidget) without the internet."""
    search = _labextension_dirs() if search is None else list(search)
    absent = [name for name in LAB_EXTENSIONS
              if not any((base / name / "package.json").is_file() for base in search)]
    if absent:
        fixes = "; ".join(LAB_EXTENSIONS[name] for name in absent)
        return Finding("widget renderer", False,
                       f"JupyterLab extension(s) not found: {', '.join(absent)} (looked in "
                       f"{len(search)} folders) - sliders or charts would show as plain text",
                       f"{fixes}; then restart JupyterLab and reload the page.")
    return Finding("widget renderer", True, "JupyterLab extensions for widgets and charts are installed")


def check_chart_renderer() -> Finding:
    """Charts use Altair's offline interactive renderer (or say why they fall back)."""
    from . import charts

    forced = os.environ.get("IAPTLAB_RENDERER", "")
    try:
        active = charts.use_offline_renderer()
    except Exception as err:  # noqa: BLE001 - any failure here is the finding
        return Finding("chart renderer", False, f"no offline chart renderer: {err}",
                       "pip install --upgrade vl-convert-python anywidget")
    if active == "jupyter":
        return Finding("chart renderer", True, "interactive charts, drawn offline (Altair 'jupyter' renderer)")
    if forced.strip().lower() == "svg":
        return Finding("chart renderer", True, "static SVG charts (IAPTLAB_RENDERER=svg is set)",
                       "Unset IAPTLAB_RENDERER for interactive charts.", warning=True)
    return Finding("chart renderer", False, "charts fall back to static pictures (anywidget missing)",
                   "pip install anywidget, then restart the kernel.")


def check_offline_assets() -> Finding:
    """The chart JavaScript is bundled locally (no CDN) and a chart renders to SVG offline."""
    try:
        from . import charts

        started = time.perf_counter()
        bundle = charts.offline_chart_bundle()
        svg = charts.vega_lite_svg({"mark": "bar", "data": {"values": [{"a": 1}]},
                                    "encoding": {"x": {"field": "a", "type": "quantitative"}}})
        seconds = time.perf_counter() - started
    except Exception as err:  # noqa: BLE001
        return Finding("offline chart assets", False, f"cannot build the offline chart bundle: {err}",
                       "pip install --upgrade --force-reinstall vl-convert-python altair")
    remote = re.findall(r"""(?:from|import)\s*["'](https?://[^"']+)""", bundle)
    if remote or "<svg" not in svg:
        return Finding("offline chart assets", False,
                       f"the chart bundle still loads {remote[0] if remote else 'nothing usable'}",
                       "pip install --upgrade vl-convert-python altair (versions that bundle Vega offline)")
    return Finding("offline chart assets", True,
                   f"Vega bundle built locally ({len(bundle) // 1024} KB, no web address) and a "
                   f"test chart drawn in {seconds:.1f} s")


def check_kernel(kernel_name: str = "python3", timeout: float = 60) -> Finding:
    """A notebook kernel starts and can import the workbook (the same Python as this one)."""
    try:
        from jupyter_client.manager import start_new_kernel
    except ImportError:
        return Finding("kernel", False, "jupyter_client is not installed", "pip install jupyterlab")
    started = time.perf_counter()
    try:
        manager, client = start_new_kernel(kernel_name=kernel_name, startup_timeout=timeout,
                                           stderr=subprocess.DEVNULL)
    except Exception as err:  # noqa: BLE001
        return Finding("kernel", False, f"the '{kernel_name}' kernel does not start: {err}",
                       "python -m ipykernel install --sys-prefix, then try again.")
    printed: list[str] = []
    try:
        code = "import sys, iaptlab, altair, ipywidgets; print(sys.executable, iaptlab.__version__)"
        reply = client.execute_interactive(
            code, timeout=timeout, output_hook=lambda m: printed.append(m["content"].get("text", ""))
            if m["msg_type"] == "stream" else None)
        seconds = time.perf_counter() - started
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    if reply["content"]["status"] != "ok":
        return Finding("kernel", False,
                       f"the kernel starts but cannot import the workbook: {reply['content'].get('evalue')}",
                       "The notebook kernel runs a different Python. In this environment run: "
                       "python -m ipykernel install --sys-prefix, and choose that kernel.")
    kernel_python = "".join(printed).split()[0] if printed else "?"
    return Finding("kernel", True, f"kernel started and imported iaptlab in {seconds:.1f} s ({kernel_python})")


def check_slow_import() -> Finding:
    """rfc3987-syntax adds ~2 s to every kernel start and chart import; the workbook never needs it."""
    if importlib.util.find_spec("rfc3987_syntax") is None:
        return Finding("start-up speed", True, f"{SLOW_IMPORT} is not installed (kernels start fast)")
    return Finding("start-up speed", True, f"{SLOW_IMPORT} is installed: each kernel starts ~2 s slower",
                   f"pip uninstall -y {SLOW_IMPORT} (nothing in the workbook needs it)", warning=True)


def run_checks(*, kernel: bool = True) -> list[Finding]:
    """Every check, cheapest first; ``kernel=False`` skips starting a kernel."""
    checks: list[Callable[[], Finding]] = [check_python, check_packages, check_widget_renderer,
                                           check_chart_renderer, check_offline_assets, check_slow_import]
    if kernel:
        checks.append(check_kernel)
    return [check() for check in checks]


def findings_text(findings: Sequence[Finding]) -> str:
    """The findings as plain text: one line each, then what to fix.

    >>> print(findings_text([Finding("Python", True, "Python 3.11.7"), Finding("kernel", False, "no", "do x")]))
    ok    Python: Python 3.11.7
    FIX   kernel: no
          -> do x
    1 problem to fix (see FIX above).
    """
    lines = []
    for finding in findings:
        tag = "ok" if finding.ok and not finding.warning else ("note" if finding.ok else "FIX")
        lines.append(f"{tag:<5} {finding.check}: {finding.detail}")
        if finding.fix and (not finding.ok or finding.warning):
            lines.append(f"      -> {finding.fix}")
    problems = sum(not f.ok for f in findings)
    lines.append("All checks passed: charts and sliders should render, offline."
                 if not problems else f"{problems} problem{'s' if problems != 1 else ''} to fix (see FIX above).")
    return "\n".join(lines)
