"""Charts as the HTML report needs them: inline SVG, drawn offline, labelled for screen readers.

The report's four charts (outcome rates, the attrition funnel and two score histograms) are
horizontal bars and histograms of counts the report has already aggregated and disclosed, so
they are written here as SVG directly (:func:`bar_chart_svg`, :func:`score_histogram_svg`): no
Altair, no JavaScript engine, the same bytes for the same inputs. Colours and fonts come from
:mod:`~iaptlab.charts.theme`. Every SVG is one image: ``role="img"``, an ``aria-label`` and a
``<title>`` holding its description, and no element inside with a role or ARIA attribute of its
own; labels are never cut (the margins grow to fit them, and long category names wrap); bars
are told apart by their axis labels and panel names, never by colour alone.
:func:`inline_svg` draws any Altair chart the same way through vl-convert.

>>> svg = bar_chart_svg(["a", "b"], [4, 1], ["4", "1"], title="Funnel", description="a: 4; b: 1",
...                     id_prefix="c1")
>>> svg.count('role="img"'), '<title>a: 4; b: 1</title>' in svg, 'id="c1"' in svg
(1, True, True)
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from ..errors import ParameterError
from ..instruments import Instrument, lookup
from .theme import FONT_FAMILY, PALETTE, theme_config, vega_lite_svg

if TYPE_CHECKING:
    import altair as alt

__all__ = ["bar_chart_svg", "inline_svg", "score_histogram_svg"]

#: Width in ems of characters in a Helvetica/Arial-like font (others: :data:`_WIDE` or 0.56).
_NARROW = {**dict.fromkeys("il.,:;'|!", 0.28), **dict.fromkeys("jft()[]/ -", 0.34), "r": 0.4, "*": 0.4}
_WIDE = {**dict.fromkeys("mwMW%", 0.9), **dict.fromkeys("ABCDEGHKNOQRUVXYZ&", 0.74), "≥": 0.6}
#: Plot widths (px): bars, histogram panels; histogram panel height.
_BAR_WIDTH, _HIST_WIDTH, _HIST_HEIGHT = 400, 480, 160
#: Category labels longer than this many characters wrap onto more lines.
_WRAP = 34
_GRID, _DOMAIN, _INK = "#ddd", "#888", "#1a1a1a"


def _text_width(text: str, size: float) -> float:
    """A generous estimate of ``text``'s width in px at font ``size`` (no label may be cut)."""
    ems = sum(_NARROW.get(c, _WIDE.get(c, 0.56)) for c in text)
    return 1.08 * ems * size + 2


def _fmt(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, size: float, *, anchor: str = "start", bold: bool = False,
          fill: str = _INK, rotate: bool = False, baseline: str = "") -> str:
    attrs = f'x="{_fmt(x)}" y="{_fmt(y)}" font-size="{size:g}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if bold:
        attrs += ' font-weight="bold"'
    if fill != _INK:
        attrs += f' fill="{fill}"'
    if baseline:
        attrs += f' dominant-baseline="{baseline}"'
    if rotate:
        attrs += f' transform="rotate(-90 {_fmt(x)} {_fmt(y)})"'
    return f"<text {attrs}>{escape(text)}</text>"


def _nice_step(top: float, count: int, min_step: float = 0.0) -> float:
    """A tick step of 1, 2 or 5 times a power of ten giving about ``count`` ticks up to ``top``."""
    raw = max(top, 1e-12) / count
    power = 10 ** math.floor(math.log10(raw))
    step = power * next(m for limit, m in ((7.07, 10), (3.16, 5), (1.41, 2), (0, 1)) if raw / power >= limit)
    return max(step, min_step)


def _count_axis(top: float, count: int) -> tuple[float, list[float]]:
    """(domain end, ticks) of a count axis from 0: whole-number ticks, the end on a tick."""
    step = _nice_step(top if top > 0 else 1.0, count, 1.0)
    end = step * max(1, math.ceil(top / step - 1e-9))
    return end, [step * i for i in range(int(round(end / step)) + 1)]


def _svg(width: float, height: float, description: str, id_prefix: str, body: list[str]) -> str:
    label = escape(description)
    return (f'<svg role="img" aria-label="{label}" id="{escape(id_prefix)}" width="{math.ceil(width)}" '
            f'height="{math.ceil(height)}" viewBox="0 0 {math.ceil(width)} {math.ceil(height)}" '
            f'font-family="{escape(FONT_FAMILY)}"><title>{label}</title>'
            f'<rect width="100%" height="100%" fill="white"/>{"".join(body)}</svg>')


def _wrapped(text: str, width: float, size: float) -> list[str]:
    """``text`` broken between words into lines of at most ``width`` px (a longer word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _title(title: str, subtitle_lines: Sequence[str], sizes: dict) -> tuple[list[str], float, float]:
    """The title (and subtitle lines) at the top left: their parts, height and width."""
    size, sub = sizes["title"]["fontSize"], sizes["title"]["subtitleFontSize"]
    parts = [_text(0, size, title, size, bold=True)]
    width = 1.1 * _text_width(title, size)  # bold
    y = size + 4
    for line in subtitle_lines:
        y += sub + 2
        parts.append(_text(0, y, line, sub, fill="#444"))
        width = max(width, _text_width(line, sub))
    return parts, y + 14, width


def bar_chart_svg(categories: Sequence[str], lengths: Sequence[float], labels: Sequence[str], *,
                  title: str, description: str, id_prefix: str = "c", percent: bool = False,
                  axis_title: str = "count") -> str:
    """Horizontal bars, one per category (top to bottom), each labelled with its ``labels`` text.

    ``lengths`` are counts (the axis runs from 0 to a round number above the largest) or, with
    ``percent``, proportions 0-1 (the axis runs from 0% to 100%); a missing (NaN) or 0 length
    draws no bar but keeps its label. ``description`` is the text alternative: it should state
    every number drawn. Category names longer than 34 characters wrap onto more lines.

    >>> svg = bar_chart_svg(["recovered"], [0.5], ["1/2 (50.0%)"], percent=True, axis_title="rate",
    ...                     title="Rates", description="recovered: 1/2 = 50.0%")
    >>> ">100%</text>" in svg and ">1/2 (50.0%)</text>" in svg
    True
    """
    if not len(categories) == len(lengths) == len(labels):
        raise ParameterError(f"categories, lengths and labels must have the same length, got "
                             f"{len(categories)}, {len(lengths)} and {len(labels)}")
    values = [0.0 if v is None or math.isnan(v) else float(v) for v in lengths]
    if any(v < 0 or (percent and v > 1) for v in values):
        raise ParameterError(f"lengths must be {'between 0 and 1' if percent else '>= 0'}, got {list(lengths)}")
    config = theme_config()["config"]
    tick_size, axis_size, text_size = (config["axis"]["labelFontSize"], config["axis"]["titleFontSize"],
                                       config["text"]["fontSize"])
    if percent:
        end, ticks = 1.0, [i / 10 for i in range(11)]
        tick_labels = [f"{round(t * 100)}%" for t in ticks]
    else:
        end, ticks = _count_axis(max(values, default=0.0), 8)
        tick_labels = [f"{round(t):,}" for t in ticks]
    lines = [textwrap.wrap(str(c), _WRAP) or [""] for c in categories]
    line_height = tick_size + 3
    band = max(20.0, line_height * max(len(ls) for ls in lines) + 8)
    left = max(_text_width(line, tick_size) for ls in lines for line in ls) + 10
    parts, top, title_width = _title(title, [], config)
    x_of = [left + v / end * _BAR_WIDTH for v in values]
    right = max([left + _BAR_WIDTH + _text_width(tick_labels[-1], tick_size) / 2, title_width]
                + [x + 4 + _text_width(str(lab), text_size) for x, lab in zip(x_of, labels, strict=True)])
    plot_height = band * len(values)
    for t, t_label in zip(ticks, tick_labels, strict=True):
        x = left + t / end * _BAR_WIDTH
        parts.append(f'<line x1="{_fmt(x)}" y1="{_fmt(top)}" x2="{_fmt(x)}" y2="{_fmt(top + plot_height)}" '
                     f'stroke="{_GRID}"/>')
        parts.append(_text(x, top + plot_height + tick_size + 4, t_label, tick_size, anchor="middle"))
    for i, (ls, x, lab) in enumerate(zip(lines, x_of, labels, strict=True)):
        y0 = top + i * band
        if x > left:
            parts.append(f'<rect x="{_fmt(left)}" y="{_fmt(y0 + band * 0.1)}" width="{_fmt(x - left)}" '
                         f'height="{_fmt(band * 0.8)}" fill="{PALETTE[0]}"/>')
        first_line = y0 + band / 2 - (len(ls) - 1) * line_height / 2 + tick_size * 0.35
        parts += [_text(left - 6, first_line + j * line_height, line, tick_size, anchor="end")
                  for j, line in enumerate(ls)]
        parts.append(_text(x + 4, y0 + band / 2 + text_size * 0.35, str(lab), text_size))
    parts.append(f'<line x1="{_fmt(left)}" y1="{_fmt(top)}" x2="{_fmt(left)}" y2="{_fmt(top + plot_height)}" '
                 f'stroke="{_DOMAIN}"/>')
    axis_y = top + plot_height + tick_size + 4 + axis_size + 8
    parts.append(_text(left + _BAR_WIDTH / 2, axis_y, axis_title, axis_size, anchor="middle", bold=True))
    return _svg(right + 4, axis_y + 6, description, id_prefix, parts)


def score_histogram_svg(first: Sequence[float], last: Sequence[float], instrument: Instrument | str, *,
                        title: str, subtitle: str, description: str, id_prefix: str = "c") -> str:
    """First and last score distributions of ``instrument``: two panels of bars, caseness marked.

    ``first`` and ``last`` are the counts at each whole score from the instrument's minimum to its
    maximum (a missing (NaN) or 0 count draws no bar). Both panels share one count axis with
    whole-number ticks; the dashed line marks caseness; the panels are named "First" and "Last"
    (and coloured, never by colour alone). The subtitle wraps to the chart's width.

    >>> svg = score_histogram_svg([0] * 27 + [2], [1] + [0] * 27, "PHQ-9", title="PHQ-9", subtitle="",
    ...                           description="PHQ-9 scores")
    >>> ">caseness ≥ 10</text>" in svg, ">2</text>" in svg, ">0.5</text>" in svg
    (True, True, False)
    """
    inst = lookup(instrument)
    low, high = int(inst.score_min), int(inst.score_max)
    size = high - low + 1
    if len(first) != size or len(last) != size:
        raise ParameterError(f"first and last must have {size} counts ({inst.name} scores {low}-{high}), "
                             f"got {len(first)} and {len(last)}")
    panels = [[0.0 if v is None or math.isnan(v) else float(v) for v in counts] for counts in (first, last)]
    if any(v < 0 for counts in panels for v in counts):
        raise ParameterError("counts must be >= 0")
    config = theme_config()["config"]
    tick_size, axis_size = config["axis"]["labelFontSize"], config["axis"]["titleFontSize"]
    end, ticks = _count_axis(max(max(p) for p in panels), 4)
    tick_labels = [f"{round(t):,}" for t in ticks]
    left = 2 * axis_size + 14 + max(_text_width(t, tick_size) for t in tick_labels) + 6
    x_step = _nice_step(size, 14, 1.0)
    x_ticks = [low + x_step * i for i in range(int(size // x_step) + 1)]
    plot_width = left + _HIST_WIDTH + _text_width(f"{x_ticks[-1]:g}", tick_size) / 2
    parts, top, title_width = _title(title, _wrapped(subtitle, plot_width, config["title"]["subtitleFontSize"]),
                                     config)
    unit = _HIST_WIDTH / size
    sign = "≥" if inst.caseness_comparison == ">=" else ">"
    caseness_x = left + (inst.caseness - low) * unit
    for name, colour, counts in zip(("First", "Last"), PALETTE[:2], panels, strict=True):
        bottom = top + _HIST_HEIGHT
        for t, t_label in zip(ticks, tick_labels, strict=True):
            y = bottom - t / end * _HIST_HEIGHT
            parts.append(f'<line x1="{_fmt(left)}" y1="{_fmt(y)}" x2="{_fmt(left + _HIST_WIDTH)}" y2="{_fmt(y)}" '
                         f'stroke="{_GRID}"/>')
            parts.append(_text(left - 5, y + tick_size * 0.35, t_label, tick_size, anchor="end"))
        parts += [f'<rect x="{_fmt(left + i * unit)}" y="{_fmt(bottom - v / end * _HIST_HEIGHT)}" '
                  f'width="{_fmt(unit)}" height="{_fmt(v / end * _HIST_HEIGHT)}" fill="{colour}" stroke="white"/>'
                  for i, v in enumerate(counts) if v > 0]
        parts.append(f'<line x1="{_fmt(caseness_x)}" y1="{_fmt(top)}" x2="{_fmt(caseness_x)}" y2="{_fmt(bottom)}" '
                     f'stroke="black" stroke-dasharray="6,3"/>')
        parts.append(_text(caseness_x + 4, top + tick_size + 2, f"caseness {sign} {inst.caseness:g}", tick_size))
        parts.append(f'<rect x="{_fmt(left)}" y="{_fmt(top)}" width="{_HIST_WIDTH}" height="{_HIST_HEIGHT}" '
                     f'fill="none" stroke="{_DOMAIN}"/>')
        middle = top + _HIST_HEIGHT / 2
        parts.append(_text(axis_size + 2, middle, name, axis_size, anchor="middle", rotate=True))
        parts.append(_text(2 * axis_size + 8, middle, "episodes", axis_size, anchor="middle", bold=True,
                           rotate=True))
        top = bottom + 16
    bottom = top - 16
    parts += [_text(left + (t - low) * unit, bottom + tick_size + 4, f"{t:g}", tick_size, anchor="middle")
              for t in x_ticks]
    axis_y = bottom + tick_size + 4 + axis_size + 8
    parts.append(_text(left + _HIST_WIDTH / 2, axis_y, f"{inst.name} score", axis_size, anchor="middle",
                       bold=True))
    return _svg(max(plot_width, title_width) + 4, axis_y + 6, description, id_prefix, parts)


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
    """``chart`` (an Altair chart) as an ``<svg>`` element for an HTML page, in the iaptlab theme,
    drawn offline by vl-convert.

    The SVG has ``role="img"``, an ``aria-label`` and a ``<title>`` holding the chart's
    description (the numbers it shows), and no element inside it has a role or ARIA attribute of
    its own (see :func:`_report_spec`); its element ids start with ``id_prefix`` so several
    charts can share a page; it carries no XML namespaces (HTML needs none).

    >>> import pandas as pd
    >>> from .national import funnel
    >>> svg = inline_svg(funnel(pd.DataFrame({"stage": ["a", "b"], "count": [4, 1]})), "c1")
    >>> svg.count('role="img"'), '<title>Attrition funnel. a: 4' in svg
    (1, True)
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
