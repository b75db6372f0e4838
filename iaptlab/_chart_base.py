"""Shared parts of the chart builders: theme, offline renderer, export, input checks, refill.

:mod:`iaptlab.charts` re-exports the public names; import from there.

>>> theme_config(2.0)["config"]["axis"]["labelFontSize"]
24.0
"""


from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
from altair.utils.schemapi import debug_mode

from .errors import IaptlabError, InputError, ParameterError, Problem

#: Altair refuses more rows than this by default; builders aggregate below it.
MAX_CHART_ROWS = 5000
#: Okabe & Ito (2008) colour-blind-safe palette, in the order builders use it.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down")
DASHES = ((1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (12, 4), (1, 4))
THEME_NAME = "iaptlab"
PRESENTATION_FONT_SCALE = 1.6
_FONT = "'Source Sans Pro', 'Segoe UI', Helvetica, Arial, sans-serif"
_PAL = list(PALETTE)


# ---------------------------------------------------------------- theme, renderer, export


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
            "font": _FONT,
            "range": {"category": _PAL},
            "axis": {"labelFontSize": size(12), "titleFontSize": size(13), "grid": True},
            "legend": {"labelFontSize": size(12), "titleFontSize": size(13), "symbolSize": 120},
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
    >>> _ = alt.theme.enable("default")
    """
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
    variable, else "jupyter").

    >>> use_offline_renderer("svg")
    'svg'
    """
    mode = (mode or os.environ.get("IAPTLAB_RENDERER") or "jupyter").strip().lower()
    if mode not in {"jupyter", "svg"}:
        raise ParameterError(f"mode must be 'jupyter' or 'svg', got {mode!r}")
    if not _has("vl_convert"):
        raise IaptlabError(
            "charts cannot render offline: install vl-convert-python (pip install vl-convert-python)")
    if mode == "jupyter" and _has("anywidget"):
        alt.renderers.enable("jupyter", offline=True)
        return "jupyter"
    alt.renderers.enable("svg")
    return "svg"


def save_chart(chart: alt.TopLevelMixin, path: str | Path, scale_factor: float = 2.0) -> Path:
    """Write ``chart`` to a ``.png`` (at ``scale_factor``, default 2 for slides) or ``.svg`` file.

    Uses vl-convert, so it works offline. Returns the path written.

    >>> import pandas as pd, tempfile
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


# ---------------------------------------------------------------- the fast path


def refill(template: alt.TopLevelMixin, data: pd.DataFrame, *,
           title: str | alt.Title | None = None, description: str | None = None,
           part_titles: Sequence[str | alt.Title] | None = None) -> alt.TopLevelMixin:
    """A copy of ``template`` drawing ``data``, with a new title and description if given.

    The fast path for explorers: building an Altair chart checks every encoding against the
    Vega-Lite schema (10-40 ms), while refilling a chart built once takes well under a
    millisecond. Build the template once (cache it, e.g. with :func:`functools.lru_cache`) from
    ``alt.Chart()`` layers that carry no data, so every mark reads the top-level data; then
    refill it on every move. The result's ``to_dict()`` equals that of the same chart built
    from scratch with ``data``. Layers that carry their own data keep it (use that only for
    parts that never change, such as a reference line). The template itself is not changed.
    Every builder in :mod:`iaptlab.charts` already works this way, so calling a builder on
    each move is fast too. For a concatenated template (``alt.vconcat``, ``hconcat``,
    ``concat``), ``part_titles`` gives each part, in order, a new title of its own.

    >>> import altair as alt, pandas as pd
    >>> template = alt.Chart().mark_bar().encode(x="n:Q", y="stage:N")
    >>> chart = refill(template, pd.DataFrame({"stage": ["a"], "n": [3]}), description="a: 3")
    >>> chart.to_dict()["description"], "description" in template.to_dict()
    ('a: 3', False)
    """
    if not isinstance(template, alt.TopLevelMixin):
        raise ParameterError(f"template must be an Altair chart, got {type(template).__name__}")
    if not isinstance(data, pd.DataFrame):
        raise IaptlabError(f"refill() needs a pandas DataFrame, got {type(data).__name__}")
    check_rows(data, "refill")
    chart = _shallow_copy(template)
    chart.data = data
    if title is not None:
        chart.title = title
    if description is not None:
        chart.description = description
    if part_titles is not None:
        key = next((k for k in ("vconcat", "hconcat", "concat")
                    if isinstance(template._kwds.get(k), list)), None)
        parts = template._kwds[key] if key else []
        if not parts or len(parts) != len(part_titles):
            raise ParameterError(f"part_titles: {len(part_titles)} titles for a template with "
                                 f"{len(parts)} concatenated parts")
        titled = [_shallow_copy(part) for part in parts]
        for part, part_title in zip(titled, part_titles, strict=True):
            part.title = part_title
        setattr(chart, key, titled)
    return chart


def _shallow_copy(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Same class and arguments, own top-level properties (replacing one leaves ``chart`` alone).

    Altair's own ``copy(deep=False)`` re-runs the class's __init__, which for a layered or
    concatenated chart deep-copies every part (several ms); the test suite checks that refilled
    charts equal fresh builds.
    """
    clone = object.__new__(type(chart))
    object.__setattr__(clone, "_args", chart._args)
    object.__setattr__(clone, "_kwds", dict(chart._kwds))
    return clone


# ---------------------------------------------------------------- validation helpers


def _require(df: pd.DataFrame, columns: Sequence[str], builder: str,
             limit_rows: bool = True) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise IaptlabError(f"{builder}() needs a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns)) or "none"
        raise InputError([Problem(None, c, f"required by {builder}() but missing (columns: {have})")
                          for c in missing])
    if limit_rows:
        check_rows(df, builder)
    return df.reset_index(drop=True)


def check_rows(df: pd.DataFrame, builder: str = "chart") -> None:
    """Raise if ``df`` has more rows than a chart may carry (aggregate it first).

    >>> check_rows(pd.DataFrame({"x": range(5000)}))
    """
    if len(df) > MAX_CHART_ROWS:
        raise IaptlabError(f"{builder}: {len(df)} rows is more than {MAX_CHART_ROWS}; "
                           "aggregate (count or bin) in pandas before plotting")


def _numeric(df: pd.DataFrame, column: str, *, low: float | None = None,
             high: float | None = None, allow_missing: bool = False) -> pd.Series:
    """The column as floats; every non-numeric, missing or out-of-range cell is a Problem."""
    raw = df[column]
    if raw.dtype.kind in "iuf":  # already numbers (the usual case): no parsing needed
        values = raw.to_numpy(dtype=float, na_value=np.nan)
        bad_text = np.zeros(len(values), dtype=bool)
    else:
        values = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()
        bad_text = np.isnan(values) & raw.notna().to_numpy()
    bad_missing = np.isnan(values) & ~bad_text & (not allow_missing)
    with np.errstate(invalid="ignore"):
        out = ((values < low) if low is not None else False) | ((values > high) if high is not None else False)
    problems = [Problem(int(i) + 2, column, f"not a number: {raw.iloc[i]!r}") for i in np.flatnonzero(bad_text)]
    problems += [Problem(int(i) + 2, column, "missing") for i in np.flatnonzero(bad_missing)]
    problems += [Problem(int(i) + 2, column, f"must be between {low} and {high}, got {values[i]}")
                 for i in np.flatnonzero(np.asarray(out, dtype=bool))]
    if problems:
        raise InputError(problems)
    return pd.Series(values, index=raw.index, name=column)


def _title(title: str, source: str | None) -> alt.Title:
    with debug_mode(False):  # two strings: nothing for the schema check to find, at ~1 ms a title
        return alt.Title(title, subtitle=f"Source: {source}" if source else "")


def _joined(parts: pd.Series) -> str:
    return "; ".join(parts.astype(str))


def _pct(values: pd.Series, digits: int = 1) -> pd.Series:
    return (values * 100).round(digits).astype(str) + "%"
