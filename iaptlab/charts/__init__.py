"""Every chart in iaptlab: Altair builders with one accessible theme; DataFrame in, chart out.

The package is the only place that imports Altair. Its modules, by concept:

* :mod:`~iaptlab.charts.theme`: the Okabe–Ito palette, shapes and dashes, the theme, the offline
  renderers (:func:`use_offline_renderer`) and export (:func:`save_chart`, PNG/SVG via vl-convert);
* :mod:`~iaptlab.charts.inputs` and :mod:`~iaptlab.charts.layout`: the input checks and the fast
  path (:func:`refill`) every builder shares;
* :mod:`~iaptlab.charts.rates` (:func:`rates_bar`), :mod:`~iaptlab.charts.measurement`
  (:func:`score_histogram`, :func:`predictive_values_chart`, :func:`sem_band`),
  :mod:`~iaptlab.charts.national` (:func:`line_by_year`, :func:`funnel`),
  :mod:`~iaptlab.charts.gap` (:func:`waterfall`: from one rate to another);
* :mod:`~iaptlab.charts.report`: charts as inline SVG for the HTML report (:func:`inline_svg`).

Every builder:

* validates its input columns and raises :class:`~iaptlab.errors.InputError` naming a missing or
  bad column (and the spreadsheet row, header = row 1);
* aggregates in pandas first, so no chart carries more than :data:`MAX_CHART_ROWS` rows;
* uses the Okabe–Ito colour-blind-safe palette and never colour alone: groups are also told apart
  by shape, dash pattern, facet or a text label;
* sets a Vega-Lite top-level ``description`` (read out as the chart's ARIA label) that states the
  numbers shown, so a screen-reader user gets the same facts; numbers are worded by
  :mod:`iaptlab.format`.

Speed: each builder checks and aggregates its input in pandas on every call, but builds its
Altair layers (the slow part: schema checks of every encoding) once per layout and then
fills a copy of them with the new data, title and description (:func:`refill`), so a builder
call takes a few milliseconds. Explorers use :func:`refill` the same way for charts of their own.
Nothing outside this package edits a finished chart: a caller that needs another label asks for
it (e.g. :func:`rates_bar_with_labels`).

>>> import pandas as pd
>>> from iaptlab.charts import funnel
>>> chart = funnel(pd.DataFrame({"stage": ["referred", "finished"], "count": [100, 40]}))
>>> chart.to_dict()["description"]
'Attrition funnel. referred: 100 (100.0% of referred); finished: 40 (40.0% of referred)'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

#: Where each public name lives. Names are imported on first use (PEP 562), so that importing
#: ``iaptlab.charts`` (every explorer and the report do) costs nothing until a chart is built: the
#: report draws its SVG without Altair, and a kernel pays for Altair only with its first chart.
_HOMES = {
    "waterfall": "gap",
    "MAX_CHART_ROWS": "inputs", "check_rows": "inputs", "numeric_column": "inputs",
    "required_columns": "inputs",
    "chart_title": "layout", "refill": "layout", "summary_text": "layout",
    "PV_NAMES": "measurement", "predictive_values_chart": "measurement",
    "score_histogram": "measurement", "score_histogram_from_counts": "measurement",
    "sem_band": "measurement",
    "funnel": "national", "funnel_with_labels": "national", "line_by_year": "national",
    "rates_bar": "rates", "rates_bar_with_labels": "rates",
    "inline_svg": "report",
    "DASHES": "theme", "chart_output": "theme", "FONT_FAMILY": "theme", "PALETTE": "theme",
    "PRESENTATION_FONT_SCALE": "theme", "SHAPES": "theme", "THEME_NAME": "theme",
    "offline_chart_bundle": "theme", "save_chart": "theme", "theme_config": "theme",
    "use_offline_renderer": "theme", "use_theme": "theme", "vega_lite_svg": "theme",
}


#: The package's modules, reachable as attributes too (``charts.national.DEFAULT_YEAR``).
_MODULES = frozenset({"gap", "gap_split", "inputs", "layout", "lessons", "live", "measurement",
                      "national", "rates", "report", "theme"})


def __getattr__(name: str):
    """Import a public name's module on first use (``charts.funnel``, ``from .charts import funnel``),
    or a module of the package (``charts.national``)."""
    if name in _MODULES:
        return import_module(f".{name}", __name__)  # importing sets it as an attribute
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES) | _MODULES)


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from .gap import waterfall
    from .inputs import MAX_CHART_ROWS, check_rows, numeric_column, required_columns
    from .layout import chart_title, refill, summary_text
    from .measurement import (
        PV_NAMES,
        predictive_values_chart,
        score_histogram,
        score_histogram_from_counts,
        sem_band,
    )
    from .national import funnel, funnel_with_labels, line_by_year
    from .rates import rates_bar, rates_bar_with_labels
    from .report import inline_svg
    from .theme import (
        DASHES,
        FONT_FAMILY,
        PALETTE,
        PRESENTATION_FONT_SCALE,
        SHAPES,
        THEME_NAME,
        chart_output,
        offline_chart_bundle,
        save_chart,
        theme_config,
        use_offline_renderer,
        use_theme,
        vega_lite_svg,
    )


__all__ = [
    "DASHES",
    "FONT_FAMILY",
    "MAX_CHART_ROWS",
    "PALETTE",
    "PRESENTATION_FONT_SCALE",
    "PV_NAMES",
    "SHAPES",
    "THEME_NAME",
    "chart_output",
    "chart_title",
    "check_rows",
    "funnel",
    "funnel_with_labels",
    "inline_svg",
    "line_by_year",
    "numeric_column",
    "offline_chart_bundle",
    "predictive_values_chart",
    "rates_bar",
    "rates_bar_with_labels",
    "refill",
    "required_columns",
    "save_chart",
    "score_histogram",
    "score_histogram_from_counts",
    "sem_band",
    "summary_text",
    "theme_config",
    "use_offline_renderer",
    "use_theme",
    "vega_lite_svg",
    "waterfall",
]
