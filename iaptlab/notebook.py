"""What every lesson's first and last cells call: ``setup()`` and ``references(...)``.

``setup()`` makes charts render with the network unplugged (Altair's offline ``jupyter``
renderer, or static SVG when ``IAPTLAB_RENDERER=svg``, as CI and nbval use), applies the
accessible theme, and returns a one-line status. ``references(...)`` builds a lesson's reference
list from the data cards and source files, so every citation a learner sees is the one the data
came from.

>>> print(references("whiteford_2013").splitlines()[0])
## References
"""

from __future__ import annotations

from collections.abc import Iterable

from . import __version__, datasets

__all__ = ["references", "setup", "show_references"]


def setup(presentation: bool = False) -> str:
    """Enable the offline renderer and the theme; return what is active (for the lesson to show)."""
    from . import charts

    renderer = charts.use_offline_renderer()
    charts.use_theme(presentation=presentation)
    return f"iaptlab {__version__}: charts render offline ({renderer} renderer)."


def references(*source_keys: str, datasets_used: Iterable[str] = ()) -> str:
    """A Markdown reference list: the named sources plus the sources of the datasets used.

    Unknown keys raise an error naming them, so a lesson cannot cite what the data folder does
    not hold. Entries are de-duplicated and sorted.
    """
    keys = list(source_keys)
    for name in datasets_used:
        keys += list(datasets.card(name)["sources"])
    entries = sorted({datasets.reference(key) for key in keys})
    lines = ["## References", ""]
    lines += [f"- {entry}" for entry in entries]
    return "\n".join(lines)


def show_references(*source_keys: str, datasets_used: Iterable[str] = ()) -> None:
    """Display :func:`references` as Markdown in a notebook."""
    from IPython.display import Markdown, display

    display(Markdown(references(*source_keys, datasets_used=datasets_used)))
