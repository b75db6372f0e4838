"""Execute notebooks and keep only the small text outputs of cells marked ``# NBVAL_CHECK_OUTPUT``.

Usage: ``python tools/store_checked_outputs.py notebooks/*.ipynb``. Everything else is cleared
(no chart JSON, no widget state), so nbval compares only the key numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARKER = "# NBVAL_CHECK_OUTPUT"
MAX_TEXT = 5_000


def store(path: Path) -> None:
    """Run ``path`` in its folder and rewrite it with only the checked cells' text outputs."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        keep = []
        if cell.source.lstrip().startswith(MARKER):
            keep = [o for o in cell.outputs if o.output_type == "stream" and len(o.text) <= MAX_TEXT]
        cell.outputs = keep
        # nbval refuses stored outputs on a cell with no execution count ("unrun reference cell").
        if not keep:
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        store(Path(name))
        print(f"stored checked outputs in {name}")
