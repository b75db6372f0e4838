"""Every lesson's explorer, in one ordered registry: ``REGISTRY["02.thresholds"]`` -> :class:`Explorer`.

An explorer module (``iaptlab/explorers/<name>.py``) is glue: its ``CONTROLS``, a zero-argument
``prepare()`` that builds the data it needs from the core (a cohort, a dataset), and a pure
``compute(prepared, **values) -> Result`` that binds the control values to core functions and
words the sentence. Notebooks show one with ``show("02.thresholds")``; the presentation dashboard,
the explorer benchmark and the slider-extremes tests loop over :data:`REGISTRY`.

A new explorer is one module, one line below and one notebook cell ``show("NN.name")``.

>>> list(REGISTRY)[:3]
['00.example_cases', '01.measurement_error', '02.thresholds']
>>> REGISTRY["02.thresholds"].lesson
'02'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from importlib import import_module
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError

if TYPE_CHECKING:  # widgets (and pandas) are imported by the first explorer shown, not by the registry
    from ..widgets import BrowserCompute, Control, Result

__all__ = ["PLANS", "REGISTRY", "Explorer", "anchor", "build", "contents_html", "show"]


@dataclass(frozen=True)
class Explorer:
    """One explorer: where it sits (``key`` "NN.name", ``lesson`` "NN"), what it is for, and where its
    parts are: the module ``iaptlab/explorers/<module>.py``, imported when a part is first asked for
    (so the registry's titles and questions cost a kernel nothing until an explorer is used).

    Parts, read from the module: ``prepare`` (the function named ``prepare_name``; cached: the data
    an explorer needs is built once per kernel), ``controls`` (the tuple named ``controls_name``),
    ``compute``. An explorer whose computation is arithmetic on a small table also has a copy of
    ``compute`` that the page runs (the module's ``BROWSER_SCRIPT``, a file in
    ``iaptlab/static/compute``) and ``browser_data(prepared)``, the JSON it runs on: its moves need
    no kernel round trip (:meth:`browser`).

    >>> e = Explorer("02.thresholds", "A title", "A question?", "thresholds")
    >>> e.lesson, e.browser_script, [c.name for c in e.controls][:1]
    ('02', 'thresholds', ['phq9_caseness'])
    """

    key: str
    title: str
    question: str
    module: str
    prepare_name: str = "prepare"
    controls_name: str = "CONTROLS"
    lesson: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lesson", self.key.split(".", 1)[0])

    @property
    def parts(self) -> ModuleType:
        """The explorer's module (imported on first use)."""
        return import_module(f"{__name__}.{self.module}")

    @property
    def prepare(self) -> Callable[[], Any]:
        """The zero-argument builder of the explorer's data, cached (built once per kernel)."""
        return _prepare(self.module, self.prepare_name)

    @property
    def controls(self) -> tuple[Control, ...]:
        return getattr(self.parts, self.controls_name)

    @property
    def compute(self) -> Callable[..., Result]:
        """``compute(prepared, **values) -> Result``."""
        return self.parts.compute

    @property
    def browser_script(self) -> str:
        """The page's copy of ``compute`` (the module's ``BROWSER_SCRIPT``), or "" where it has none."""
        return getattr(self.parts, "BROWSER_SCRIPT", "")

    @property
    def browser_data(self) -> Callable[[Any], dict] | None:
        """The module's ``browser_data(prepared)``, or None where it has none."""
        return getattr(self.parts, "browser_data", None)

    def bound(self) -> Callable[..., Result]:
        """``compute`` bound to the prepared data: ``bound()(**values) -> Result``."""
        return partial(self.compute, self.prepare())

    @property
    def answers_in_page(self) -> bool:
        """Whether the page has a copy of ``compute`` (a ``browser_script`` and its ``browser_data``)."""
        return bool(self.browser_script) and self.browser_data is not None

    def browser(self) -> BrowserCompute | None:
        """The page's copy of this explorer's computation, or None where it needs Python."""
        return _browser(self.key) if self.answers_in_page else None

    def run(self, **values: Any) -> Result:
        """The result at these control values (the others at their defaults)."""
        return self.compute(self.prepare(), **values)


@cache
def _prepare(module: str, name: str) -> Callable[[], Any]:
    """Module ``module``'s function ``name``, cached: one per (module, function), so two explorers
    built on the same data share it."""
    return cache(getattr(import_module(f"{__name__}.{module}"), name))


#: Every explorer, in lesson order: key, title, question, module (and, where not ``prepare`` and
#: ``CONTROLS``, the names of its builder and controls). Titles live here and nowhere else.
REGISTRY: MappingProxyType[str, Explorer] = MappingProxyType({explorer.key: explorer for explorer in (
    Explorer("00.example_cases", "Who counts as recovered? Twelve fictional referrals",
             "Which of twelve referrals count as recovered, and which rule decides it?",
             "example_cases"),
    Explorer("01.measurement_error", "One true score, many possible observed scores",
             "How far can one day's score stray from a person's true score?",
             "measurement_error"),
    Explorer("02.thresholds", "Move the IAPT rules, watch every rate",
             "How much does each choice in the IAPT rules move the recovery rate?",
             "thresholds"),
    Explorer("02.definitions", "Same people, different definitions of recovery",
             "How many of the same people recover under each definition of recovery?",
             "definitions"),
    Explorer("03.demand", "Demand: same people, same true change, different forms",
             "How far could scores given with the therapist present move the published rates?",
             "demand"),
    Explorer("04.predictive_values", "Predictive values: published accuracy and prevalence",
             "How often is a questionnaire 'case' right, at a given prevalence?",
             "predictive_values"),
    Explorer("05.regression_to_mean", "Regression to the mean: same people, three kinds of true change",
             "How many 'recover' when no one truly changed, only because they entered on a high score?",
             "regression_to_mean"),
    Explorer("06.national", "Recovered as a share of what? Published national figures",
             "What share of referrals recovered, depending on the denominator?",
             "national"),
    Explorer("07.reconcile_gap", "Which assumptions open or close the gap? (interview sees what the questionnaires see)",
             "Which assumptions explain the gap between about 50% recovery and about 10% loss of diagnosis?",
             "reconcile_gap"),
    Explorer("07.reconcile_gap_critic", "Which assumptions open or close the gap? (interview sees more)",
             "Starting from an interview that sees more than the questionnaires, which assumptions close the gap?",
             "reconcile_gap", prepare_name="prepare_critic", controls_name="CRITIC_CONTROLS"),
    Explorer("08.change_and_cost", "What counts as improved, and what each one costs",
             "Who counts as improved under each definition, and what does each outcome cost?",
             "change_and_cost"),
    Explorer("09.who_is_counted", "Who stops coming, and what recovery among finishers then says",
             "How far can recovery among finishers be from the truth among everyone who entered treatment?",
             "who_is_counted"),
)})


#: The explorers each delivery plan in ``instructor/plans.md`` projects, in the order it uses them.
PLANS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "20-minute workshop demo": ("02.thresholds", "03.demand", "07.reconcile_gap"),
    "1-hour seminar": ("02.thresholds", "04.predictive_values", "03.demand"),
})


def anchor(key: str) -> str:
    """The HTML id of explorer ``key``'s section in the presentation dashboard.

    >>> anchor("02.thresholds")
    'explorer-02-thresholds'
    """
    return "explorer-" + _explorer(key).key.replace(".", "-").replace("_", "-")


def contents_html() -> str:
    """The dashboard's contents bar: each delivery plan's explorers, then every explorer in lesson
    order, all one click away (each link goes to :func:`anchor`; full titles from :data:`REGISTRY`).

    >>> "#explorer-07-reconcile-gap" in contents_html()
    True
    """
    import html

    def link(key: str) -> str:
        explorer = REGISTRY[key]
        short = f"{explorer.lesson} {key.split('.', 1)[1].replace('_', ' ')}"
        return (f'<a href="#{anchor(key)}" title="{html.escape(explorer.title, quote=True)}">'
                f"{html.escape(short)}</a>")

    rows = [(plan, keys) for plan, keys in PLANS.items()] + [("Every explorer", tuple(REGISTRY))]
    items = "".join(f'<li><span class="iaptlab-nav-plan">{html.escape(name)}:</span> '
                    + " ".join(link(key) for key in keys) + "</li>" for name, keys in rows)
    return f'<nav class="iaptlab-contents" aria-label="Explorers" data-pin><ul>{items}</ul></nav>'


@cache
def _browser(key: str) -> BrowserCompute:
    """Explorer ``key``'s :class:`~iaptlab.widgets.BrowserCompute`, built once per kernel."""
    from .. import widgets

    explorer = REGISTRY[key]
    options = {c.name: [value for value, _ in c.options] for c in explorer.controls if c.kind == "choice"}
    return widgets.BrowserCompute(widgets.compute_script(explorer.browser_script),
                                  explorer.browser_data(explorer.prepare()), options)


def _explorer(key: str) -> Explorer:
    if key not in REGISTRY:
        raise ParameterError(f"no explorer {key!r}; known: {', '.join(REGISTRY)}")
    return REGISTRY[key]


def show(key: str):
    """Display explorer ``key``'s static default, then return its live explorer (the cell shows it)."""
    from .. import widgets

    explorer = _explorer(key)
    return widgets.show(explorer.bound(), explorer.controls, title=explorer.title, browser=explorer.browser)


def build(key: str):
    """Explorer ``key``'s live widget only (the presentation dashboard shows no static copy)."""
    from .. import widgets

    explorer = _explorer(key)
    return widgets.build(explorer.bound(), explorer.controls, title=explorer.title, browser=explorer.browser)
