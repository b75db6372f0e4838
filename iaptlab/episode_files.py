"""Reading an episode table from a CSV file the way a spreadsheet user saved it.

Handles UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), Windows line endings,
Excel's legacy Windows-1252 "CSV", and semicolon-separated files (Excel in many European locales).
Every cell is read as text so that validation, not the reader, decides what is wrong; blank lines
are kept so that row numbers match the spreadsheet (header = row 1).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
>>> _ = path.write_bytes(b"\\xef\\xbb\\xbfepisode_id,treatment_contacts\\r\\nA1,3\\r\\n")
>>> read_episode_csv(path).to_dict("list")
{'episode_id': ['A1'], 'treatment_contacts': ['3']}
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from .errors import InputError, Problem

ENCODINGS = ("utf-8-sig", "cp1252")


def _decode(raw: bytes, path: Path) -> str:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(Problem(None, None, f"{path}: cannot read the file as text (UTF-8 or Windows-1252)"))


def read_episode_csv(path: str | Path) -> pd.DataFrame:
    """Read ``path`` into a DataFrame of text cells, or raise :class:`InputError` saying why not."""
    path = Path(path)
    if not path.exists():
        raise InputError(Problem(None, None, f"{path}: no such file"))
    if path.is_dir():
        raise InputError(Problem(None, None, f"{path}: is a folder, not a CSV file"))
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(Problem(None, None, f"{path}: the file is empty"))
    if b"\x00" in raw[:4096] or raw[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF"):
        raise InputError(Problem(None, None, f"{path}: this is not a CSV file (a spreadsheet or binary "
                                 "file?); save it from your spreadsheet as 'CSV UTF-8'"))
    text = _decode(raw, path)
    header = text.splitlines()[0] if text.splitlines() else ""
    sep = ";" if header.count(";") > header.count(",") else ","
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, skipinitialspace=True)
    except (pd.errors.ParserError, csv.Error) as err:
        detail = str(err).replace("\n", " ")
        raise InputError(Problem(None, None, f"{path}: not a well-formed CSV file ({detail})")) from None
    except pd.errors.EmptyDataError:
        raise InputError(Problem(None, None, f"{path}: the file has no header row")) from None
    if len(table.columns) < 2:
        raise InputError(Problem(None, None, f"{path}: found only one column ({table.columns[0]!r}); is "
                                 "it a comma-separated file with a header row?"))
    table.columns = [str(c).strip() for c in table.columns]
    # Blank lines at the end (Excel often leaves ",,,,") hold no data: drop them; blank lines in
    # the middle stay, so row numbers match the spreadsheet and validation reports them.
    blank = table.apply(lambda col: col.str.strip().eq("")).all(axis="columns").to_numpy()
    trailing = len(blank) - (len(blank) - blank[::-1].argmin() if not blank.all() else 0)
    table = table.iloc[: len(table) - trailing] if trailing else table
    unnamed = [c for c in table.columns if c.startswith("Unnamed: ")]
    if unnamed:
        empty = table[unnamed].apply(lambda col: col.str.strip().eq("")).all()
        table = table.drop(columns=[c for c in unnamed if empty[c]])
    return table
