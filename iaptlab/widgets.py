"""Explorers: labelled controls -> a pure function -> chart, small text table and one sentence.

An explorer is data (:class:`Control` specs) plus a pure ``compute(**params) -> Result``. This
module only glues them to ipywidgets: every slider is labelled and paired with a number box, there
is a reset button, and the sentence under the chart updates with it. :func:`show` first displays a
*static* default (chart, table and sentence as ordinary outputs) so a lesson still shows the
numbers if the widget state is lost after a restart or the page is opened without a kernel.

The lessons' explorers are registered in :data:`iaptlab.explorers.REGISTRY`; a notebook shows
one with ``iaptlab.explorers.show("NN.name")``, which calls :func:`show` here. Tests call each
``compute`` directly at every control's minimum, default and maximum (see :func:`sweep`), so no
slider position can crash a lecture.

>>> spec = (Control("k", "Cut-off", "int", 10, 0, 27),)
>>> [p["k"] for p in sweep(spec)]
[0, 10, 27]
"""

from __future__ import annotations

import html
import re
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = ["TIMINGS_KEPT", "BrowserCompute", "ChartSlot", "Control", "ControlKind", "Result", "build",
           "compute_script", "defaults", "settings", "show", "show_static", "sweep", "table_html"]

ControlKind = Literal["int", "float", "choice", "bool"]


@dataclass(frozen=True)
class Control:
    """One labelled control. ``options`` (value, label) pairs are for ``choice``."""

    name: str
    label: str
    kind: ControlKind
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    options: tuple[tuple[Any, str], ...] = ()
    help: str = ""

    def __post_init__(self) -> None:
        if self.kind in ("int", "float"):
            if self.minimum is None or self.maximum is None or not self.minimum <= self.default <= self.maximum:
                raise ParameterError(f"control {self.name}: default {self.default!r} must lie in "
                                     f"[{self.minimum}, {self.maximum}]")
        elif self.kind == "choice":
            if self.default not in [v for v, _ in self.options]:
                raise ParameterError(f"control {self.name}: default {self.default!r} is not an option")
        elif self.kind != "bool":
            raise ParameterError(f"control {self.name}: unknown kind {self.kind!r}")

    def extremes(self) -> list[Any]:
        """The values a test must try: minimum, default, maximum (every option for a choice)."""
        if self.kind == "choice":
            return [v for v, _ in self.options]
        if self.kind == "bool":
            return [False, True]
        return list(dict.fromkeys([self.minimum, self.default, self.maximum]))


@dataclass(frozen=True)
class Result:
    """What an explorer shows: a small table, a chart and one plain-language sentence."""

    table: pd.DataFrame
    chart: Any
    sentence: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BrowserCompute:
    """An explorer's computation as the page runs it: ``script`` (:func:`compute_script`) and the
    JSON-ready ``data`` it takes as ``prepared`` (including ``specs``: each chart structure's
    :func:`iaptlab.charts.live.chart_skeleton`), and each choice control's option values in order (``options``)."""

    script: str
    data: dict
    options: dict = field(default_factory=dict)


def compute_script(name: str) -> str:
    """The page's (and node's) text for explorer script ``name``: ``new Function(text)()`` returns
    its ``compute(prepared, values)``. The scripts ship as package data (``iaptlab/static/compute``).

    >>> "function compute(" in compute_script("predictive_values")
    True
    """
    from importlib.resources import files

    folder = files("iaptlab.static") / "compute"
    parts = [(folder / f"{part}.js").read_text(encoding="utf-8") for part in ("_common", name)]
    return "\n".join(parts) + "\nreturn compute;\n"


def defaults(controls: Sequence[Control]) -> dict[str, Any]:
    """Each control's default value by name.

    >>> defaults((Control("a", "A", "bool", True),))
    {'a': True}
    """
    return {c.name: c.default for c in controls}


def settings(controls: Sequence[Control], values: dict[str, Any]) -> dict[str, Any]:
    """Every control's value: ``values`` over the defaults; a name no control has is an error.

    >>> settings((Control("a", "A", "int", 1, 0, 2),), {"a": 2})
    {'a': 2}
    >>> settings((Control("a", "A", "int", 1, 0, 2),), {"b": 2})
    Traceback (most recent call last):
    ...
    iaptlab.errors.ParameterError: unknown control(s) ['b']; known: ['a']
    """
    unknown = sorted(set(values) - {c.name for c in controls})
    if unknown:
        raise ParameterError(f"unknown control(s) {unknown}; known: {[c.name for c in controls]}")
    return {**defaults(controls), **values}


def sweep(controls: Sequence[Control]) -> Iterator[dict[str, Any]]:
    """Parameter sets moving one control at a time over its extremes, the others at default."""
    base = defaults(controls)
    seen: list[dict[str, Any]] = []
    for control in controls:
        for value in control.extremes():
            params = {**base, control.name: value}
            if params not in seen:
                seen.append(params)
                yield params


def table_html(table: pd.DataFrame, caption: str = "") -> str:
    """A small accessible HTML table (a caption, header cells, no index).

    The text is pandas' ``to_html`` (no index, escaped), with the table's own class and the
    caption. A table of text, whole-number, true/false and plain decimal columns (the explorers'
    tables) is written here, a column at a time, exactly as pandas writes it, at a fifth of the
    cost of a move; any other table is written by pandas itself.

    >>> print(table_html(pd.DataFrame({"rule": ["a<b"], "rate (%)": [50.0]})).replace("  ", ""))
    <table class="iaptlab-table">
    <thead>
    <tr style="text-align: right;">
    <th>rule</th>
    <th>rate (%)</th>
    </tr>
    </thead>
    <tbody>
    <tr>
    <td>a&lt;b</td>
    <td>50.0</td>
    </tr>
    </tbody>
    </table>
    """
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    body = _plain_table_html(table)
    if body is None:
        body = table.to_html(index=False, border=0, classes="iaptlab-table", escape=True)
    return re.sub(r"<table[^>]*>", f'<table class="iaptlab-table">{cap}', body, count=1)


def _html_text(value: str) -> str:
    """A cell's text as pandas' ``to_html(escape=True)`` writes it (&, < and > escaped, tab and
    line breaks written as ``\\t``, ``\\n``, ``\\r``; trimmed; each pair of spaces written
    ``&nbsp;&nbsp;``)."""
    for char, written in _HTML_ESCAPES:
        value = value.replace(char, written)
    return value.strip().replace("  ", "&nbsp;&nbsp;")


_HTML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


_DECIMAL = re.compile(r"^\s*[\+-]?[0-9]+\.[0-9]*$")


def _plain_decimals(values: np.ndarray) -> list[str] | None:
    """Floats as pandas writes them in a table: six decimals, the zeros every number of the column
    ends with dropped (one kept after the point), NaN as "NaN"; None where pandas would write
    another form (scientific notation for values below 1e-6 or above 1e6, infinities)."""
    magnitude = np.abs(values[~np.isnan(values)])
    if not np.isfinite(magnitude).all() or (magnitude > 1e6).any() or ((magnitude < 1e-6) & (magnitude > 0)).any():
        return None
    texts = ["NaN" if value != value else f"{value:.6f}" for value in values.tolist()]
    numbers = [i for i, text in enumerate(texts) if _DECIMAL.match(text)]
    if numbers:
        keep = min(len(texts[i]) - len(texts[i].rstrip("0")) for i in numbers)
        for i in numbers:
            text = texts[i][:len(texts[i]) - keep] if keep else texts[i]
            texts[i] = text + "0" if text.endswith(".") else text
    return texts


def _plain_table_html(table: pd.DataFrame) -> str | None:
    """``table.to_html(index=False, border=0, classes="iaptlab-table", escape=True)`` for a table
    whose columns are all text without missing values, whole numbers, true/false or plain
    decimals (:func:`_plain_decimals`), with distinct text names; None for any other table."""
    names = list(table.columns)
    if len(table) == 0 or not all(isinstance(name, str) for name in names) or len(set(names)) != len(names):
        return None
    if pd.get_option("display.precision") != 6 or pd.get_option("display.float_format") is not None:
        return None  # decimals as the user asked pandas to write them
    columns: list[list[str]] = []
    for name in names:
        column = table[name]
        dtype = column.dtype
        if isinstance(dtype, pd.StringDtype):
            values = column.to_numpy(dtype=object, na_value=None).tolist()
            if any(value is None for value in values):
                return None
            columns.append([_html_text(value) for value in values])
        elif isinstance(dtype, np.dtype) and dtype.kind in "iub":
            columns.append([str(value) for value in column.to_numpy().tolist()])
        elif isinstance(dtype, np.dtype) and dtype.kind == "f":
            texts = _plain_decimals(column.to_numpy(dtype=float))
            if texts is None:
                return None
            columns.append(texts)
        else:
            return None
    head = "".join(f"      <th>{_html_text(name)}</th>\n" for name in names)
    rows = "".join("    <tr>\n" + "".join(f"      <td>{cell}</td>\n" for cell in row) + "    </tr>\n"
                   for row in zip(*columns, strict=True))
    return ('<table class="dataframe iaptlab-table">\n  <thead>\n    <tr style="text-align: right;">\n'
            f"{head}    </tr>\n  </thead>\n  <tbody>\n{rows}  </tbody>\n</table>")


def _widget_for(control: Control):
    """The value widget and the row that shows it. Every part carries the control's label as its
    accessible name: the slider's label, and the number box's own (visually hidden) label."""
    import ipywidgets as w

    style = {"description_width": "initial"}
    if control.kind in ("int", "float"):
        slider_cls, box_cls = (w.IntSlider, w.BoundedIntText) if control.kind == "int" else (
            w.FloatSlider, w.BoundedFloatText)
        step = control.step or (1 if control.kind == "int" else (control.maximum - control.minimum) / 100)
        slider = slider_cls(value=control.default, min=control.minimum, max=control.maximum, step=step,
                            description=control.label, continuous_update=False, style=style,
                            layout=w.Layout(width="auto", max_width="40em"), readout=False,
                            tooltip=control.help or None)
        box = box_cls(value=control.default, min=control.minimum, max=control.maximum, step=step,
                      description=control.label, style=style, layout=w.Layout(width="7em"),
                      tooltip=f"{control.label} (type a value)")
        box.add_class("iaptlab-number")  # linked to the slider by build(), after its refresh
        row = w.HBox([slider, box], layout=w.Layout(width="auto", max_width="100%"))
    elif control.kind == "choice":
        # Radio buttons, not a drop-down: every option is visible and wraps on a narrow screen
        # (an option of 85 characters cannot fit a 360 px drop-down), and one click chooses.
        slider = w.RadioButtons(options=[(label, value) for value, label in control.options],
                                value=control.default, description=control.label, style=style,
                                tooltip=control.help or None, layout=w.Layout(width="auto", max_width="100%"))
        row = w.HBox([slider], layout=w.Layout(width="auto", max_width="100%"))
    else:
        slider = w.Checkbox(value=control.default, description=control.label, style=style, indent=False,
                            layout=w.Layout(width="auto", max_width="100%"))
        row = w.HBox([slider], layout=w.Layout(width="auto", max_width="100%"))
    row.add_class("iaptlab-row")
    return slider, row


def _support_widget():
    """A tiny invisible anywidget that styles the explorer it sits in (labels above controls on
    narrow screens, nothing clipped) and names each slider handle after its label; None without
    anywidget. Its JavaScript and stylesheet ship as package data (``iaptlab/static``)."""
    import importlib.util

    if importlib.util.find_spec("anywidget") is None:
        return None
    return _support_class()()


def _support_class():
    import anywidget

    global _SUPPORT_CLASS
    if _SUPPORT_CLASS is None:
        from importlib.resources import files

        static = files("iaptlab") / "static"

        class ExplorerSupport(anywidget.AnyWidget):
            _esm = (static / "explorer.js").read_text(encoding="utf-8")
            _css = (static / "explorer.css").read_text(encoding="utf-8")

        _SUPPORT_CLASS = ExplorerSupport
    return _SUPPORT_CLASS


_SUPPORT_CLASS: Any = None


def show_static(compute: Callable[..., Result], controls: Sequence[Control], *,
                checked_later: bool = False) -> Result:
    """Display the default result as ordinary outputs (survives a kernel restart); return it.

    The sentence carries the class ``iaptlab-static-default``, so a browser test can check that
    every static default has its live explorer beside it. ``checked_later``: the caller shows the
    same chart again right after, checked against the Vega-Lite schema whole (:func:`show`: the live
    chart's first draw, or the ``svg`` renderer's output), so the chart is built without Altair's
    checks of each part as it is made (30-60 ms of the lesson's first chart; the same chart).
    """
    from IPython.display import HTML, display

    from .charts import chart_output, live

    with live.schema_checks(enabled=not checked_later):
        result = compute(**defaults(controls))
    display(chart_output(result.chart))
    display(HTML(table_html(result.table, "Default settings")))
    display(HTML(f'<p class="iaptlab-static-default"><strong>Default:</strong> '
                 f"{html.escape(result.sentence)}</p>"))
    return result


#: How many refresh timings an explorer keeps (``box.refresh_seconds``), for the latency benchmark.
TIMINGS_KEPT = 1000


class ChartSlot:
    """Where the live chart goes; ``update(chart)`` replaces it.

    With Altair's ``jupyter`` renderer active, one live chart view is created once and its spec is
    swapped in place (:mod:`iaptlab.charts.live`): the page re-draws the chart without a new widget
    (and without re-sending the ~900 KB offline JavaScript bundle a new chart widget carries). With
    any other renderer (``svg`` in CI) the chart is re-displayed in an ``Output`` widget.

    >>> ChartSlot().mode in ("widget", "output")
    True
    """

    def __init__(self) -> None:
        import ipywidgets as w

        from .charts import live

        self.mode = "output"
        self.browser: dict[str, Any] | None = None
        self.text_widgets: tuple[Any, ...] = ()  # the sentence and table widgets the page may write
        self.on_kernel_path: Callable[[], None] = lambda: None
        if live.live_view_available():
            self.mode = "widget"
            self.chart_widget: Any = None  # created with the first chart
            self.widget = w.Box([])  # keeps its height while the spec is swapped
        else:
            self.widget = w.Output(layout=w.Layout(min_height="320px"))
        self.widget.add_class("iaptlab-chart")

    def answer_in_page(self, browser: BrowserCompute, controls: Sequence[tuple[str, Any]],
                       texts: Sequence[Any], on_kernel_path: Callable[[], None]) -> None:
        """Let the page answer each move with ``browser``'s script (live chart mode only; call before
        the first :meth:`update`): it watches ``controls`` ((name, value widget) pairs, a slider and
        its number box under one name) and writes the sentence and table ``texts`` widgets. If the
        page gives up, ``on_kernel_path()`` is called so that the kernel answers again."""
        if self.mode != "widget":
            return
        self.browser = {"compute_script": browser.script, "compute_data": browser.data,
                        "choice_options": dict(browser.options),
                        "controls": [widget for _, widget in controls],
                        "control_names": [name for name, _ in controls], "texts": list(texts)}
        self.on_kernel_path = on_kernel_path

    def answered_in_page(self) -> bool:
        """Whether the page has loaded its script and answers the moves itself (the kernel must not)."""
        return self.mode == "widget" and self.chart_widget is not None and bool(self.chart_widget.browser_ready)

    def _browser_ready_changed(self, change: dict) -> None:
        if change["old"] and not change["new"]:
            from .charts import live

            live.forget_shown(self.chart_widget)  # the page showed its own numbers since
            self.on_kernel_path()

    def update(self, chart: Any, texts: Sequence[str] | None = None) -> bool:
        """Show ``chart`` (an Altair chart, or None for nothing) in place of the previous one.

        In live chart mode, once the view exists, ``texts`` (the sentence and table HTML) go with the
        chart's update in one message, and the page writes them into :attr:`text_widgets` after the
        chart is painted: returns True then (the caller sets the text widgets without sending them).
        """
        from .charts import live

        if self.mode == "widget":
            if chart is None:
                return False
            if self.chart_widget is None:
                self.chart_widget = live.live_view(chart)
                with self.chart_widget.hold_sync():
                    self.chart_widget.texts = list(self.text_widgets)
                    for name, value in (self.browser or {}).items():
                        setattr(self.chart_widget, name, value)
                if self.browser is not None:
                    self.chart_widget.observe(self._browser_ready_changed, names="browser_ready")
                self.widget.children = (self.chart_widget,)
                return False
            with_texts = texts is not None and len(texts) == len(self.text_widgets) > 0
            live.replace_live_chart(self.chart_widget, chart, texts if with_texts else None)
            return with_texts
        from IPython.display import display

        with self.widget:
            self.widget.clear_output(wait=True)
            if chart is not None:
                display(chart)
        return False


def _set_unsent(widget: Any, value: str) -> None:
    """Set ``widget.value`` in the kernel without a message to the page: the page has the value
    already (the live chart's update carried it). ipywidgets sends nothing for a value equal to
    its property lock, as when the value came from the page itself."""
    with widget._lock_property(value=value):
        widget.value = value


def _css_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)


def build(compute: Callable[..., Result], controls: Sequence[Control], *, title: str = "",
          browser: BrowserCompute | Callable[[], BrowserCompute | None] | None = None,
          at_defaults: Result | None = None):
    """The interactive explorer as an ipywidgets box (controls, reset, chart, table, sentence).

    The returned box has attributes ``controls`` (name -> value widget), ``sentence``,
    ``table`` (HTML widgets), ``chart_output`` (the chart's widget), ``refresh()`` and
    ``refresh_seconds`` (time spent computing and sending each update) for tests and benchmarks.
    The page can find its parts by CSS class: ``iaptlab-explorer`` on the box,
    ``iaptlab-control-<name>`` and ``iaptlab-number-<name>`` on each control and its number box,
    ``iaptlab-reset``, ``iaptlab-chart``, ``iaptlab-sentence``, ``iaptlab-table``.

    With ``browser`` (the page's copy of ``compute``, or a function that makes it, called only
    when there is a live chart to use it) and a live chart, the page answers every
    move once it has loaded the script: the kernel then only receives the values (and the page's
    sentence and table) and draws nothing, so there is one update, not two. ``box.path()`` says
    which path answers: ``"browser"`` or ``"kernel"``.

    ``at_defaults``: ``compute``'s result at the controls' defaults, where the caller has it already
    (:func:`show` has, from the static default): the first draw shows it instead of computing it again.
    """
    import ipywidgets as w

    value_widgets: dict[str, Any] = {}
    rows = []
    for control in controls:
        value_widget, row = _widget_for(control)
        value_widget.add_class(f"iaptlab-control-{_css_name(control.name)}")
        if len(row.children) > 1:
            row.children[1].add_class(f"iaptlab-number-{_css_name(control.name)}")
        value_widgets[control.name] = value_widget
        rows.append(row)
    reset = w.Button(description="Reset to defaults", icon="undo", tooltip="Put every control back",
                     layout=w.Layout(width="auto"))
    reset.add_class("iaptlab-reset")
    sentence = w.HTML(layout=w.Layout(min_height="2em"))
    sentence.add_class("iaptlab-sentence")
    table = w.HTML()
    table.add_class("iaptlab-table")
    slot = ChartSlot()
    slot.text_widgets = (sentence, table)
    status = w.HTML()
    timings: deque[float] = deque(maxlen=TIMINGS_KEPT)
    from .charts import live

    ready = [at_defaults] if at_defaults is not None else []  # used by the first draw only

    def refresh(*_: Any) -> None:
        if slot.answered_in_page():
            return
        started = time.perf_counter()
        params = {name: widget.value for name, widget in value_widgets.items()}
        try:
            if ready and params == defaults(controls):
                result = ready.pop()
            else:
                ready.clear()
                # The first draw builds its chart with Altair's checks on; later moves only change
                # numbers, so the per-object schema checks (a third of a move's time) are skipped.
                with live.schema_checks(enabled=not timings):
                    result = compute(**params)
        except Exception as err:  # noqa: BLE001 - show the problem in words, never a traceback
            status.value = f'<p role="alert">Cannot show these settings: {html.escape(str(err))}</p>'
            return
        status.value = ""
        texts = (f'<p aria-live="polite">{html.escape(result.sentence)}</p>', table_html(result.table))
        if slot.update(result.chart, texts):  # one message: the chart's update carries the texts
            for widget, text in zip((sentence, table), texts, strict=True):
                _set_unsent(widget, text)
        else:
            sentence.value, table.value = texts
        timings.append(time.perf_counter() - started)

    def on_reset(_: Any) -> None:
        for control in controls:
            value_widgets[control.name].value = control.default

    if callable(browser):
        browser = browser() if slot.mode == "widget" else None
    if browser is not None:
        watched = [(control.name, widget) for control, row in zip(controls, rows, strict=True)
                   for widget in (value_widgets[control.name], *row.children[1:])]
        slot.answer_in_page(browser, watched, (sentence, table), refresh)
    for widget in value_widgets.values():
        widget.observe(refresh, names="value")
    for control, row in zip(controls, rows, strict=True):
        if len(row.children) > 1:  # after refresh: a slider's move sends the chart before the number box
            w.link((value_widgets[control.name], "value"), (row.children[1], "value"))
    reset.on_click(on_reset)
    heading = [w.HTML(f"<h4>{html.escape(title)}</h4>")] if title else []
    support = _support_widget()
    if support is not None:
        support.add_class("iaptlab-support")
    box = w.VBox([*heading, *rows, reset, status, slot.widget, sentence, table,
                  *([support] if support is not None else [])])
    box.add_class("iaptlab-explorer")
    box.controls = value_widgets
    box.sentence = sentence
    box.table = table
    box.chart_output = slot.widget
    box.chart_slot = slot
    box.refresh = refresh
    box.refresh_seconds = timings
    box.path = lambda: "browser" if slot.answered_in_page() else "kernel"
    refresh()
    return box


def show(compute: Callable[..., Result], controls: Sequence[Control], *, title: str = "",
         browser: BrowserCompute | Callable[[], BrowserCompute | None] | None = None):
    """Display the static default, then return the live explorer (the cell shows it), whose first
    draw is the static default's result (computed once)."""
    shown = show_static(compute, controls, checked_later=True)  # build's first draw checks its chart
    return build(compute, controls, title=title, browser=browser, at_defaults=shown)
