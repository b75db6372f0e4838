"""A live chart in a notebook: one Vega view per explorer, updated in place (for explorers).

With Altair's ``jupyter`` renderer (and anywidget) active, an explorer keeps one
:class:`LiveChart` widget. A move whose chart has the same structure as the one on screen (same
builder, new numbers) sends only the changed rows of its datasets and its description: the page
applies them as a Vega changeset to the view it already has, with no new embed. A chart of a new
structure is embedded afresh. :mod:`iaptlab.widgets` uses these functions; it never imports
Altair itself.

>>> live_view_available() in (True, False)
True
>>> import pandas as pd
>>> first = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q").properties(description="one")
>>> later = alt.Chart(pd.DataFrame({"x": [2]})).mark_bar().encode(x="x:Q").properties(description="two")
>>> changed = data_update(first.to_dict(), later.to_dict())
>>> [rows for rows in changed["datasets"].values()], changed["description"]
([[{'x': 2}]], 'two')
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import altair as alt

__all__ = ["LIVE_EMBED_OPTIONS", "data_update", "has_params", "live_view", "live_view_available",
           "replace_live_chart", "schema_checks"]

#: Vega-embed options for the live chart: SVG, so every bar is an element with an ARIA label
#: (screen readers, and browser tests, can read the values), and no action menu (an unlabelled
#: ``<summary>`` that a screen reader cannot name, and clutter on a projector).
LIVE_EMBED_OPTIONS = {"renderer": "svg", "actions": False}


def live_view_available() -> bool:
    """Whether a live chart widget can be used (Altair's ``jupyter`` renderer and anywidget)."""
    return alt.renderers.active == "jupyter" and importlib.util.find_spec("anywidget") is not None


@cache
def _live_chart_class() -> type:
    """The :class:`LiveChart` widget class, its JavaScript bundled offline by vl-convert once."""
    from importlib.resources import files

    import anywidget
    import traitlets
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    source = (files("iaptlab.static") / "live_chart.js").read_text(encoding="utf-8")

    class LiveChart(anywidget.AnyWidget):
        """One Vega view: ``spec`` embeds it; ``update`` (datasets by name, description) changes it."""

        _esm = vl_convert.javascript_bundle(source, vl_version=vl_version_for_vl_convert())
        spec = traitlets.Dict().tag(sync=True)
        update = traitlets.Dict().tag(sync=True)
        embed_options = traitlets.Dict().tag(sync=True)

    return LiveChart


def live_view(chart: Any) -> Any:
    """A new live chart widget showing ``chart``."""
    view = _live_chart_class()(embed_options=dict(LIVE_EMBED_OPTIONS))
    view.spec = chart.to_dict()
    view.shown_spec = view.spec  # what the page shows now (spec + updates), for the next diff
    return view


def replace_live_chart(view: Any, chart: Any) -> None:
    """Show ``chart`` in the existing live ``view``: only its data when the structure is unchanged.

    Same builder, new numbers: the first chart was validated against the Vega-Lite schema, and
    re-validating each move's spec costs more than computing the rates, so it is skipped.
    """
    new = chart.to_dict(validate=False)
    update = data_update(view.spec, new, shown=view.shown_spec)
    if update is None:
        with view.hold_sync():
            view.update = {}
            view.spec = new
    elif update["datasets"] or update["description"] is not None:
        view.update = update
    view.shown_spec = new


def _skeleton(spec: dict) -> tuple[str, list[str]]:
    """The spec as text without dataset rows and description, dataset names by order of use."""
    names = list(spec.get("datasets", {}))
    rest = {k: v for k, v in spec.items() if k not in ("datasets", "description")}
    text = json.dumps(rest, sort_keys=True)
    for index, name in enumerate(names):
        text = text.replace(json.dumps(name), f'"@dataset{index}"')
    return text, names


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

