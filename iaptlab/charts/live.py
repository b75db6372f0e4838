"""A live chart in a notebook: one view that later charts replace in place (for explorers).

With Altair's ``jupyter`` renderer (and anywidget) active, an explorer keeps one
:class:`altair.JupyterChart` widget and swaps its spec on every move, so the page redraws without
a new widget and without re-sending the offline JavaScript bundle. :mod:`iaptlab.widgets` uses
these functions; it never imports Altair itself.

>>> live_view_available() in (True, False)
True
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import altair as alt

__all__ = ["LIVE_EMBED_OPTIONS", "has_params", "live_view", "live_view_available", "replace_live_chart",
           "schema_checks"]

#: Vega-embed options for the live chart: SVG, so every bar is an element with an ARIA label
#: (screen readers, and browser tests, can read the values), and re-drawing a small chart is fast.
LIVE_EMBED_OPTIONS = {"renderer": "svg"}


def live_view_available() -> bool:
    """Whether a live chart widget can be used (Altair's ``jupyter`` renderer and anywidget).

    Also switches the widget to the offline bundle when the renderer was enabled offline.
    """
    if alt.renderers.active != "jupyter" or importlib.util.find_spec("anywidget") is None:
        return False
    alt.JupyterChart.enable_offline(offline=bool(alt.renderers.options.get("offline", False)))
    return True


def live_view(chart: Any) -> Any:
    """A new live chart widget showing ``chart``."""
    return alt.JupyterChart(chart, embed_options=dict(LIVE_EMBED_OPTIONS))


def replace_live_chart(view: Any, chart: Any) -> None:
    """Show ``chart`` in the existing live ``view`` (params re-wired only when the chart has any).

    Same builder, new numbers: the first chart was validated against the Vega-Lite schema, and
    re-validating each move's spec costs more than computing the rates, so it is skipped.
    """
    if has_params(chart):
        view.chart = chart  # Altair wires up the params and selections
    else:
        view.spec = chart.to_dict(validate=False)


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
