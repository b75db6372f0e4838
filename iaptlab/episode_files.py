"""Reading an episode table from a CSV file (see :mod:`iaptlab.csv_files` for what is accepted).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
>>> _ = path.write_bytes(b"\\xef\\xbb\\xbfepisode_id,treatment_contacts\\r\\nA1,3\\r\\n")
>>> read_episode_csv(path).to_dict("list")
{'episode_id': ['A1'], 'treatment_contacts': ['3']}
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .csv_files import CsvTable, read_csv_table
from .schema import OPTIONAL_COLUMNS, OUTPUT_COLUMNS, REQUIRED_COLUMNS

__all__ = ["read_episode_csv", "read_episode_file"]


def read_episode_file(path: str | Path | bytes, columns: Mapping[str, str] | None = None) -> CsvTable:
    """Read an episode CSV, requiring the episode-table columns (after the ``columns`` mapping).

    >>> read_episode_file(b"id,treatment_contacts\\nA,1\\n", {"id": "episode_id"})
    Traceback (most recent call last):
    ...
    iaptlab.errors.InputError: column phq9_first: required column is missing
    column phq9_last: required column is missing
    column gad7_first: required column is missing
    column gad7_last: required column is missing
    columns found: 'id', 'treatment_contacts'
    """
    return read_csv_table(path, required=list(REQUIRED_COLUMNS), optional=list(OPTIONAL_COLUMNS),
                          columns=columns, reserved=OUTPUT_COLUMNS)


def read_episode_csv(path: str | Path) -> pd.DataFrame:
    """Read ``path`` into a DataFrame of text cells (missing as NA), or raise :class:`InputError`.

    Required columns are checked by :func:`iaptlab.schema.validate`, not here.
    """
    return read_csv_table(path, required=[], reserved=OUTPUT_COLUMNS).frame
