"""What every lesson's first and last cells call: ``setup()`` and ``references(...)``.

``setup()`` makes charts render with the network unplugged (Altair's offline ``jupyter``
renderer, or static SVG when ``IAPTLAB_RENDERER=svg``, as CI and nbval use), applies the
accessible theme, gives the memory each cell freed back to the operating system (see
:func:`return_freed_memory`), keeps the libraries a lesson imports out of the garbage collector's
way (see :func:`setup`), and returns a one-line status. ``references(...)`` builds a lesson's reference
list from the data cards and source files, so every citation a learner sees is the one the data
came from.

>>> print(references("whiteford_2013").splitlines()[0])
## References
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache

from . import __version__

__all__ = ["references", "return_freed_memory", "setup", "show_references"]


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (Linux), or None where the C library has none (macOS, Windows, musl)."""
    name = ctypes.util.find_library("c")
    if name is None:  # Windows, or no C library found by name
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)


def return_freed_memory(*_: object) -> bool:
    """Give memory already freed back to the operating system; True if anything was asked to.

    A lesson builds 100,000-referral cohorts and drops most of what it built, but the C library
    and pyarrow's memory pool keep freed memory for reuse, so an idle kernel would stay as large
    as its busiest cell. ``setup()`` runs this after every cell (IPython's ``post_run_cell``
    event): a few milliseconds, nothing the kernel still uses is touched.

    >>> isinstance(return_freed_memory(), bool)
    True
    """
    released = False
    arrow = sys.modules.get("pyarrow")  # imported by pandas; never imported here for this
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
        released = True
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
        released = True
    return released


@contextmanager
def _returnable_memory() -> Iterator[None]:
    """Import the libraries inside this so that what a cell frees, :func:`return_freed_memory` can
    give back. No number changes; without pyarrow nothing is done.

    pyarrow's own pool (mimalloc) keeps freed pages mapped for reuse, which ``release_unused`` does
    not return: 3-11 MB of a lesson's kernel after Run All (measured per lesson, lesson 06 the most).
    While pyarrow is first imported, ``ARROW_DEFAULT_MEMORY_POOL=system`` (read once, when pyarrow
    makes its pool; restored afterwards) makes it allocate through the C library, whose freed memory
    ``malloc_trim`` returns. A learner's own setting is kept; a pyarrow imported before is left as it is.

    >>> with _returnable_memory():
    ...     import pyarrow
    >>> pyarrow.default_memory_pool().backend_name in ("system", "mimalloc", "jemalloc")
    True
    """
    name = "ARROW_DEFAULT_MEMORY_POOL"
    if "pyarrow" in sys.modules or name in os.environ:
        yield
        return
    os.environ[name] = "system"
    try:
        yield
        arrow = sys.modules.get("pyarrow")
        if arrow is not None:
            arrow.default_memory_pool()  # made now, while the variable says which
    finally:
        os.environ.pop(name, None)


def _after_every_cell(hook: Callable[..., object]) -> None:
    """Register ``hook`` on IPython's ``post_run_cell`` event once (no-op outside IPython)."""
    shell = _shell()
    if shell is None:
        return
    callbacks = shell.events.callbacks["post_run_cell"]
    if hook not in callbacks:
        shell.events.register("post_run_cell", hook)


#: How many cells' inputs IPython's history keeps in memory before writing them to its database.
HISTORY_BATCH = 50


def _history_in_batches(shell: object | None = None) -> bool:
    """Let IPython write its input history every :data:`HISTORY_BATCH` cells instead of after every
    cell; True if changed.

    By default the history thread commits each cell's input to its SQLite file while holding a lock
    the next cell waits for: 4-10 ms per cell on a busy disk, 0.1-0.2 s of Run All before a lesson's
    first chart. The history is still written (every 50 cells and when the kernel stops); only a
    kernel that crashes loses up to 50 inputs of it (the notebook keeps its cells). A batch size the
    learner configured (anything but IPython's default, 0) is left as it is; no-op outside IPython.

    >>> _history_in_batches(None)
    False
    """
    manager = getattr(shell, "history_manager", None)
    if manager is None or not manager.enabled or manager.db_cache_size != 0:
        return False
    manager.db_cache_size = HISTORY_BATCH
    return True


def _shell() -> object | None:
    """The running IPython shell, or None (a script, or IPython not imported)."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def _import_libraries() -> None:
    """Import what every lesson uses (pandas, Altair, the widgets), with the garbage collector paused,
    and then move every object they made out of its way (``gc.freeze``), once per process.

    Importing them makes ~190,000 objects that live as long as the kernel, nearly none of them
    garbage; the collector would scan them ~20 times while they are imported (0.07 s of the first
    cell) and again in every full collection afterwards (0.05 s each, one or two before a lesson's
    first chart). Frozen, they are never scanned; objects made later are collected as usual. The
    ~1,600 objects the imports leave unreachable (~0.5 MB) are frozen with them instead of being freed.
    """
    if "altair" in sys.modules:  # imported already (a second setup(), or by the learner): as it is
        return
    paused = gc.isenabled()  # False if someone turned the collector off: leave it off
    gc.disable()
    try:
        from .charts import live  # noqa: F401  (Altair, the widgets, pandas, numpy, pyarrow)
    finally:
        if paused:
            gc.enable()
    gc.freeze()


def setup(presentation: bool = False) -> str:
    """Enable the offline renderer and the theme; return what is active (for the lesson to show).

    Also imports the libraries every lesson uses and freezes what they made out of the garbage
    collector's scans (:func:`_import_libraries`), registers :func:`return_freed_memory` to run
    after every cell, and lets IPython write its input history in batches (:func:`_history_in_batches`).
    """
    with _returnable_memory():
        _import_libraries()
    from . import charts

    renderer = charts.use_offline_renderer()
    charts.use_theme(presentation=presentation)
    _after_every_cell(return_freed_memory)
    _history_in_batches(_shell())
    return f"iaptlab {__version__}: charts render offline ({renderer} renderer)."


def references(*source_keys: str, datasets_used: Iterable[str] = ()) -> str:
    """A Markdown reference list: the named sources plus the sources of the datasets used.

    Unknown keys raise an error naming them, so a lesson cannot cite what the data folder does
    not hold. Entries are de-duplicated and sorted.
    """
    from . import datasets

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
