"""The one chart theme (Okabe–Ito colours, readable fonts), the offline renderers and export.

>>> theme_config(2.0)["config"]["axis"]["labelFontSize"]
24.0
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import IaptlabError, ParameterError

if TYPE_CHECKING:  # Altair is imported where it is used: the report's charts need only the config
    import altair as alt

__all__ = [
    "DASHES",
    "FONT_FAMILY",
    "PALETTE",
    "PRESENTATION_FONT_SCALE",
    "SHAPES",
    "THEME_NAME",
    "chart_output",
    "offline_chart_bundle",
    "save_chart",
    "theme_config",
    "use_offline_renderer",
    "use_theme",
    "vega_lite_svg",
]

#: Okabe & Ito (2008) colour-blind-safe palette, in the order builders use it.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: Point shapes and dash patterns, in order, so groups are never told apart by colour alone.
SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down")
DASHES = ((1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (12, 4), (1, 4))
THEME_NAME = "iaptlab"
PRESENTATION_FONT_SCALE = 1.6
#: The theme's font stack (the HTML report uses the same).
FONT_FAMILY = "'Source Sans Pro', 'Segoe UI', Helvetica, Arial, sans-serif"


def theme_config(font_scale: float = 1.0) -> dict:
    """The iaptlab theme as a Vega-Lite config dict; ``font_scale`` > 1 enlarges every font.

    >>> theme_config(2.0)["config"]["axis"]["labelFontSize"]
    24.0
    """
    if not (0.5 <= font_scale <= 4):
        raise ParameterError(f"font_scale must be between 0.5 and 4, got {font_scale}")

    def size(points: float) -> float:
        return round(points * font_scale, 1)

    return {
        "config": {
            "font": FONT_FAMILY,
            "range": {"category": list(PALETTE)},
            # label limits grow with the fonts (Vega's defaults, 180 and 160 px, at scale 1), so a
            # label whole on a laptop is not cut on a projector
            "axis": {"labelFontSize": size(12), "titleFontSize": size(13), "grid": True,
                     "labelLimit": size(180)},
            "legend": {"labelFontSize": size(12), "titleFontSize": size(13), "symbolSize": 120,
                       "labelLimit": size(160)},
            "header": {"labelFontSize": size(13), "titleFontSize": size(13)},
            "title": {"fontSize": size(16), "subtitleFontSize": size(12), "anchor": "start"},
            "text": {"fontSize": size(12)},
            "view": {"continuousWidth": 480, "continuousHeight": 300},
        }
    }


def use_theme(presentation: bool = False, font_scale: float | None = None) -> str:
    """Register and enable the iaptlab theme (large fonts for projectors with ``presentation``).

    >>> use_theme(presentation=True)
    'iaptlab'
    >>> import altair as alt; _ = alt.theme.enable("default")
    """
    import altair as alt

    scale = font_scale if font_scale is not None else (
        PRESENTATION_FONT_SCALE if presentation else 1.0)
    config = theme_config(scale)
    alt.theme.register(THEME_NAME, enable=True)(lambda: config)
    return THEME_NAME


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def use_offline_renderer(mode: str | None = None) -> str:
    """Enable a renderer that needs no network and return its name: "jupyter" or "svg".

    ``mode`` is "jupyter" (interactive; needs anywidget and vl-convert, falls back to "svg"),
    "svg" (static, deterministic: use in CI) or None (the ``IAPTLAB_RENDERER`` environment
    variable, else "jupyter"). The "jupyter" renderer is Altair's, registered again without its
    round trip (:func:`_jupyter_renderer`): the same chart widget, made 5-10 times faster.

    >>> use_offline_renderer("svg")
    'svg'
    """
    import altair as alt

    from .live import use_cached_altair_bundle

    mode = (mode or os.environ.get("IAPTLAB_RENDERER") or "jupyter").strip().lower()
    if mode not in {"jupyter", "svg"}:
        raise ParameterError(f"mode must be 'jupyter' or 'svg', got {mode!r}")
    if not _has("vl_convert"):
        raise IaptlabError(
            "charts cannot render offline: install vl-convert-python (pip install vl-convert-python)")
    if mode == "jupyter" and _has("anywidget"):
        use_cached_altair_bundle()  # made once per machine, not once per kernel
        _register_jupyter_renderer()
        # no action menu: its <summary> has no accessible name, and it is clutter on a projector
        alt.renderers.enable("jupyter", offline=True, embed_options={"actions": False})
        return "jupyter"
    alt.renderers.enable("svg")
    return "svg"


#: Altair's own ``jupyter`` renderer, kept when :func:`_jupyter_renderer` takes its name.
_ALTAIR_JUPYTER_RENDERER: Any = None


def _register_jupyter_renderer() -> None:
    """Register :func:`_jupyter_renderer` as Altair's "jupyter" renderer (once per process)."""
    import altair as alt

    global _ALTAIR_JUPYTER_RENDERER
    if _ALTAIR_JUPYTER_RENDERER is None:
        with alt.renderers.enable("jupyter"):  # Altair's, without options; the renderer before comes back
            plugin = alt.renderers.get()
        _ALTAIR_JUPYTER_RENDERER = getattr(plugin, "func", plugin)
        alt.renderers.register("jupyter", _jupyter_renderer)


def _has_params(node: Any) -> bool:
    """Whether a Vega-Lite spec declares parameters or selections anywhere (its data aside)."""
    if isinstance(node, dict):
        return "params" in node or any(_has_params(value) for key, value in node.items()
                                       if key not in ("datasets", "data", "config"))
    if isinstance(node, list):
        return any(_has_params(value) for value in node)
    return False


def _chart_widget(spec: dict, *, offline: bool = False, embed_options: dict | None = None):
    """Altair's chart widget showing the Vega-Lite dict ``spec``, without parsing it back into a chart;
    None where the widget needs the chart (parameters or selections to sync, or VegaFusion)."""
    import altair as alt

    if alt.data_transformers.active == "vegafusion" or _has_params(spec):
        return None
    alt.JupyterChart.enable_offline(offline=offline)  # as Altair's renderer does
    widget = alt.JupyterChart(chart=None, embed_options=embed_options)
    widget.spec = spec
    return widget


def _jupyter_renderer(spec: dict, **metadata: Any):
    """Altair's ``jupyter`` renderer, without its round trip.

    Altair's parses the (already checked) dict back into a chart, checking it again, only for its
    chart widget to make the same dict a third time: 130-320 ms for each explorer's chart (measured,
    repeated displays), which every lesson pays before its first chart. Here the widget gets the
    dict itself, with the same properties (tests compare every synced one): 13-48 ms. A chart with
    parameters or selections, whose widget syncs them from the chart, takes Altair's path.
    """
    widget = _chart_widget(spec, offline=metadata.get("offline", False),
                           embed_options=metadata.get("embed_options"))
    if widget is None:
        return _ALTAIR_JUPYTER_RENDERER(spec, **metadata)
    return widget._repr_mimebundle_()


def chart_output(chart: alt.TopLevelMixin):
    """What to ``display`` for ``chart`` with the active renderer: the output ``display(chart)`` gives,
    made with less work; for a chart whose dict is checked against the schema elsewhere.

    An explorer's static default: its live chart (:func:`iaptlab.charts.live.live_view`) makes and
    checks the same chart's dict right after, so here, with the ``jupyter`` renderer, the chart
    widget gets the dict made without the check (see :func:`_jupyter_renderer`). With parameters or
    selections, VegaFusion or any other renderer it is the chart itself (``display`` as usual).

    >>> import altair as alt, pandas as pd
    >>> chart = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q")
    >>> _ = alt.renderers.enable("svg"); chart_output(chart) is chart
    True
    """
    import altair as alt

    if alt.renderers.active != "jupyter":
        return chart
    options = alt.renderers.options
    widget = _chart_widget(chart.to_dict(validate=False), offline=options.get("offline", False),
                           embed_options=options.get("embed_options"))
    return chart if widget is None else widget


def offline_chart_bundle() -> str:
    """The JavaScript that draws interactive charts, built locally (no CDN): for ``iaptlab doctor``.

    >>> "vega" in offline_chart_bundle().lower()
    True
    """
    import altair as alt

    alt.JupyterChart.enable_offline(offline=True)
    return alt.JupyterChart._esm or ""


def vega_lite_svg(spec: dict) -> str:
    """A Vega-Lite spec drawn as SVG text, offline (vl-convert).

    >>> vega_lite_svg({"mark": "point", "data": {"values": [{"a": 1}]},
    ...                "encoding": {"x": {"field": "a", "type": "quantitative"}}}).startswith("<svg")
    True
    """
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)


def save_chart(chart: alt.TopLevelMixin, path: str | Path, scale_factor: float = 2.0) -> Path:
    """Write ``chart`` to a ``.png`` (at ``scale_factor``, default 2 for slides) or ``.svg`` file.

    Uses vl-convert, so it works offline. Returns the path written.

    >>> import altair as alt, pandas as pd, tempfile
    >>> chart = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q")
    >>> save_chart(chart, Path(tempfile.mkdtemp()) / "f.svg").stat().st_size > 0
    True
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".png", ".svg"}:
        raise ParameterError(f"path must end in .png or .svg, got {path.name!r}")
    if scale_factor <= 0:
        raise ParameterError(f"scale_factor must be > 0, got {scale_factor}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        chart.save(str(path), scale_factor=scale_factor)
    else:
        chart.save(str(path))
    return path
