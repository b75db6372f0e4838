"""Reading an episode table from a CSV file (see :mod:`iaptlab.csv_files` for what is accepted).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
>>> _ = path.write_bytes(b"\\xef\\xbb\\xbfepisode_id,treatment_contacts\\r\\nA1,3\\r\\n")
>>> read_episode_csv(path).to_dict("list")
{'episode_id': ['A1'], 'treatment_contacts': ['3']}
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .csv_files import CsvTable, read_csv_table, read_source_bytes
from .episodes import REQUIRED_CONTACT_COLUMNS, from_contacts, validate_contacts
from .errors import InputError
from .schema import OPTIONAL_COLUMNS, OUTPUT_COLUMNS, REQUIRED_COLUMNS

__all__ = ["CONTACT_FILE_MARKERS", "InputFile", "episodes_as_text", "is_contact_table",
           "read_contact_file", "read_episode_csv", "read_episode_file", "read_input_file"]

#: Columns only a contact table (one row per contact) has: a file with either is read as one, so a
#: contact file missing another required column is told which contact column is missing.
CONTACT_FILE_MARKERS = ("contact_number", "contact_type")


def read_episode_file(path: str | Path | bytes, columns: Mapping[str, str] | None = None,
                      *, name: str | None = None) -> CsvTable:
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
                          columns=columns, reserved=OUTPUT_COLUMNS, name=name)


def read_episode_csv(path: str | Path) -> pd.DataFrame:
    """Read ``path`` into a DataFrame of text cells (missing as NA), or raise :class:`InputError`.

    Required columns are checked by :func:`iaptlab.schema.validate`, not here.
    """
    return read_csv_table(path, required=[], reserved=OUTPUT_COLUMNS).frame


def is_contact_table(columns) -> bool:
    """True when ``columns`` name a contact table (any of :data:`CONTACT_FILE_MARKERS`).

    >>> is_contact_table(["referral_id", "contact_number", "contact_type", "phq9"])
    True
    >>> is_contact_table(["episode_id", "treatment_contacts", "referral_id"])
    False
    """
    return any(name in set(columns) for name in CONTACT_FILE_MARKERS)


def episodes_as_text(episodes: pd.DataFrame) -> pd.DataFrame:
    """The episode table as text cells, as a CSV reader would give it (whole numbers without ".0").

    >>> episodes_as_text(pd.DataFrame({"a": [3.0, np.nan], "b": [True, False]}))["a"].tolist()
    ['3', <NA>]
    """
    text = pd.ArrowDtype(pa.string())
    out = {}
    for name, values in episodes.items():
        if pd.api.types.is_float_dtype(values):
            numbers = values.to_numpy(dtype=float)
            whole = np.isnan(numbers) | (numbers == np.round(numbers))
            values = values.astype("Int64") if whole.all() else values
        out[name] = values.astype(text)
    return pd.DataFrame(out)


def read_contact_file(path: str | Path | bytes, columns: Mapping[str, str] | None = None,
                      *, reserved=OUTPUT_COLUMNS, name: str | None = None) -> tuple[CsvTable, int]:
    """Read a contact CSV and turn it into episodes (:func:`iaptlab.episodes.from_contacts`).

    Returns the episode table as a :class:`CsvTable` of text cells (``rows``: the spreadsheet row
    of each referral's first contact) and the number of contacts read. Any problem in the
    contacts raises :class:`InputError` naming its row and column.

    >>> table, n = read_contact_file(b"referral_id,contact_number,contact_type,attended,phq9,gad7,"
    ...     b"referral_ended\\nR1,1,assessment,yes,18,13,yes\\nR1,2,treatment,yes,9,6,yes\\n")
    >>> n, table.frame["phq9_last"].tolist(), table.rows.tolist()
    (2, ['9'], [2])
    """
    loaded = read_csv_table(path, required=list(REQUIRED_CONTACT_COLUMNS), columns=columns,
                            reserved=reserved, name=name)
    checked = validate_contacts(loaded.frame).raise_if_invalid()
    episodes = from_contacts(checked)
    codes = checked.table["referral_id"].cat.codes.to_numpy().astype(np.int64)
    first_rows = np.full(len(episodes), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_rows, codes, loaded.rows)
    table = dataclasses.replace(loaded, frame=episodes_as_text(episodes), rows=first_rows)
    return table, len(loaded.frame)


@dataclasses.dataclass(frozen=True)
class InputFile:
    """An episode table read from a file; ``contacts`` is how many contact rows it was made from
    (``None`` when the file was an episode table)."""

    table: CsvTable
    contacts: int | None


def read_input_file(path: str | Path | bytes, columns: Mapping[str, str] | None = None) -> InputFile:
    """Read an episode CSV, or a contact CSV (detected by :data:`CONTACT_FILE_MARKERS`, after the
    ``columns`` mapping) turned into episodes, with the same bad-input behaviour for both.

    >>> read_input_file(b"episode_id,treatment_contacts,phq9_first,phq9_last,gad7_first,gad7_last\\n"
    ...                 b"A,2,15,8,12,5\\n").contacts is None
    True
    """
    name = None
    if not isinstance(path, bytes | bytearray) and _is_pipe(path):
        # a pipe (``<(...)``, a named pipe) can be read once only: read it here, then look at it
        name, path = str(path), read_source_bytes(path)
    if is_contact_table(_header_names(path, columns)):
        table, n = read_contact_file(path, columns, name=name)
        return InputFile(table, n)
    return InputFile(read_episode_file(path, columns, name=name), None)


def _is_pipe(path: str | Path) -> bool:
    """True when ``path`` is a pipe (False when it cannot be looked at: the read then says why)."""
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _header_names(path: str | Path | bytes, columns: Mapping[str, str] | None) -> list[str]:
    """The column names of the file's first lines (after ``columns``); [] if they cannot be read
    (the full read then reports why)."""
    try:
        if isinstance(path, bytes | bytearray):
            head = bytes(path[:1 << 16])
        else:
            with open(path, "rb") as handle:
                head = handle.read(1 << 16)
        cut = max(head.rfind(b"\n"), head.rfind(b"\r"))
        head = head[:cut + 1] if cut > 0 else head
        return list(read_csv_table(head, required=[], columns=columns).frame.columns)
    except (InputError, OSError):
        return []
