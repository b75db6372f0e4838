"""Charts as the HTML report needs them: inline SVG, drawn offline, labelled for screen readers.

>>> import pandas as pd
>>> from .national import funnel
>>> svg = inline_svg(funnel(pd.DataFrame({"stage": ["a", "b"], "count": [4, 1]})), "c1")
>>> svg.count('role="img"'), '<title>Attrition funnel. a: 4' in svg
(1, True)
"""

from __future__ import annotations

import re
from html import escape

import altair as alt

from .theme import theme_config, vega_lite_svg

__all__ = ["inline_svg"]


def _report_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec with the theme applied and room for long axis labels.

    ARIA attributes of marks and axes are off (``aria: false``): the whole SVG is one image
    whose label is the chart's description, and no mark carries a label of its own (Vega would
    otherwise label each bar with its data values, to as many digits as the data has).
    """
    spec = chart.to_dict()
    config = theme_config()["config"]
    config["axis"] = {**config["axis"], "labelLimit": 320}  # long outcome names stay whole
    spec["config"] = {**config, **{k: v for k, v in spec.get("config", {}).items() if k != "view"},
                      "aria": False}
    return spec


def inline_svg(chart: alt.TopLevelMixin, id_prefix: str = "c") -> str:
    """``chart`` as an ``<svg>`` element for an HTML page, in the iaptlab theme, drawn offline.

    The SVG has ``role="img"``, an ``aria-label`` and a ``<title>`` holding the chart's
    description (the numbers it shows), and no element inside it has a role or ARIA attribute of
    its own (see :func:`_report_spec`); its element ids start with ``id_prefix`` so several
    charts can share a page; it carries no XML namespaces (HTML needs none).
    """
    spec = _report_spec(chart)
    svg = vega_lite_svg(spec)
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)  # inline SVG in HTML needs no namespaces
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{id_prefix}-\1"', svg)  # ids unique across the page
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{id_prefix}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{id_prefix}-\1"', svg)
    label_text = escape(spec.get("description", ""))
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{label_text}"', 1)
    end = svg.index(">") + 1
    # inside one image nothing has a role of its own (Vega marks its groups "graphics-symbol")
    inner = re.sub(r'\s(?:role|aria-[a-z]+)="[^"]*"', "", svg[end:])
    return svg[:end] + f"<title>{label_text}</title>" + inner
