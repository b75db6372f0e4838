"""The workbook as an offline website: read, see every chart and self-check with nothing installed.

``iaptlab site OUT`` (``make site``) writes the learner site: an index (the lesson map with each
lesson's objectives and time, and the learner's progress) and one page per lesson, the learner
edition *executed*. ``iaptlab site OUT --instructor`` writes the instructor site (the instructor
guide and the instructor edition, worked answers shown); the learner site never links to it.

How a page is made:

* the edition's notebook runs in a fresh kernel (nbclient, one kernel per lesson) with
  ``IAPTLAB_RENDERER=svg`` and Altair's ``svg`` renderer swapped, in that kernel only, for one
  that emits the chart's Vega-Lite spec; the page draws each spec with the ONE local copy of
  vega, vega-lite and vega-embed that vl-convert bundles (``assets/vega.js``): interactive,
  tooltips, nothing from a CDN;
* every chart is a ``<figure>`` with its description (the spec's ``description``, which states the
  numbers shown) as caption and the chart's data as a table;
* an explorer shows its static default (chart, table, sentence); the live widget's outputs are
  dropped (no widget manager on a static page). An explorer whose computation has a browser copy
  (:func:`in_page_explorers`) also gets HTML controls (:func:`explorer_controls`), hidden until
  ``assets/site.js`` has loaded its script (JSON on the page): each move runs that same
  ``compute`` and redraws the chart (a Vega changeset, or a new embed when the chart's structure or
  title changes), its data table, the table and the sentence (an ``aria-live`` region) in place.
  Every other explorer says how to run it live (Binder or ``iaptlab lab``);
* each ``check("NN.id", name)`` cell becomes a ``<form class="iaptlab-check">`` whose verdict and
  message come from ``assets/checker.js``, a port of :func:`iaptlab.exercises.check` fed with the
  question's stored entry (hashes and obfuscated numbers, never the plain answer). The
  ``# Your turn`` placeholder cell it checks is left out: the form takes its place;
* progress (each question's last verdict) is kept in the browser's ``localStorage``.

Everything a page loads is inside the site folder, so it opens from ``file://`` or any static
host with the network unplugged. Markdown is rendered with mistune (which nbconvert brings).

>>> objectives, minutes = lesson_summary(_nb("**Learning objectives.** You can:\\n\\n- a\\n- b\\n\\n"
...                                          "**Time:** about 50 minutes. **You need:** x"))
>>> objectives, minutes
(['a', 'b'], 'about 50 minutes')
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import mistune
import nbformat

from .editions import EDITIONS, render_edition
from .errors import ParameterError
from .exercises import precision_text, question_entry
from .explorers import REGISTRY
from .lesson_files import lessons_folder
from .widgets import Control

__all__ = ["BINDER_URL", "PLACEHOLDER_REPO", "SiteBuild", "build_site", "chart_figure",
           "explorer_controls", "exercise_form", "in_page_explorers", "lesson_summary", "page_path",
           "render_lesson", "vega_bundle"]

#: The repository placeholder the README uses; ``--repo OWNER/REPO`` replaces it in the links.
PLACEHOLDER_REPO = "OWNER/REPO"
#: The README's Binder link (learner edition, one lesson), with ``{repo}`` and ``{notebook}``.
BINDER_URL = "https://mybinder.org/v2/gh/{repo}/HEAD?urlpath=lab/tree/workbook/{notebook}"
_ASSETS = "site_assets"
_LESSON_FILE = re.compile(r"^(\d{2})_\w+\.ipynb$")
_CHECK_CELL = re.compile(r'^\s*check\(\s*"(?P<qid>\d{2}\.\w+)"\s*,.*\)\s*$', re.S)
_YOUR_TURN = re.compile(r"^#\s*Your turn:\s*(?P<task>.*)$", re.M)
_EXPLORER = re.compile(r'\bshow\(\s*"(?P<key>\d{2}\.\w+)"')
_WIDGET = "application/vnd.jupyter.widget-view+json"
_VEGALITE = re.compile(r"^application/vnd\.vegalite\.v\d+\+json$")
_HEADING = re.compile(r"<h([1-6])(\s[^>]*)?>(.*?)</h\1>", re.S)
#: Above each learner lesson: the lesson text speaks of cells to run; say what that means here.
_READING_NOTE = ('<p class="reading-note">You are reading this lesson as a web page: the outputs '
                 "are already there. Where the lesson says to run a cell or fill in an answer "
                 "cell, use the <strong>Self-check</strong> box below it instead: type (or choose) "
                 "your answer and press <strong>Check</strong>. Your answers stay in this "
                 "browser.</p>")
_EMPTY_HEADER = re.compile(r"<th(?:\s[^>]*)?>(?:\s|&nbsp;)*</th>")
#: Run in the kernel before a lesson: Altair's "svg" renderer (what ``setup()`` enables when
#: IAPTLAB_RENDERER=svg) emits the Vega-Lite spec instead, which the page draws with vega-embed;
#: and an explorer shows only its static default: its live widget, which a static page drops
#: anyway, is not built (with no browser to answer its comm messages, a kernel can wait forever).
_KERNEL_PRELUDE = """\
import iaptlab.widgets as _widgets
_widgets.build = lambda *args, **kwargs: None
del _widgets
import altair as _alt
def _iaptlab_site_renderer(spec, _mime="application/vnd.vegalite.v%s+json"
                           % _alt.SCHEMA_VERSION.lstrip("v").split(".")[0], **_):
    return {_mime: spec, "text/plain": "<chart: " + str(spec.get("description", ""))[:80] + ">"}
_alt.renderers.register("svg", _iaptlab_site_renderer)
del _alt
"""
_MAX_TABLE_ROWS = 60
_SCHEMA = re.compile(r'"\$schema":"(?P<url>[^"]*vega-lite[^"]*)"')
_markdown = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])


@dataclass(frozen=True)
class SiteBuild:
    """What :func:`build_site` wrote: the folder, its pages, total bytes and seconds taken."""

    out_dir: Path
    pages: tuple[Path, ...]
    total_bytes: int
    seconds: float


def _nb(*markdown: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(m) for m in markdown])


# ---------------------------------------------------------------- lesson facts


def lesson_summary(nb: nbformat.NotebookNode) -> tuple[list[str], str]:
    """A lesson's learning objectives (Markdown bullets) and time needed, from its first cells.

    >>> lesson_summary(_nb("# Title"))
    ([], '')
    """
    text = "\n".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
    objectives: list[str] = []
    block = re.search(r"\*\*Learning objectives\.?\*\*.*?\n\n(?P<list>(?:[-*] .*(?:\n(?![-*] |\n).*)*\n?)+)",
                      text)
    if block:
        items = re.split(r"^[-*] ", block.group("list"), flags=re.M)
        objectives = [" ".join(item.split()).rstrip(";.") for item in items if item.strip()]
    found = re.search(r"\*\*Time(?: needed)?:\*\*\s*(?P<time>[^*\n]+?)(?:\.\s|\.$|\s\*\*|\n|$)", text)
    return objectives, found.group("time").strip() if found else ""


def page_path(notebook: str) -> str:
    """The page a lesson notebook becomes.

    >>> page_path("02_what_counts_as_recovery.ipynb")
    '02_what_counts_as_recovery.html'
    """
    return notebook.removesuffix(".ipynb") + ".html"


# ---------------------------------------------------------------- pieces of a page


def _inline(markdown_text: str) -> str:
    rendered = _markdown(markdown_text).strip()
    return re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.S)


def _json_script(data: object, **attributes: str) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{html.escape(v)}"' for k, v in attributes.items())
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json"{attrs}>{text}</script>'


def _cell_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) >= 1e4 else f"{value:.4g}"
    return "" if value is None else str(value)


def _spec_tables(spec: dict) -> list[list[dict]]:
    found: list[list[dict]] = [rows for rows in (spec.get("datasets") or {}).values()
                               if isinstance(rows, list)]
    stack: list[Any] = [spec]
    while stack and not found:
        node = stack.pop()
        if isinstance(node, dict):
            values = (node.get("data") or {}).get("values") if isinstance(node.get("data"), dict) else None
            if isinstance(values, list) and values and isinstance(values[0], dict):
                found.append(values)
            stack.extend(v for k, v in node.items() if k != "data")
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _data_table(rows: list[dict], caption: str) -> str:
    columns = list(dict.fromkeys(k for row in rows[:_MAX_TABLE_ROWS] for k in row))
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell_text(row.get(c)))}</td>" for c in columns)
                   + "</tr>" for row in rows[:_MAX_TABLE_ROWS])
    more = (f"<p>First {_MAX_TABLE_ROWS} of {len(rows)} rows.</p>" if len(rows) > _MAX_TABLE_ROWS else "")
    return (f'<div class="table-wrap" tabindex="0" role="region" aria-label="{html.escape(caption)}">'
            f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>{more}")


def chart_figure(spec: dict, number: int) -> str:
    """A chart as a figure: a box vega-embed draws into, its description and its data table.

    >>> out = chart_figure({"description": "Two bars: a 1, b 2.", "mark": "bar",
    ...                     "data": {"values": [{"x": "a", "y": 1}, {"x": "b", "y": 2}]}}, 3)
    >>> 'id="chart-3"' in out, "<figcaption" in out, out.count("<td>")
    (True, True, 4)
    """
    title = spec.get("title")
    title_text = title.get("text") if isinstance(title, dict) else title
    if isinstance(title_text, list):
        title_text = " ".join(map(str, title_text))
    description = str(spec.get("description") or title_text or "A chart (no description given).")
    tables = _spec_tables(spec)
    details = ""
    if tables:
        parts = [_data_table(rows, f"Data for chart {number}" + (f", part {i + 1}" if len(tables) > 1 else ""))
                 for i, rows in enumerate(tables[:3])]
        details = (f'<details class="chart-data"><summary>The data behind chart {number} (a table)'
                   f"</summary>{''.join(parts)}</details>")
    return (f'<figure class="chart" aria-labelledby="chart-{number}-caption">'
            f'<div class="vega-chart" id="chart-{number}" data-spec="chart-{number}-spec"></div>'
            f"{_json_script(spec, id=f'chart-{number}-spec')}"
            f'<figcaption id="chart-{number}-caption"><span class="label">Chart {number}.</span> '
            f"{html.escape(description)}</figcaption>{details}</figure>")


def _option_label(label: str, aliases: Sequence[str]) -> str:
    alias = next((a for a in aliases if a.casefold() != label.casefold()), "")
    return f"{label} ({alias})" if alias and len(label) <= 2 else label


def exercise_form(question_id: str, task: str = "") -> str:
    """The self-check form for one question: a labelled input (or select), a button, a status.

    Choice and yes/no questions get a select, sets one check box per option, item ratings one
    select per item, numbers and years a text box. The answer itself is not in the form.

    >>> form = exercise_form("01.band_choice", "name the band")
    >>> '<form class="iaptlab-check" data-question="01.band_choice"' in form, "<select" in form
    (True, True)
    >>> 'role="status"' in form, "<label" in form
    (True, True)
    """
    entry = question_entry(question_id)
    kind, slug = entry["kind"], re.sub(r"\W", "-", question_id)
    field_id = f"answer-{slug}"
    prompt = html.escape(task[:1].upper() + task[1:]) if task else "Your answer"
    words = precision_text(question_id)
    need = f" ({html.escape(words)})" if words else ""
    options = entry.get("options") or {}
    if kind in ("choice", "yesno"):
        pairs = ([(label, _option_label(label, aliases)) for label, aliases in options.items()]
                 if kind == "choice" else [("yes", "yes"), ("no", "no")])
        choices = "".join(f'<option value="{html.escape(v)}">{html.escape(t)}</option>' for v, t in pairs)
        control = (f'<label for="{field_id}">{prompt}</label> <select id="{field_id}" name="answer">'
                   f'<option value="">(choose one)</option>{choices}</select>')
        printed = "Circle one: " + " · ".join(html.escape(t) for _, t in pairs)
    elif kind == "set":
        boxes = "".join(f'<li><input type="checkbox" id="{field_id}-{i}" name="answer" '
                        f'value="{html.escape(label)}"> <label for="{field_id}-{i}">'
                        f"{html.escape(_option_label(label, aliases))}</label></li>"
                        for i, (label, aliases) in enumerate(options.items()))
        control = (f'<fieldset><legend>{prompt} (tick every one that applies)</legend>'
                   f'<ul class="choices">{boxes}</ul></fieldset>')
        printed = "Tick every one that applies (above)."
    elif kind == "items":
        codes = "".join(f'<option value="{html.escape(c)}">{html.escape(_option_label(c, a))}</option>'
                        for c, a in options.items())
        rows = "".join(f'<li><label for="{field_id}-{i}">Question {html.escape(item)}</label> '
                       f'<select id="{field_id}-{i}" name="item" data-item="{html.escape(item)}">'
                       f'<option value="">(choose)</option>{codes}</select></li>'
                       for i, item in enumerate(entry["items"]))
        control = f'<fieldset><legend>{prompt}</legend><ul class="choices">{rows}</ul></fieldset>'
        printed = ("Write one of " + ", ".join(html.escape(c) for c in options)
                   + " beside each question: " + " · ".join(f"{html.escape(i)} ____" for i in entry["items"]))
    else:
        example = ' placeholder="e.g. 2013-14"' if kind == "year" else ""
        control = (f'<label for="{field_id}">{prompt}{need}</label> <input type="text" id="{field_id}" '
                   f'name="answer" autocomplete="off" spellcheck="false"{example}>')
        printed = ""
    return (f'<form class="iaptlab-check" data-question="{question_id}" data-kind="{kind}" novalidate>'
            f'<p class="check-id">Self-check <code>{question_id}</code></p>{control} '
            f'<button type="submit">Check</button>'
            f'<p class="answer-line print-only">{printed or "Answer: ____________________________"}</p>'
            f'<p class="verdict" role="status" aria-live="polite"></p></form>')


def _live_note(notebook: str, repo: str, *, in_page: bool = False) -> str:
    link = BINDER_URL.format(repo=repo, notebook=notebook)
    routes = (f'open the lesson on <a href="{html.escape(link)}">Binder</a> (in your browser, nothing '
              "to install; it can take a minute to start), or on your own computer install iaptlab "
              "and run <code>iaptlab lab</code> (or <code>make lab</code> in the repository).")
    if in_page:
        return ('<div class="run-live" role="note"><p><strong>The controls above work in this page.'
                "</strong> It computes each setting itself, with the same arithmetic as the lesson's "
                "Python (with JavaScript off you see the default settings). Running the lesson live "
                "adds the Python: the code behind this explorer, to read, change and run. To do so, "
                f"{routes}</p></div>")
    return ('<div class="run-live" role="note"><p><strong>To move the '
            "controls, run this lesson live.</strong> This page shows the explorer at its default "
            f"settings. Either {routes}</p></div>")


def in_page_explorers() -> tuple[str, ...]:
    """The explorers the offline site can move in the page: every registered explorer with a
    browser copy of its computation (:meth:`iaptlab.explorers.Explorer.browser`).

    >>> "04.predictive_values" in in_page_explorers()
    True
    """
    return tuple(key for key, explorer in REGISTRY.items() if explorer.answers_in_page)


def _lessons_moving_in_page() -> str:
    numbers = list(dict.fromkeys(REGISTRY[key].lesson for key in in_page_explorers()))
    return ", ".join(numbers[:-1]) + (" and " if len(numbers) > 1 else "") + numbers[-1] if numbers else "none"


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def explorer_controls(controls: Sequence[Control], prefix: str) -> str:
    """The HTML controls of one in-page explorer (ids start with ``prefix``): a labelled range and
    number box per number, a radio group per choice, a check box per yes/no, and a reset button.

    Each help text is tied to its control with ``aria-describedby``. A choice's radio values are
    the option's position (the page maps them back to the option's value).

    >>> out = explorer_controls((Control("k", "Cut-off", "int", 10, 0, 27, help="A score"),), "x")
    >>> '<label for="x-k">Cut-off</label>' in out, 'type="range"' in out, 'aria-describedby="x-k-help"' in out
    (True, True, True)
    """
    parts = []
    for control in controls:
        field = f"{prefix}-{_slug(control.name)}"
        label = html.escape(control.label)
        help_id = f"{field}-help"
        described = f' aria-describedby="{help_id}"' if control.help else ""
        help_text = (f'<p class="control-help" id="{help_id}">{html.escape(control.help)}</p>'
                     if control.help else "")
        data = f'data-control="{html.escape(control.name)}" data-kind="{control.kind}"'
        if control.kind in ("int", "float"):
            step = control.step or (1 if control.kind == "int" else (control.maximum - control.minimum) / 100)
            bounds = (f'min="{_number_text(control.minimum)}" max="{_number_text(control.maximum)}" '
                      f'step="{_number_text(step)}" value="{_number_text(control.default)}"')
            parts.append(
                f'<div class="iaptlab-row control control-number" {data}>'
                f'<label for="{field}">{label}</label><div class="control-inputs">'
                f'<input type="range" id="{field}" {bounds}{described}>'
                f'<label class="visually-hidden" for="{field}-box">{label} (type a value)</label>'
                f'<input type="number" id="{field}-box" class="control-box" {bounds}{described} '
                f'inputmode="decimal"></div>{help_text}</div>')
        elif control.kind == "choice":
            radios = "".join(
                f'<li><input type="radio" id="{field}-{i}" name="{field}" value="{i}"'
                f'{" checked" if value == control.default else ""}> '
                f'<label for="{field}-{i}">{html.escape(text)}</label></li>'
                for i, (value, text) in enumerate(control.options))
            parts.append(f'<fieldset class="iaptlab-row control control-choice" {data}{described}>'
                         f'<legend>{label}</legend><ul class="choices">{radios}</ul>{help_text}</fieldset>')
        else:
            checked = " checked" if control.default else ""
            parts.append(f'<div class="iaptlab-row control control-bool" {data}>'
                         f'<input type="checkbox" id="{field}"{checked}{described}> '
                         f'<label for="{field}">{label}</label>{help_text}</div>')
    return (f'<div class="explorer-live" id="{prefix}-controls" hidden>{"".join(parts)}'
            f'<button type="button" class="explorer-reset">Reset to defaults</button>'
            f'<p class="explorer-status" role="alert"></p></div>')


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _explorer_data(key: str, chart: str) -> dict:
    """What the page needs to move explorer ``key``: its script, data, choice options, controls."""
    explorer = REGISTRY[key]
    browser = explorer.browser()
    if browser is None:
        raise ParameterError(f"explorer {key!r} cannot compute in the page")
    controls = [{"name": c.name, "kind": c.kind, "default": c.default,
                 "options": [value for value, _ in c.options]} for c in explorer.controls]
    return {"key": key, "chart": chart, "script": browser.script, "data": browser.data,
            "controls": controls}


def _in_page_explorer(key: str, pieces: list[tuple[str, str]], prefix: str, chart: str,
                      notebook: str, repo: str) -> str:
    """An explorer the page moves: its controls, then its static default (chart, table, sentence)
    marked for the page script, its data and script as JSON, and what running it live adds."""
    explorer = REGISTRY[key]
    wrapped = []
    for role, piece in pieces:
        if role == "table":
            piece = f'<div class="explorer-table">{piece}</div>'
        elif role == "sentence":
            piece = f'<div class="explorer-sentence" aria-live="polite">{piece}</div>'
        wrapped.append(piece)
    text = json.dumps(_explorer_data(key, chart), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).replace("</", "<\\/")
    return (f'<section class="explorer" id="{prefix}" data-explorer="{html.escape(key)}" '
            f'aria-label="Explorer: {html.escape(explorer.title)}">'
            f"{explorer_controls(explorer.controls, prefix)}{''.join(wrapped)}"
            f'<script type="application/json" id="{prefix}-data">{text}</script>'
            f"{_live_note(notebook, repo, in_page=True)}</section>")


def _output_html(output: dict, charts: list[int], tables: list[int]) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        text = "".join(output.get("text", ""))
        if output.get("name") == "stderr" or "charts render offline" in text:
            return ""
        return f'<pre class="output">{html.escape(text)}</pre>'
    if kind == "error":
        return f'<pre class="output error">{html.escape(output.get("ename", ""))}: ' \
               f'{html.escape(output.get("evalue", ""))}</pre>'
    data = output.get("data", {})
    if _WIDGET in data:
        return ""
    vegalite = next((k for k in data if _VEGALITE.match(k)), None)
    if vegalite:
        charts.append(len(charts) + 1)
        return chart_figure(data[vegalite], charts[-1])
    if "text/html" in data:
        body = "".join(data["text/html"])
        if "<table" in body and 'role="status"' not in body:
            tables.append(len(tables) + 1)
            body = (f'<div class="table-wrap" tabindex="0" role="region" aria-label="Table {tables[-1]}">'
                    f"{body}</div>")
        return f'<div class="output">{body}</div>'
    if "text/markdown" in data:
        return f'<div class="output">{_markdown("".join(data["text/markdown"]))}</div>'
    if "image/svg+xml" in data:
        return f'<div class="output">{"".join(data["image/svg+xml"])}</div>'
    if "image/png" in data:
        alt = html.escape(str(output.get("metadata", {}).get("alt", "A figure")))
        return f'<div class="output"><img alt="{alt}" src="data:image/png;base64,{data["image/png"]}"></div>'
    if "text/plain" in data:
        return f'<pre class="output">{html.escape("".join(data["text/plain"]))}</pre>'
    return ""


def _code_cell(cell: dict, outputs_html: str) -> str:
    code = (f'<details class="code"><summary>Show the code</summary><pre><code>'
            f"{html.escape(cell.source)}</code></pre></details>") if cell.source.strip() else ""
    return f'<div class="cell code-cell">{code}{outputs_html}</div>'


def _clamp_headings(body: str) -> str:
    """Headings in order: one h1 first, then never a jump of more than one level down."""
    state = {"previous": 0, "seen": set()}

    def fix(match: re.Match) -> str:
        level = int(match.group(1))
        level = 1 if state["previous"] == 0 else max(2, min(level, state["previous"] + 1))
        state["previous"] = level
        slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"<[^>]+>", "", match.group(3)).lower()).strip("-")
        slug = slug or "section"
        while slug in state["seen"]:
            slug += "-x"
        state["seen"].add(slug)
        attrs = match.group(2) or ""
        if "id=" not in attrs:
            attrs += f' id="{slug}"'
        return f"<h{level}{attrs}>{match.group(3)}</h{level}>"

    return _HEADING.sub(fix, body)


def _rewrite_links(body: str) -> str:
    """Links between notebooks (``02_x.ipynb#a``, ``glossary.ipynb#term``) point at their pages."""
    return re.sub(r'href="([\w-]+)\.ipynb(#[^"]*)?"', lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"',
                  body)


def render_lesson(nb: nbformat.NotebookNode, notebook: str, *, edition: str = "learner",
                  repo: str = PLACEHOLDER_REPO) -> tuple[str, list[str], int]:
    """The main content of one lesson page: (HTML, question ids with a form, number of charts).

    In the learner edition each ``check("NN.id", ...)`` cell becomes a form and the placeholder
    cell before it is dropped; in the instructor edition both stay, with their outputs.

    >>> cells = [nbformat.v4.new_markdown_cell("# 01 · A lesson"),
    ...          nbformat.v4.new_code_cell("# Your turn: name the band\\nanswer_band = ..."),
    ...          nbformat.v4.new_code_cell('check("01.band_choice", answer_band)')]
    >>> body, questions, charts = render_lesson(nbformat.v4.new_notebook(cells=cells), "01_x.ipynb")
    >>> questions, "answer_band" in body, 'data-question="01.band_choice"' in body
    (['01.band_choice'], False, True)
    """
    parts: list[str] = []
    questions: list[str] = []
    charts: list[int] = []
    tables: list[int] = []
    explorers: dict[str, int] = {}
    task = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(f'<div class="cell text-cell">{_markdown(cell.source)}</div>')
            continue
        if cell.cell_type != "code":
            continue
        turn = _YOUR_TURN.search(cell.source)
        check_cell = _CHECK_CELL.match(cell.source)
        if edition == "learner" and turn and cell.source.lstrip().startswith("# Your turn"):
            task = turn.group("task").strip()
            continue
        if edition == "learner" and check_cell:
            questions.append(check_cell.group("qid"))
            parts.append(f'<div class="cell exercise">{exercise_form(check_cell.group("qid"), task)}</div>')
            task = ""
            continue
        shown = _EXPLORER.search(cell.source)
        key = shown.group("key") if shown else ""
        in_page = edition == "learner" and key in in_page_explorers()
        pieces: list[tuple[str, str]] = []
        first_chart = len(charts) + 1
        for output in cell.get("outputs", []):
            piece = _output_html(output, charts, tables)
            role = ("chart" if 'class="chart"' in piece else "table" if "iaptlab-table" in piece
                    else "sentence" if "iaptlab-static-default" in piece else "other")
            pieces.append((role, piece))
        # the page moves it where it has the static default's chart to redraw and sentence to replace
        if in_page and len(charts) >= first_chart and any(role == "sentence" for role, _ in pieces):
            explorers[key] = explorers.get(key, 0) + 1
            prefix = "explorer-" + _slug(key) + ("" if explorers[key] == 1 else f"-{explorers[key]}")
            outputs = _in_page_explorer(key, pieces, prefix, f"chart-{first_chart}", notebook, repo)
        else:
            outputs = "".join(piece + (_live_note(notebook, repo) if shown and role == "sentence" else "")
                              for role, piece in pieces)
        parts.append(_code_cell(cell, outputs))
    body = _rewrite_links(_clamp_headings("\n".join(parts)))
    body = _EMPTY_HEADER.sub("<td></td>", body)  # pandas' blank index corner: a cell, not a header
    return body, questions, len(charts)


# ---------------------------------------------------------------- whole pages


def _page(title: str, body: str, *, nav: str = "", scripts: Iterable[str] = (), data: str = "") -> str:
    script_tags = "".join(f'<script src="assets/{s}"></script>' for s in scripts)
    return ("<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title>"
            '<link rel="stylesheet" href="assets/site.css"></head><body>'
            '<a class="skip" href="#main">Skip to the content</a>'
            f'<header class="site"><nav aria-label="Site">{nav}</nav></header>'
            f'<main id="main">{body}</main>'
            '<footer class="site"><p>iaptlab: an open workbook. This page works offline: save the '
            "folder and open <code>index.html</code>. Your answers and progress stay in this "
            "browser only.</p></footer>"
            f"{data}{script_tags}</body></html>\n")


def _nav(pages: list[tuple[str, str]], page: str | None, home: str,
         extras: Sequence[tuple[str, str]] = ()) -> str:
    links = [f'<a href="index.html">{html.escape(home)}</a>']
    links += [f'<a href="{href}">{html.escape(title)}</a>' for href, title in extras if href != page]
    here = next((i for i, (href, _) in enumerate(pages) if href == page), None)
    if here is not None:
        if here > 0:
            links.append(f'<a href="{pages[here - 1][0]}" rel="prev">← {html.escape(pages[here - 1][1])}</a>')
        if here + 1 < len(pages):
            links.append(f'<a href="{pages[here + 1][0]}" rel="next">{html.escape(pages[here + 1][1])} →</a>')
    return " · ".join(links)


def vega_bundle(schema: str = "") -> str:
    """vega, vega-lite and vega-embed as one classic script (``window.vegaEmbed``), from vl-convert.

    Built locally from the installed vl-convert (no network), at the Vega-Lite version of
    ``schema`` (a spec's ``$schema`` URL) when vl-convert has it, else its newest.
    """
    import vl_convert

    found = re.search(r"/v(\d+\.\d+)", schema)
    version = found.group(1) if found and found.group(1) in vl_convert.get_vegalite_versions() else None
    return vl_convert.javascript_bundle(vl_version=version)


def _copy_assets(out: Path, schema: str) -> None:
    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    source: Traversable = files("iaptlab") / _ASSETS
    for name in ("site.css", "site.js", "checker.js"):
        (assets / name).write_bytes((source / name).read_bytes())
    (assets / "vega.js").write_text(vega_bundle(schema), encoding="utf-8")


def _execute(nb: nbformat.NotebookNode, workdir: Path, timeout: int) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb.cells.insert(0, nbformat.v4.new_code_cell(_KERNEL_PRELUDE))
    previous = os.environ.get("IAPTLAB_RENDERER")
    os.environ["IAPTLAB_RENDERER"] = "svg"
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        if previous is None:
            os.environ.pop("IAPTLAB_RENDERER", None)
        else:
            os.environ["IAPTLAB_RENDERER"] = previous
    nb.cells.pop(0)
    return nb


def _index_body(lessons: list[dict], edition: str, repo: str, guide: bool) -> str:
    items = []
    more = "".join(f'<li><a href="{lesson["page"]}">{html.escape(lesson["title"])}</a></li>'
                   for lesson in lessons if lesson["extra"])
    for lesson in (lesson for lesson in lessons if not lesson["extra"]):
        objectives = "".join(f"<li>{_inline(o)}</li>" for o in lesson["objectives"])
        objectives = (f'<p class="you-can">By the end you can:</p><ul>{objectives}</ul>'
                      if objectives else "")
        time_needed = f'<p class="time"><strong>Time:</strong> {html.escape(lesson["time"])}</p>' \
            if lesson["time"] else ""
        progress = ""
        if lesson["questions"]:
            ids = html.escape(json.dumps(lesson["questions"]))
            progress = (f'<p class="lesson-progress" data-questions="{ids}">'
                        f'{len(lesson["questions"])} self-check questions; none answered yet in this '
                        "browser.</p>")
        items.append(f'<li class="lesson"><h2><a href="{lesson["page"]}">{html.escape(lesson["title"])}'
                     f"</a></h2>{time_needed}{objectives}{progress}</li>")
    if edition == "instructor":
        intro = ("<h1>iaptlab: instructor site</h1><p>The instructor guide and the instructor "
                 "edition of every lesson (worked answers, teaching notes), executed. Do not "
                 "publish this folder where students can find it.</p>"
                 + ('<p><a href="guide.html">The instructor guide</a></p>' if guide else ""))
    else:
        link = BINDER_URL.format(repo=repo, notebook="00_start_here.ipynb")
        intro = ("<h1>iaptlab: appraising how a therapy service measures its own success</h1>"
                 "<p>England's IAPT programme (now NHS Talking Therapies) reports about 50% "
                 "\"recovery\" from self-report questionnaires; a critic who assessed 90 former "
                 "clients with a standardised diagnostic interview reported that about 10% had lost "
                 "their diagnosis. These lessons work out what each number measures and how both "
                 "can be reported. Read each lesson here, with every chart, and check your answers "
                 "in the page: nothing to install.</p>"
                 f"<p>The explorers (sliders beside a chart) of lessons {_lessons_moving_in_page()} "
                 "move right here in the page: it computes each setting itself. The others, and the "
                 "Python exercises, run live: "
                 f'open the workbook on <a href="{html.escape(link)}">Binder</a> or, on your own '
                 "computer, run <code>iaptlab lab</code>. To print a handout of a lesson, print its "
                 "page: charts come out as pictures and each exercise gets an answer line.</p>")
    more = f"<h2>Also in this workbook</h2><ul>{more}</ul>" if more else ""
    return _rewrite_links(f'{intro}<ol class="lessons">{"".join(items)}</ol>{more}')


def build_site(out_dir: str | Path, edition: str = "learner", *, repo: str = PLACEHOLDER_REPO,
               source: str | Path | Traversable | None = None, timeout: int = 600) -> SiteBuild:
    """Execute one edition of every lesson and write it as a static site into ``out_dir``.

    ``source`` defaults to the packaged lessons; ``repo`` ("OWNER/REPO") fills the Binder links.
    The learner site gets self-check forms and progress; the instructor site gets the guide
    (``instructor/GUIDE.md`` from a checkout) and keeps worked answers. Existing files in
    ``out_dir`` are replaced.

    >>> build_site("x", edition="student")
    Traceback (most recent call last):
    ...
    iaptlab.errors.ParameterError: edition must be one of ('learner', 'instructor'), got 'student'
    """
    if edition not in EDITIONS:
        raise ParameterError(f"edition must be one of {EDITIONS}, got {edition!r}")
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        raise ParameterError(f"repo must look like OWNER/REPO, got {repo!r}")
    started = time.perf_counter()
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rendered = render_edition(source if source is not None else lessons_folder(), edition)
    # lessons (NN_name) in order, then any other top-level notebook (e.g. a glossary)
    notebooks = sorted((name for name in rendered if name.endswith(".ipynb") and "/" not in name),
                       key=lambda name: (not _LESSON_FILE.match(name), name))
    lessons: list[dict] = []
    for name in notebooks:
        nb = nbformat.reads(rendered[name].decode("utf-8"), as_version=4)
        objectives, minutes = lesson_summary(nb)
        title = next((line.lstrip("#").strip() for c in nb.cells if c.cell_type == "markdown"
                      for line in c.source.splitlines() if line.startswith("# ")), name)
        lessons.append({"file": name, "page": page_path(name), "title": title, "nb": nb,
                        "objectives": objectives, "time": minutes, "questions": [],
                        "extra": not _LESSON_FILE.match(name)})
    pages_nav = [(lesson["page"], lesson["title"]) for lesson in lessons if not lesson["extra"]]
    extras = [(lesson["page"], lesson["title"]) for lesson in lessons if lesson["extra"]]
    home = "Instructor site" if edition == "instructor" else "All lessons"
    schema = ""  # the Vega-Lite version of the charts: the bundle must draw it
    with tempfile.TemporaryDirectory(prefix="iaptlab-site-") as work:
        for lesson in lessons:
            has_code = any(c.cell_type == "code" and c.source.strip() for c in lesson["nb"].cells)
            executed = _execute(lesson["nb"], Path(work), timeout) if has_code else lesson["nb"]
            body, questions, charts = render_lesson(executed, lesson["file"], edition=edition, repo=repo)
            lesson["questions"] = questions
            schema = schema or next((m.group("url") for m in [_SCHEMA.search(body)] if m), "")
            entries = {q: question_entry(q) for q in questions}
            data = _json_script(entries, id="iaptlab-questions") if entries else ""
            progress = (f'<p class="page-progress" data-questions="{html.escape(json.dumps(questions))}" '
                        f'aria-live="polite"></p>{_READING_NOTE}') if questions else ""
            scripts = (["vega.js"] if charts else []) + ["checker.js", "site.js"]
            body = body.replace("</h1>", "</h1>" + progress, 1) if "</h1>" in body else progress + body
            page = _page(f"{lesson['title']} · iaptlab", body,
                         nav=_nav(pages_nav, lesson["page"], home, extras), scripts=scripts, data=data)
            (out / lesson["page"]).write_text(page, encoding="utf-8")
    _copy_assets(out, schema)
    guide = _write_guide(out, home) if edition == "instructor" else False
    index = _page("iaptlab workbook" + (" (instructor)" if edition == "instructor" else ""),
                  _index_body(lessons, edition, repo, guide), nav=_nav(pages_nav, None, home, extras),
                  scripts=["site.js"])
    (out / "index.html").write_text(index, encoding="utf-8")
    pages = tuple(sorted(out.glob("*.html")))
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return SiteBuild(out, pages, total, time.perf_counter() - started)


def _write_guide(out: Path, home: str) -> bool:
    guide = Path(__file__).resolve().parents[1] / "instructor" / "GUIDE.md"
    if not guide.is_file():
        return False
    body = _rewrite_links(_clamp_headings(_markdown(guide.read_text(encoding="utf-8"))))
    (out / "guide.html").write_text(_page("Instructor guide · iaptlab", body,
                                          nav=f'<a href="index.html">{html.escape(home)}</a>'),
                                    encoding="utf-8")
    return True
