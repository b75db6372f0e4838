"""A live chart in a notebook: one Vega view per explorer, updated in place (for explorers).

With Altair's ``jupyter`` renderer (and anywidget) active, an explorer keeps one
:class:`LiveChart` widget. A move whose chart has the same structure as the one on screen (same
builder, new numbers) sends only the changed rows of its datasets, its description and (a new text
of the same shape) its title, in one message with the explorer's sentence and table: the page
applies them as a Vega changeset and title signals to the view it already has, with no new embed.
A chart of a new structure is embedded afresh. :mod:`iaptlab.widgets` uses these functions; it never imports
Altair itself.

An explorer whose computation is arithmetic on a small table (00, 01, 02.thresholds, 04, 06, 08) is answered in
the page: its script (``iaptlab/static/compute``) runs there on JSON the explorer prepares, with
each chart structure given once as a :func:`chart_skeleton`; the page fills in rows, title and
description (``iaptlab/static/live_chart.js``), and the kernel draws nothing while it does.

>>> live_view_available() in (True, False)
True
>>> first = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q").properties(description="one")
>>> later = alt.Chart(pd.DataFrame({"x": [2]})).mark_bar().encode(x="x:Q").properties(description="two")
>>> changed = data_update(first.to_dict(), later.to_dict())
>>> [rows for rows in changed["datasets"].values()], changed["description"]
([[{'x': 2}]], 'two')
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
from altair.utils.schemapi import SchemaBase

from ..errors import ParameterError

__all__ = ["BROWSER_DATASET", "LIVE_EMBED_OPTIONS", "bundled_offline", "chart_records", "chart_skeleton", "data_update",
           "forget_shown", "has_params", "label_lookup_update", "live_view", "live_view_available", "refilled_update",
           "replace_live_chart", "schema_checks", "use_cached_altair_bundle"]

#: Vega-embed options for the live chart: SVG, so every bar is an element with an ARIA label
#: (screen readers, and browser tests, can read the values), and no action menu (an unlabelled
#: ``<summary>`` that a screen reader cannot name, and clutter on a projector).
LIVE_EMBED_OPTIONS = {"renderer": "svg", "actions": False}


#: The name of the one dataset in a :func:`chart_skeleton` (the page fills it with the rows).
BROWSER_DATASET = "iaptlab_rows"


def chart_skeleton(chart: Any) -> dict:
    """``chart``'s Vega-Lite spec without its rows, title and description: the page adds the ones
    it computes. Its one dataset is renamed :data:`BROWSER_DATASET` (and holds no rows).

    >>> skeleton = chart_skeleton(alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().properties(title="t"))
    >>> skeleton["datasets"], skeleton["data"], "title" in skeleton
    ({'iaptlab_rows': []}, {'name': 'iaptlab_rows'}, False)
    """
    spec = chart.to_dict(validate=False)
    names = list(spec.get("datasets", {}))
    if len(names) != 1:
        raise ParameterError(f"a browser chart needs exactly one dataset, this one has {len(names)}")
    text = json.dumps({k: v for k, v in spec.items() if k not in ("datasets", "description", "title")})
    skeleton = json.loads(text.replace(json.dumps(names[0]), json.dumps(BROWSER_DATASET)))
    skeleton["datasets"] = {BROWSER_DATASET: []}
    return skeleton


def live_view_available() -> bool:
    """Whether a live chart widget can be used (Altair's ``jupyter`` renderer and anywidget)."""
    return alt.renderers.active == "jupyter" and importlib.util.find_spec("anywidget") is not None


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "iaptlab"


def bundled_offline(snippet: str) -> str:
    """``snippet`` bundled with Vega, Vega-Lite and vega-embed by vl-convert, cached on disk.

    Bundling starts vl-convert's JavaScript runtime, which costs a kernel about 80 MB and a
    second; the bundle only depends on the snippet and the vl-convert version, so it is kept in
    ``$XDG_CACHE_HOME/iaptlab`` (``~/.cache/iaptlab``) and later kernels read the file. Where the
    cache cannot be written, the bundle is simply made again next time.
    """
    import hashlib
    from importlib.metadata import version

    from altair.utils._importers import vl_version_for_vl_convert

    vl_version = vl_version_for_vl_convert()
    key = hashlib.sha256(f"{version('vl-convert-python')}|{vl_version}|{snippet}".encode()).hexdigest()[:16]
    path = _cache_dir() / f"bundle-{key}.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    import vl_convert

    bundle = vl_convert.javascript_bundle(snippet, vl_version=vl_version)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(bundle, encoding="utf-8")
        partial.replace(path)  # atomic: another kernel never reads half a bundle
    except OSError:
        pass
    return bundle


def use_cached_altair_bundle() -> None:
    """Give Altair's chart widget its offline bundle from :func:`bundled_offline`'s cache (Altair
    would start vl-convert's runtime in every kernel to make the same bundle)."""
    if alt.JupyterChart._is_offline:
        return
    from altair.jupyter.jupyter_chart import load_js_src

    lines = load_js_src().split("\n")
    while lines and (not lines[0].strip() or lines[0].startswith(("import", "//"))):
        lines.pop(0)  # as JupyterChart.enable_offline does before bundling
    alt.JupyterChart._esm = bundled_offline("\n".join(lines))
    alt.JupyterChart._is_offline = True


@cache
def _live_chart_class() -> type:
    """The :class:`LiveChart` widget class, its JavaScript bundled offline by vl-convert once."""
    from importlib.resources import files

    import anywidget
    import traitlets

    source = (files("iaptlab.static") / "live_chart.js").read_text(encoding="utf-8")

    from ipywidgets import Widget, widget_serialization

    class LiveChart(anywidget.AnyWidget):
        """One Vega view: ``spec`` embeds it; ``update`` (datasets by name, description) changes it.

        With ``compute_script`` the page computes each move itself (no kernel round trip): it
        watches the ``controls`` (value widgets, named by ``control_names``), runs the script on
        ``compute_data`` and puts the result in the chart and in the ``texts`` (sentence, table)
        widgets. It sets ``browser_ready`` once it has loaded the script, and back to False if the
        script fails, so the kernel answers again.
        """

        _esm = bundled_offline(source)
        spec = traitlets.Dict().tag(sync=True)
        update = traitlets.Dict().tag(sync=True)
        embed_options = traitlets.Dict().tag(sync=True)
        compute_script = traitlets.Unicode("").tag(sync=True)
        compute_data = traitlets.Dict().tag(sync=True)
        choice_options = traitlets.Dict().tag(sync=True)
        controls = traitlets.List(traitlets.Instance(Widget)).tag(sync=True, **widget_serialization)
        control_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
        texts = traitlets.List(traitlets.Instance(Widget)).tag(sync=True, **widget_serialization)
        browser_ready = traitlets.Bool(False).tag(sync=True)

    return LiveChart


def live_view(chart: Any) -> Any:
    """A new live chart widget showing ``chart``."""
    view = _live_chart_class()(embed_options=dict(LIVE_EMBED_OPTIONS))
    view.spec = chart.to_dict()
    view.shown_spec = view.spec  # what the page shows now (spec + updates), for the next diff
    datasets = list(view.spec.get("datasets", {}).values())
    view.shown_rows = datasets[0] if len(datasets) == 1 else None
    view.shown_chart = chart
    _remember_lookups(view, view.spec, embedded=True)
    return view


def forget_shown(view: Any) -> None:
    """Forget what ``view`` shows (the page drew numbers of its own): the next
    :func:`replace_live_chart` sends every dataset and the description again."""
    view.shown_chart = None
    view.shown_rows = None
    view.shown_spec = {**view.spec, "description": None,
                       "datasets": {name: None for name in view.spec.get("datasets", {})}}


def replace_live_chart(view: Any, chart: Any, texts: Sequence[str] | None = None) -> None:
    """Show ``chart`` in the existing live ``view``: only its data when the structure is unchanged.

    Same builder, new numbers: the first chart was validated against the Vega-Lite schema, and
    re-validating each move's spec costs more than computing the rates, so it is skipped. A chart
    refilled from the same template as the one shown (:func:`iaptlab.charts.refill`) is not even
    serialised whole: only its rows, description and title are (:func:`refilled_update`).
    ``texts`` (the explorer's sentence and table HTML) travel in the same ``update`` message: one
    message per move, and the page writes them after the chart has been painted.
    """
    extra = {} if texts is None else {"texts": list(texts)}
    update = refilled_update(view, chart)
    if update is not None:
        rows = next(iter(update["datasets"].values()))
        changed = {"datasets": update["datasets"] if rows != view.shown_rows else {},
                   "description": update["description"]
                   if update["description"] != view.shown_spec.get("description") else None}
        if update.get("title") is not None:
            changed["title"] = update["title"]
        if update.get("label_maps"):
            changed["label_maps"] = update["label_maps"]
            view.shown_lookups = update["shown_lookups"]
        if changed["datasets"] or changed["description"] is not None or len(changed) > 2 or extra:
            view.update = {**changed, **extra}
        shown_name = next(iter(view.shown_spec.get("datasets", {})), None)
        view.shown_spec = {**view.shown_spec, "description": update["description"],
                           "datasets": {shown_name: rows}}
        view.shown_rows, view.shown_chart = rows, chart
        return
    new = chart.to_dict(validate=False)
    update = data_update(view.spec, new, shown=view.shown_spec)
    if update is None:
        update = label_lookup_update(view.spec, new, shown=view.shown_spec)
    if update is None:
        with view.hold_sync():
            view.update = extra
            view.spec = new
    elif update["datasets"] or update["description"] is not None or update.get("label_maps") or extra:
        view.update = {**update, **extra}
    _remember_lookups(view, new, embedded=update is None)
    view.shown_spec = new
    datasets = list(new.get("datasets", {}).values())
    view.shown_rows = datasets[0] if len(datasets) == 1 else None
    view.shown_chart = chart


#: Altair's default data transformer refuses more rows than this; such charts take the full path.
_MAX_ROWS = 5000


def refilled_update(view: Any, chart: Any) -> dict | None:
    """The update for ``chart`` when it differs from the chart ``view`` shows only in its top-level
    data (a DataFrame), description and title text, as charts refilled from one template do; else None.

    The rows are made as Altair's ``to_dict`` makes them (sanitised, one record per row), so the
    page receives exactly what the full path would send, at a fraction of the cost. A new title
    (``"title"`` in the update) is applied through the view's title signals, so it must have the
    shape of the one embedded: the same keys, a subtitle in both or in neither. An axis's wrapped-label
    lookup (:func:`iaptlab.charts.layout.wrapped_labels`, a label that carries a number) may differ
    too: ``"label_maps"`` then pairs each lookup as embedded with the new one, as
    :func:`label_lookup_update` does, and ``"shown_lookups"`` lists the lookups then shown.
    """
    previous = getattr(view, "shown_chart", None)
    names = list(view.spec.get("datasets", {}))
    data = getattr(chart, "_kwds", {}).get("data")
    if (previous is None or type(chart) is not type(previous) or len(names) != 1
            or not isinstance(data, pd.DataFrame) or len(data) > _MAX_ROWS):
        return None
    lookups: list[tuple[str, str]] = []  # wrapped-label lookups that changed: (shown, new)
    for key in set(chart._kwds) | set(previous._kwds):
        if key not in ("data", "description", "title") and not _same_but_lookups(
                chart._kwds.get(key, alt.Undefined), previous._kwds.get(key, alt.Undefined), lookups):
            return None
    labels = _label_maps(view, lookups) if lookups else ([], None)
    if labels is None:
        return None
    new_title, old_title = chart._kwds.get("title", alt.Undefined), previous._kwds.get("title", alt.Undefined)
    title = None
    if not _same(new_title, old_title):
        title = _signal_title(new_title, old_title)
        if title is None:
            return None
    rows = chart_records(data)
    description = chart._kwds.get("description", alt.Undefined)
    return {"datasets": {names[0]: rows}, "description": None if description is alt.Undefined else description,
            "title": title, "label_maps": labels[0], "shown_lookups": labels[1]}


def chart_records(data: pd.DataFrame) -> list[dict]:
    """``data`` as the records Altair's ``to_dict`` puts in a spec (sanitised: NaN and infinities
    as None, numpy numbers as Python ones, missing text as None).

    Columns of numpy numbers, booleans and pandas text are converted here, a column at a time (a
    tenth of the cost of Altair's sanitiser on a small frame); a frame with any other column takes
    Altair's own path. Both give the same records.

    >>> chart_records(pd.DataFrame({"a": [1, 2], "b": [0.5, float("nan")], "c": ["x", None]}))
    [{'a': 1, 'b': 0.5, 'c': 'x'}, {'a': 2, 'b': None, 'c': None}]
    """
    names = list(data.columns)
    columns = []
    for name in names:
        column = data[name] if isinstance(name, str) and names.count(name) == 1 else None
        dtype = None if column is None else column.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "iub":
            columns.append(column.to_numpy().tolist())
        elif isinstance(dtype, np.dtype) and dtype.kind == "f":
            values = column.to_numpy()
            finite = np.isfinite(values)
            numbers = values.tolist()
            columns.append(numbers if finite.all() else
                           [number if ok else None for number, ok in zip(numbers, finite.tolist(), strict=True)])
        elif isinstance(dtype, pd.StringDtype):
            columns.append([None if text is None or text is pd.NA or text != text else text
                            for text in column.tolist()])  # missing (NaN or NA) as None
        else:
            from altair.utils.core import sanitize_pandas_dataframe

            return sanitize_pandas_dataframe(data).to_dict(orient="records")
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _title_dict(title: Any) -> dict | None:
    if isinstance(title, str):
        return {"text": title}
    if isinstance(title, alt.Title):
        return title.to_dict(validate=False)
    return None


def _signal_title(new: Any, old: Any) -> dict | None:
    """``new`` title as a dict when the view embedded with ``old`` can show it through its title
    signals (same keys, the same properties but text and subtitle, a subtitle in both or neither)."""
    new_d, old_d = _title_dict(new), _title_dict(old)
    if new_d is None or old_d is None or set(new_d) != set(old_d) or not new_d.get("text"):
        return None
    if any(new_d[k] != old_d[k] for k in new_d if k not in ("text", "subtitle")):
        return None
    if bool(new_d.get("subtitle")) != bool(old_d.get("subtitle")):
        return None
    return new_d


def _same(new: Any, old: Any) -> bool:
    """Whether two chart properties are the same object or plainly equal (no DataFrame compared)."""
    if new is old:
        return True
    if type(new) is not type(old):
        return False
    if isinstance(new, (str, int, float, bool)):
        return new == old
    if isinstance(new, list):
        return len(new) == len(old) and all(_same(a, b) for a, b in zip(new, old, strict=True))
    if isinstance(new, alt.TopLevelMixin):  # a refilled part: its own properties, shared layers
        keys = set(new._kwds) | set(old._kwds)
        return all(_same(new._kwds.get(k, alt.Undefined), old._kwds.get(k, alt.Undefined)) for k in keys)
    if isinstance(new, SchemaBase):  # a title, a config: small, compared by their spec
        return new.to_dict(validate=False) == old.to_dict(validate=False)
    return False


def _same_but_lookups(new: Any, old: Any, lookups: list[tuple[str, str]], key: str = "") -> bool:
    """:func:`_same`, except that an axis ``labelExpr`` may hold another wrapped-label lookup: each
    such difference is added to ``lookups`` as (old JSON, new JSON). Altair objects are compared
    property by property (a refilled chart shares all but the changed ones), then by their spec."""
    if new is old:
        return True
    if type(new) is not type(old):
        return False
    if isinstance(new, str) and key == "labelExpr" and new != old:
        new_match, old_match = _LABEL_LOOKUP.match(new), _LABEL_LOOKUP.match(old)
        if new_match is None or old_match is None:
            return False
        lookups.append((old_match.group(1), new_match.group(1)))
        return True
    if isinstance(new, (list, tuple)):
        return len(new) == len(old) and all(
            _same_but_lookups(a, b, lookups) for a, b in zip(new, old, strict=True))
    if isinstance(new, dict):
        return new.keys() == old.keys() and all(_same_but_lookups(new[k], old[k], lookups, k) for k in new)
    if isinstance(new, SchemaBase):
        found: list[tuple[str, str]] = []
        if _same_but_lookups(list(new._args), list(old._args), found) and all(
                _same_but_lookups(new._kwds.get(k, alt.Undefined), old._kwds.get(k, alt.Undefined), found, k)
                for k in set(new._kwds) | set(old._kwds)):
            lookups.extend(found)
            return True
    return _same(new, old)


def _remember_lookups(view: Any, spec: dict, *, embedded: bool) -> None:
    """Note the wrapped-label lookups ``view`` shows with ``spec`` (and, when ``spec`` was
    ``embedded`` afresh, the ones its signals are named by), in the order of the spec."""
    found = _without_label_lookups(spec)[1]
    view.shown_lookups = found
    if embedded:
        view.embedded_lookups = found


def _label_maps(view: Any, lookups: list[tuple[str, str]]) -> tuple[list, list[str]] | None:
    """[lookup as embedded, new lookup] for each changed lookup, and the lookups shown after the
    change; None when the view's lookups are not known or a change cannot go through the signals
    (a lookup shown in several places that changes in only some, or that several embedded share)."""
    embedded, shown = getattr(view, "embedded_lookups", None), getattr(view, "shown_lookups", None)
    if embedded is None or shown is None or len(embedded) != len(shown):
        return None
    changes: dict[str, str] = {}
    for old, new in lookups:
        if changes.setdefault(old, new) != new:
            return None
    after, maps = list(shown), []
    for old, new in changes.items():
        places = [i for i, text in enumerate(shown) if text == old]
        origins = {embedded[i] for i in places}
        if len(origins) != 1 or sum(text == old for text, _ in lookups) != len(places):
            return None
        for i in places:
            after[i] = new
        maps.append([origins.pop(), json.loads(new)])
    return maps, after


def _skeleton(spec: dict) -> tuple[str, list[str]]:
    """The spec as text without dataset rows and description, dataset names by order of use."""
    names = list(spec.get("datasets", {}))
    rest = {k: v for k, v in spec.items() if k not in ("datasets", "description")}
    text = json.dumps(rest, sort_keys=True)
    for index, name in enumerate(names):
        text = text.replace(json.dumps(name), f'"@dataset{index}"')
    return text, names


#: An axis ``labelExpr`` made by :func:`iaptlab.charts.layout.wrapped_labels`: a lookup of each
#: long label's lines (group 1, JSON), the only part of it that changes with the labels.
_LABEL_LOOKUP = re.compile(r"^\((\{.*\})\)\[datum\.label\] \|\| datum\.label$", re.S)


def _without_label_lookups(spec: dict) -> tuple[dict, list[str]]:
    """``spec`` with each wrapped-label lookup's JSON replaced by a placeholder, and those JSONs in order."""
    found: list[str] = []

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                match = _LABEL_LOOKUP.match(value) if key == "labelExpr" and isinstance(value, str) else None
                if match:
                    found.append(match.group(1))
                    out[key] = "@label-lookup"
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    stripped = {key: value if key == "datasets" else walk(value) for key, value in spec.items()}
    return stripped, found


def label_lookup_update(embedded: dict, new: dict, *, shown: dict | None = None) -> dict | None:
    """:func:`data_update` for a ``new`` spec that differs from the ``embedded`` one only in the
    wrapped-label lookups of its axes (long labels that carry a number, e.g. a cut-off): the update
    then also has ``label_maps``, [lookup JSON as embedded, new lookup] pairs, which the page puts in
    the signals it reads them from (no new embed). None when anything else differs.

    >>> axis = lambda labels: {"mark": "bar", "encoding": {"y": {"axis": {"labelExpr": labels}}}}
    >>> old = axis('({"a long label 1": ["a long", "label 1"]})[datum.label] || datum.label')
    >>> new = axis('({"a long label 2": ["a long", "label 2"]})[datum.label] || datum.label')
    >>> label_lookup_update(old, new)["label_maps"]
    [['{"a long label 1": ["a long", "label 1"]}', {'a long label 2': ['a long', 'label 2']}]]
    >>> label_lookup_update(old, {**new, "mark": "point"}) is None
    True
    """
    before, embedded_lookups = _without_label_lookups(embedded)
    after, new_lookups = _without_label_lookups(new)
    if not embedded_lookups or len(embedded_lookups) != len(new_lookups):
        return None
    update = data_update(before, after, shown=shown)
    if update is None:
        return None
    return {**update, "label_maps": [[old, json.loads(lookup)]
                                     for old, lookup in zip(embedded_lookups, new_lookups, strict=True)]}


def data_update(embedded: dict, new: dict, *, shown: dict | None = None) -> dict | None:
    """What to send a view that embedded ``embedded`` (and shows ``shown``) so that it shows ``new``.

    ``{"datasets": {name in the embedded spec: rows}, "description": text or None}``, with only the
    datasets whose rows changed; ``None`` when the structure differs (the view must be re-embedded).

    >>> spec = {"datasets": {"d1": [{"x": 1}]}, "data": {"name": "d1"}, "mark": "bar"}
    >>> data_update(spec, {"datasets": {"d2": [{"x": 1}]}, "data": {"name": "d2"}, "mark": "bar"})
    {'datasets': {}, 'description': None}
    >>> data_update(spec, {"datasets": {"d2": [{"x": 1}]}, "data": {"name": "d2"}, "mark": "line"}) is None
    True
    """
    shown = embedded if shown is None else shown
    old_text, old_names = _skeleton(embedded)
    new_text, new_names = _skeleton(new)
    if old_text != new_text or len(old_names) != len(new_names):
        return None
    shown_rows = list(shown.get("datasets", {}).values())
    datasets = {old: new["datasets"][name] for old, name, before in zip(old_names, new_names, shown_rows, strict=True)
                if new["datasets"][name] != before}
    description = new.get("description")
    return {"datasets": datasets,
            "description": description if description != shown.get("description") else None}


@contextmanager
def schema_checks(enabled: bool) -> Iterator[None]:
    """Altair's validate-at-construction on (``enabled``) or off for the charts built inside.

    >>> with schema_checks(False):
    ...     pass
    """
    if enabled:
        yield
        return
    from altair.utils.schemapi import debug_mode

    with debug_mode(False):
        yield


def has_params(chart: Any) -> bool:
    """Whether an Altair chart (or any of its layers / sub-charts) declares params or selections.

    >>> has_params(alt.Chart().mark_point())
    False
    """
    if getattr(chart, "params", alt.Undefined) not in (alt.Undefined, None, []):
        return True
    parts = [getattr(chart, key, alt.Undefined) for key in ("layer", "hconcat", "vconcat", "concat")]
    parts += [getattr(chart, "spec", alt.Undefined)]
    for part in parts:
        if part is alt.Undefined or part is None:
            continue
        for child in part if isinstance(part, list) else [part]:
            if has_params(child):
                return True
    return False

