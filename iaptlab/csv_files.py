"""Reading a CSV file as a spreadsheet user saved it, refusing what cannot be read unambiguously.

One reader for every table iaptlab reads from a file (episode files, contact files): every cell is
read as text (empty cells as missing) so that validation, not the reader, decides what a value
means. What the reader accepts:

- UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), or a clean Windows-1252 file
  (Excel's legacy "CSV"). A file mixing the two (``Ané1`` in UTF-8 on one row, ``Ané2`` in
  Windows-1252 on another) is refused naming the rows, never decoded into mojibake.
- Comma- or semicolon-separated (Excel in many European locales), Windows or Unix line endings,
  quoted values, line breaks inside quoted values. ``decimal_comma`` is True for a semicolon file:
  validation then reads ``3,5`` as 3.5.

What it refuses (:class:`~iaptlab.errors.InputError`, naming the row or column):

- a row whose number of fields differs from the header's ("row 7: 8 fields, the header has 6"):
  an unquoted ``10,5``, a trailing separator on every row, a short row, a file cut off mid-row;
- blank or duplicate column names; a missing required column (listing the columns found and the
  closest names, with the ``--columns`` mapping that would fix it);
- a column named like one the caller writes (``reserved``) is not refused but renamed with
  :data:`RESERVED_PREFIX` (``recovered`` -> ``input_recovered``), so input and output never mix.

Rows are numbered as a spreadsheet shows them: header = row 1; a value with a line break in it is
still one row. Empty lines in the middle of the file stay (as rows of empty cells, so validation
reports them); empty rows at the end are dropped.

>>> table = read_csv_table(b"\\xef\\xbb\\xbfid;score\\r\\nA1;3,5\\r\\n", required=["id", "score"])
>>> table.frame.to_dict("list"), table.separator, table.decimal_comma
({'id': ['A1'], 'score': ['3,5']}, ';', True)
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import stat
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .errors import SHOWN_PROBLEMS, InputError, Problem, one_line

__all__ = ["FORMULA_START", "RESERVED_PREFIX", "CsvTable", "edge_bytes", "neutralise_formulas", "parse_column_map",
           "read_column_map", "read_csv_table", "write_csv",
           "read_source_bytes"]

#: Prefix given to an input column named like a column the tool writes.
RESERVED_PREFIX = "input_"
#: The largest file read (bytes); a larger one is refused rather than exhausting memory.
MAX_BYTES = 4 * 1024**3
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


@dataclass(frozen=True)
class CsvTable:
    """What :func:`read_csv_table` read.

    ``frame``: one column per header column (text, missing as NA), columns renamed by the mapping
    and the reserved-name rule; ``rows``: the spreadsheet row of each frame row;
    ``renamed``: original name -> name in ``frame`` for every renamed column.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    separator: str
    encoding: str
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def decimal_comma(self) -> bool:
        """True for a semicolon-separated file, where ``3,5`` means 3.5."""
        return self.separator == ";"


def _where(name: str | None) -> str:
    return f"{name}: " if name else ""


def read_source_bytes(source: str | Path) -> bytes:
    """The bytes of the file at ``source``, or :class:`InputError` saying plainly why not.

    Refuses folders, devices, pipes that never end, symlink loops, unreadable files and files
    larger than :data:`MAX_BYTES`, naming the path.

    >>> read_source_bytes("/no/such/file.csv")
    Traceback (most recent call last):
    ...
    iaptlab.errors.InputError: /no/such/file.csv: no such file
    """
    path = str(source)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(Problem(None, None, f"{path}: no such file")) from None
    except OSError as err:
        reason = "a symbolic link that loops" if err.errno == 40 else (err.strerror or str(err))
        raise InputError(Problem(None, None, f"{path}: cannot open it ({reason})")) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(Problem(None, None, f"{path}: is a folder, not a CSV file"))
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISFIFO(info.st_mode):
        raise InputError(Problem(None, None, f"{path}: is not a regular file (a device?); give a CSV file"))
    if info.st_size > MAX_BYTES:
        raise InputError(Problem(None, None, f"{path}: is {info.st_size / 1e9:.1f} GB; files over "
                                 f"{MAX_BYTES / 1e9:.1f} GB are not read"))
    try:
        with open(path, "rb") as handle:
            raw = _read_at_most(handle, MAX_BYTES + 1, info.st_size if stat.S_ISREG(info.st_mode) else 0)
    except OSError as err:
        raise InputError(Problem(None, None, f"{path}: cannot read it ({err.strerror or err})")) from None
    if len(raw) > MAX_BYTES:
        raise InputError(Problem(None, None, f"{path}: more than {MAX_BYTES / 1e9:.1f} GB; not read"))
    return raw


#: Bytes asked for at a time once a file's announced size has been read (a pipe, or a file that grew).
_READ_BLOCK = 1 << 24


def _read_at_most(handle, limit: int, size: int) -> bytes:
    """Up to ``limit`` bytes of ``handle``: ``size`` (the file's size, 0 if unknown) in one read,
    then blocks until the end. Never asks for ``limit`` bytes at once: Python allocates what a
    read asks for, and 4 GB of address space is refused on a small machine or under a memory limit.

    >>> _read_at_most(io.BytesIO(b"abcdef"), 4, 2), _read_at_most(io.BytesIO(b"ab"), 4, 0)
    (b'abcd', b'ab')
    """
    parts = [handle.read(min(size + 1, limit))] if size else []
    total = len(parts[0]) if parts else 0
    while total < limit:
        part = handle.read(min(_READ_BLOCK, limit - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _row_of(raw: bytes, offset: int) -> int:
    """Line number (1-based) of byte ``offset``."""
    return raw.count(b"\n", 0, offset) + 1


def _decode(raw: bytes, name: str | None) -> tuple[bytes, str]:
    """(UTF-8 bytes without BOM, encoding read) or InputError naming the rows at fault."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    if body.isascii():
        return body, "utf-8-sig" if bom else "utf-8"
    try:
        body.decode("utf-8")
        return body, "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as err:
        bad_row = _row_of(body, err.start)
        bad_bytes = body[err.start:err.start + 1]
    utf8 = _UTF8_SEQUENCE.search(body)
    if bom or utf8:
        good_row = 1 if bom and not utf8 else _row_of(body, utf8.start() if utf8 else 0)
        shown = body[utf8.start():utf8.end()].decode("utf-8") if utf8 else "a UTF-8 byte-order mark"
        raise InputError(Problem(bad_row, None, f"{_where(name)}is not UTF-8 (byte {bad_bytes.hex()}) but row "
                                 f"{good_row} is ({shown!r}): the file mixes two text encodings. Re-save it "
                                 "from the system it came from as 'CSV UTF-8'"))
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as err:
        high = _HIGH_BYTE.search(body)
        raise InputError(Problem(_row_of(body, err.start), None, f"{_where(name)}byte "
                                 f"{body[err.start:err.start + 1].hex()} is neither UTF-8 nor Windows-1252 text "
                                 f"(first non-ASCII byte on row {_row_of(body, high.start() if high else 0)}); "
                                 "re-save the file as 'CSV UTF-8'")) from None
    return text.encode("utf-8"), "cp1252"


def _header(text: str, name: str | None) -> tuple[list[str], str, int]:
    """(column names, separator, physical lines the header spans)."""
    first_line = text.split("\n", 1)[0]
    sep = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text[:1 << 20]), delimiter=sep, strict=True)
    try:
        names = next(reader)
    except (StopIteration, csv.Error) as err:
        raise InputError(Problem(1, None, f"{_where(name)}cannot read the header row ({err})")) from None
    return [n.strip() for n in names], sep, reader.line_num


def _check_names(names: list[str], name: str | None) -> None:
    problems = []
    for i, column in enumerate(names, start=1):
        if not column:
            hint = " (a separator at the end of the header?)" if i == len(names) else ""
            problems.append(Problem(1, None, f"column {i} of the header has no name{hint}"))
    seen: dict[str, int] = {}
    for i, column in enumerate(names, start=1):
        if column and column in seen:
            problems.append(Problem(1, column, "column name appears twice (columns "
                                    f"{seen[column]} and {i}); every column needs its own name"))
        seen.setdefault(column, i)
    if problems:
        raise InputError(problems)


def _normalised(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _suggest(missing: str, found: Sequence[str]) -> str | None:
    keyed = {_normalised(f): f for f in found}
    match = difflib.get_close_matches(_normalised(missing), list(keyed), n=1, cutoff=0.6)
    return keyed[match[0]] if match else None


def _apply_names(names: list[str], *, required: Sequence[str], columns: Mapping[str, str],
                 reserved: Sequence[str], name: str | None) -> tuple[list[str], dict[str, str]]:
    """Final column names after the mapping and the reserved-name rule, or InputError."""
    problems = []
    for source, target in columns.items():
        if source not in names:
            problems.append(Problem(None, source, f"the column mapping names it but the file has no such "
                                    f"column (found: {', '.join(names)})"))
        elif target in names and target != source and target not in columns:
            problems.append(Problem(None, target, f"the file already has this column, so '{source}' cannot "
                                    "be mapped to it too"))
    if problems:
        raise InputError(problems)
    mapped = [columns.get(n, n) for n in names]
    renamed = {n: m for n, m in zip(names, mapped, strict=True) if n != m}
    reserved_set = set(reserved)
    final = []
    for original, column in zip(names, mapped, strict=True):
        if column in reserved_set and original not in columns:
            column = RESERVED_PREFIX + column
            renamed[original] = column
        final.append(column)
    clash = sorted({c for c in final if final.count(c) > 1})
    if clash:
        raise InputError([Problem(None, c, f"two columns would both be called {c!r} (a column named like "
                                  f"an output column is renamed with the prefix {RESERVED_PREFIX!r}); "
                                  "rename one") for c in clash])
    missing = [c for c in required if c not in final]
    if missing:
        problems = []
        for column in missing:
            close = _suggest(column, [n for n in names if columns.get(n, n) not in required])
            hint = f" (closest: {close!r}; map it with --columns \"{close}={column}\")" if close else ""
            problems.append(Problem(None, column, f"required column is missing{hint}"))
        problems.append(Problem(None, None, f"{_where(name)}columns found: "
                                + ", ".join(repr(n) for n in names)))
        raise InputError(problems)
    return final, renamed


def _field_count_problem(row: int | None, actual: int, expected: int, last_row: bool,
                         truncated: bool, quoted: bool = False) -> Problem:
    if actual > expected:
        hint = ("an unquoted separator in a value (a decimal comma such as 10,5?) or a separator at the "
                "end of the row")
        kind = f"more fields than the header's {expected}"
    else:
        hint = "a short row; empty cells still need their separators"
        if quoted and actual == 1:
            hint += ', or an unmatched quote (") that took in the rest of the file'
        kind = f"fewer fields than the header's {expected}"
    if last_row and truncated and actual < expected and not (quoted and actual == 1):
        hint = "the file ends in the middle of this row: was it cut off?"
    return Problem(row, None, f"{actual} field{'s' if actual != 1 else ''}, the header has {expected} ({hint})",
                   kind)


def _quoted_data(body: bytes, header_lines: int) -> bool:
    """True when a quote appears after the header's ``header_lines`` lines: only then can a value
    hold a line break, and pyarrow must split the file for its threads by reading every quote
    rather than at line breaks (a quoted header, as many tools write it, does not count).

    >>> _quoted_data(b'"id","score"\\nA,1\\n', 1), _quoted_data(b'id,score\\n"A",1\\n', 1)
    (False, True)
    """
    start = 0
    for _ in range(header_lines):
        start = body.find(b"\n", start) + 1
        if not start:  # no line feed (a file with bare CR line ends, or the header only): read it all
            return b'"' in body
    return body.find(b'"', start) >= 0


def _parse(body: bytes, width: int, sep: str, skip: int, threads: bool,
           bad: list[tuple[int | None, int]], extra: dict[int, int]) -> pa.Table:
    """Parse with pyarrow (every cell text); rows with the wrong field count go to bad/extra."""
    def handler(row) -> str:
        if len(bad) < SHOWN_PROBLEMS:
            bad.append((row.number, row.actual_columns))
        else:
            extra[row.actual_columns] = extra.get(row.actual_columns, 0) + 1
        return "skip"

    internal = [f"c{i}" for i in range(width)]
    return pa_csv.read_csv(
        pa.BufferReader(body),
        read_options=pa_csv.ReadOptions(column_names=internal, skip_rows=skip, use_threads=threads,
                                        block_size=1 << 22),
        parse_options=pa_csv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True,
                                          escape_char=False, newlines_in_values=_quoted_data(body, skip),
                                          ignore_empty_lines=False, invalid_row_handler=handler),
        convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(internal, pa.string()),
                                              null_values=[""], strings_can_be_null=True,
                                              quoted_strings_can_be_null=True, check_utf8=False))


def read_csv_table(source: str | Path | bytes, *, required: Sequence[str], optional: Sequence[str] = (),
                   columns: Mapping[str, str] | None = None, reserved: Sequence[str] = (),
                   name: str | None = None) -> CsvTable:
    """Read a CSV file (a path, or its bytes) into text columns, or raise :class:`InputError`.

    ``required`` columns must be present (after ``columns``, a mapping from the file's names to
    iaptlab's); ``optional`` ones are listed in messages only; a column named like one of
    ``reserved`` is renamed ``input_<name>``. ``name`` (default: the path) prefixes file-level
    messages.

    >>> read_csv_table(b"a,b\\n1,2\\n3,4,5\\n", required=["a"])
    Traceback (most recent call last):
    ...
    iaptlab.errors.InputError: row 3: 3 fields, the header has 2 (an unquoted separator in a value (a decimal comma such as 10,5?) or a separator at the end of the row)
    """
    del optional  # accepted so every caller states its columns; messages list what was found
    if isinstance(source, bytes | bytearray):
        raw = bytes(source)
    else:
        raw = read_source_bytes(source)
        name = str(source) if name is None else name
    blank = b" \t\r\n\xef\xbb\xbf"
    if not raw[:1 << 16].strip(blank) and not raw.strip(blank):
        raise InputError(Problem(None, None, f"{_where(name)}the file is empty"))
    if b"\x00" in raw or raw[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF"):
        raise InputError(Problem(None, None, f"{_where(name)}this is not a CSV file (a spreadsheet or "
                                 "binary file?); save it from your spreadsheet as 'CSV UTF-8'"))
    body, encoding = _decode(raw, name)
    head_text = body[:1 << 20].decode("utf-8", errors="replace")
    names, sep, header_lines = _header(head_text, name)
    if len(names) < 2:
        raise InputError(Problem(None, None, f"{_where(name)}found only one column ({one_line(names[0])!r}); "
                                 "is it a comma-separated file with a header row?"))
    _check_names(names, name)
    final, renamed = _apply_names(names, required=required, columns=dict(columns or {}),
                                  reserved=reserved, name=name)
    width = len(names)
    bad: list[tuple[int | None, int]] = []
    extra: dict[int, int] = {}
    try:
        table = _parse(body, width, sep, header_lines, True, bad, extra)
        if any(row is None for row, _ in bad):  # row numbers are known only to a single-thread parse
            bad.clear()
            extra.clear()
            table = _parse(body, width, sep, header_lines, False, bad, extra)
    except pa.ArrowInvalid as err:
        detail = one_line(str(err).split("\n")[0])
        raise InputError(Problem(None, None, f"{_where(name)}not a well-formed CSV file ({detail}); an "
                                 "unmatched quote (\") leaves the rest of the file in one cell")) from None
    if bad:
        truncated = not body.endswith((b"\n", b"\r"))
        last = max((r for r, _ in bad if r is not None), default=-1)
        quoted = b'"' in body
        shown = [_field_count_problem(r, n, width, r == last and not extra, truncated, quoted) for r, n in bad]
        more: dict[tuple[str | None, str], int] = {}
        for n, times in extra.items():
            key = (None, _field_count_problem(None, n, width, False, False).kind or "")
            more[key] = more.get(key, 0) + times
        raise InputError(shown, more=more)
    table = _drop_trailing_empty(table)
    frame = table.rename_columns(final).to_pandas(types_mapper={pa.string(): pd.ArrowDtype(pa.string())}.get)
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return CsvTable(frame, rows, sep, encoding, renamed)


def _drop_trailing_empty(table: pa.Table) -> pa.Table:
    """``table`` without the rows at its end whose every cell is empty or blank."""
    end = table.num_rows
    while end:
        start = max(0, end - 256)
        tail = table.slice(start, end - start)
        empty = np.ones(tail.num_rows, dtype=bool)
        for column in tail.columns:
            values = column.to_pylist()
            empty &= np.array([v is None or not v.strip() for v in values], dtype=bool)
        if empty.all():
            end = start
            continue
        end = start + int(np.flatnonzero(~empty)[-1]) + 1
        break
    return table.slice(0, end)


def parse_column_map(text: str) -> dict[str, str]:
    """``"PHQ9 first=phq9_first, GAD7 first=gad7_first"`` -> a mapping (file name -> iaptlab name).

    >>> parse_column_map("PHQ9 first=phq9_first, ID=episode_id")
    {'PHQ9 first': 'phq9_first', 'ID': 'episode_id'}
    """
    pairs = []
    for part in next(csv.reader([text], skipinitialspace=True)):
        if not part.strip():
            continue
        if part.count("=") != 1:
            raise InputError(Problem(None, None, f"--columns: {one_line(part)!r} is not NAME_IN_FILE=column_name"))
        source, target = (s.strip() for s in part.split("="))
        pairs.append((source, target))
    return _mapping(pairs, "--columns")


def _mapping(pairs, where: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for source, target in pairs:
        if not source or not target:
            raise InputError(Problem(None, None, f"{where}: {one_line(source)}={one_line(target)} has an empty name"))
        if source in mapping:
            raise InputError(Problem(None, source, f"{where}: mapped twice"))
        mapping[source] = target
    targets = list(mapping.values())
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        raise InputError([Problem(None, t, f"{where}: two file columns are mapped to it") for t in twice])
    return mapping


def read_column_map(path: str | Path) -> dict[str, str]:
    """A mapping file: a CSV with a header ``name_in_file,column`` and one row per column mapped.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "map.csv"
    >>> _ = p.write_text("name_in_file,column\\nPHQ9 first,phq9_first\\n")
    >>> read_column_map(p)
    {'PHQ9 first': 'phq9_first'}
    """
    frame = read_csv_table(path, required=["name_in_file", "column"]).frame
    return _mapping(zip(frame["name_in_file"].fillna("").str.strip(), frame["column"].fillna("").str.strip(),
                        strict=True), "column mapping file")


#: First characters that make a spreadsheet evaluate a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def edge_bytes(values: pa.Array | pa.ChunkedArray, *, last: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(first byte, last byte) of each text cell as uint8 arrays (0 for an empty or missing cell),
    read straight from pyarrow's buffers: a screen of millions of cells in milliseconds. With
    ``last=False`` only the first bytes are read (the second array is empty).

    >>> first, last = edge_bytes(pa.array(["ab", "", None, " c"]))
    >>> bytes(first), bytes(last)
    (b'a\\x00\\x00 ', b'b\\x00\\x00c')
    >>> len(edge_bytes(pa.array(["ab"]), last=False)[1])
    0
    """
    return _edge_bytes(values, last=last)


def _edge_bytes(values: pa.Array | pa.ChunkedArray, last: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`edge_bytes`; with ``last=False`` the second array is left empty (half the work)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    firsts, lasts = [], []
    for chunk in chunks:
        if not pa.types.is_string(chunk.type):
            chunk = pc.cast(chunk, pa.string())
        n = len(chunk)
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[chunk.offset:chunk.offset + n + 1]
        data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(1, np.uint8)
        if not len(data):
            data = np.zeros(1, np.uint8)
        filled = offsets[1:] > offsets[:-1]
        if chunk.null_count:
            filled &= chunk.is_valid().to_numpy(zero_copy_only=False)
        first = data[np.minimum(offsets[:-1], len(data) - 1)]
        first[~filled] = 0
        firsts.append(first)
        if last:
            final = data[np.clip(offsets[1:] - 1, 0, len(data) - 1)]
            final[~filled] = 0
            lasts.append(final)
    if not firsts:
        return np.zeros(0, np.uint8), np.zeros(0, np.uint8)
    return np.concatenate(firsts), np.concatenate(lasts) if last else np.zeros(0, np.uint8)


_FORMULA_BYTES = np.frombuffer("".join(FORMULA_START).encode(), dtype=np.uint8)
#: True at the bytes a formula starts with (a lookup per cell: cheaper than ``np.isin``).
_FORMULA_FIRST = np.isin(np.arange(256), _FORMULA_BYTES)
#: Any byte a formula can start with: a column whose text holds none of them anywhere needs no
#: per-cell look (one scan of its bytes instead of a gather of every cell's first byte).
_FORMULA_BYTE = "".join(FORMULA_START).encode()
#: Bytes of a text buffer copied at a time to be scanned by ``bytes`` methods (memchr speed).
_SCAN_BYTES = 1 << 20


def _holds_any(values: pa.Array | pa.ChunkedArray, needles: bytes) -> bool:
    """True when a byte of ``needles`` is in the text buffers of ``values``; may also be True for
    bytes of a chunk's buffer outside its slice, never False wrongly.

    >>> _holds_any(pa.array(["ab", None, "c=d"]), b"="), _holds_any(pa.array(["ab"]), b"=@")
    (True, False)
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    for chunk in chunks:
        if not pa.types.is_string(chunk.type):
            return True  # not plain text: let the careful path decide
        data = chunk.buffers()[2]
        for start in range(0, data.size if data is not None else 0, _SCAN_BYTES):
            window = data.slice(start, min(_SCAN_BYTES, data.size - start)).to_pybytes()  # copied; `in` is memchr
            if any(needle in window for needle in (needles[i:i + 1] for i in range(len(needles)))):
                return True
    return False


def neutralise_formulas(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Text cells a spreadsheet would evaluate, prefixed with ``'`` (plain numbers such as -3 are left).

    >>> neutralise_formulas(pa.array(["=HYPERLINK(\\"x\\")", "-3", "-x", "@a", "ok", None])).to_pylist()
    ['\\'=HYPERLINK("x")', '-3', "'-x", "'@a", 'ok', None]
    """
    if not _holds_any(values, _FORMULA_BYTE):
        return values
    first, _ = _edge_bytes(values, last=False)
    candidates = np.flatnonzero(_FORMULA_FIRST[first])
    if not len(candidates):
        return values
    subset = values.take(pa.array(candidates))
    plain = pc.match_substring_regex(subset, _PLAIN_NUMBER).to_numpy(zero_copy_only=False)
    risky_positions = candidates[~plain.astype(bool)]
    if not len(risky_positions):
        return values
    risky = np.zeros(len(values), dtype=bool)
    risky[risky_positions] = True
    return pc.if_else(pa.array(risky), pc.binary_join_element_wise("'", values, ""), values)


_TRUE_FALSE = pa.array(["False", "True"])
#: A run of adjacent columns with few distinct texts (flags, a measure's name) is written as one
#: piece per row, taken from the texts of the value combinations present, while the combinations
#: number at most this many.
_MAX_COMBINATIONS = 1 << 20
#: A dictionary column with more values than this is written as text, not as a coded column.
_MAX_CODED_VALUES = 256


def _needs_quotes(array: pa.Array | pa.ChunkedArray, separator: str) -> bool:
    """True when some text cell holds the separator, a quote or a line break (so must be quoted)."""
    if not pa.types.is_string(array.type):
        return False
    return _holds_any(array, f'"\n\r{separator}'.encode())


def _as_text(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Booleans as ``True``/``False``, integers and categories as text (faster than the writer's own
    formatting); text as it is."""
    if pa.types.is_boolean(array.type):
        return _TRUE_FALSE.take(pc.cast(pc.fill_null(array, False), pa.int8()))
    if pa.types.is_integer(array.type) or pa.types.is_dictionary(array.type):
        return pc.cast(array, pa.string())
    return array


@dataclass(frozen=True)
class _Coded:
    """Adjacent columns written as one piece per row: ``codes`` (one per row) index ``texts``, the
    cells of those columns already joined by the separator (and quoted where the file is)."""

    codes: np.ndarray
    texts: list[str]


def _codes(array: pa.Array | pa.ChunkedArray | np.ndarray) -> tuple[np.ndarray, list[str | None]] | None:
    """(one code per cell, the text of each code; None = an empty cell) for a boolean column (a
    missing value written False, as :func:`_as_text` does) or a one-dictionary text category;
    None for any other column."""
    if isinstance(array, np.ndarray):
        return (array.view(np.uint8), ["False", "True"]) if array.dtype == bool else None
    if pa.types.is_boolean(array.type):
        values = pc.fill_null(array, False)
        chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
        codes = [c.to_numpy(zero_copy_only=False) for c in chunks]
        return (np.concatenate(codes) if codes else np.zeros(0, bool)).view(np.uint8), ["False", "True"]
    if not pa.types.is_dictionary(array.type) or not pa.types.is_string(array.type.value_type) and \
            not pa.types.is_large_string(array.type.value_type):
        return None
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    if not chunks or any(not c.dictionary.equals(chunks[0].dictionary) for c in chunks[1:]):
        return None
    dictionary = chunks[0].dictionary.to_pylist()
    if len(dictionary) > _MAX_CODED_VALUES or any(v is None for v in dictionary):
        return None
    codes = []
    for chunk in chunks:
        indices = pc.fill_null(chunk.indices.cast(pa.int32()), len(dictionary)).to_numpy(zero_copy_only=False)
        codes.append(indices)
    return np.concatenate(codes), [*dictionary, None]


def _quoted(text: str | None, quote: bool) -> str:
    """A cell's text as the file writes it: every cell in quotes (quotes doubled) when the file is
    quoted, a missing cell empty."""
    if text is None:
        return ""
    return '"' + text.replace('"', '""') + '"' if quote else text


def _pieces(arrays: list[pa.Array | pa.ChunkedArray | np.ndarray], separator: str, quote: bool
            ) -> list[pa.Array | pa.ChunkedArray | _Coded] | None:
    """The columns as what is joined on each row: text and integer columns as they are, each run
    of adjacent coded columns (booleans, categories: :func:`_codes`) as one :class:`_Coded` piece;
    None when a column is of another type (the joining writer formats only these exactly as
    pyarrow's writer does after :func:`_as_text`)."""
    pieces: list[pa.Array | pa.ChunkedArray | _Coded] = []
    run: list[tuple[np.ndarray, list[str]]] = []
    for array in arrays:
        coded = _codes(array)
        if coded is None and (isinstance(array, np.ndarray) or not (
                pa.types.is_string(array.type) or pa.types.is_integer(array.type))):
            return None
        if coded is not None and run and np.prod([len(t) for _, t in run]) * len(coded[1]) > _MAX_COMBINATIONS:
            pieces.append(_coded_run(run, separator))
            run = []
        if coded is not None:
            run.append((coded[0], [_quoted(t, quote) for t in coded[1]]))
            continue
        if run:
            pieces.append(_coded_run(run, separator))
            run = []
        pieces.append(array)
    if run:
        pieces.append(_coded_run(run, separator))
    return pieces


def _coded_run(run: list[tuple[np.ndarray, list[str]]], separator: str) -> _Coded:
    """Adjacent coded columns as one piece: a code per combination present, its cells joined."""
    sizes = [len(texts) for _, texts in run]
    joint = np.zeros(len(run[0][0]), dtype=np.int64)
    for (codes, _), size in zip(run, sizes, strict=True):
        joint *= size
        joint += codes
    present = np.flatnonzero(np.bincount(joint, minlength=int(np.prod(sizes))))
    renumber = np.zeros(int(np.prod(sizes)), dtype=np.int32)
    renumber[present] = np.arange(len(present), dtype=np.int32)
    texts = []
    for combination in present.tolist():
        cells = []
        for (_, column_texts), size in zip(reversed(run), reversed(sizes), strict=True):
            combination, code = divmod(combination, size)
            cells.append(column_texts[code])
        texts.append(separator.join(reversed(cells)))
    return _Coded(renumber[joint], texts)


def _quote_text(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Every text cell in quotes, its quotes doubled (what pyarrow's writer does with
    ``quoting_style="needed"``); missing cells stay missing (written empty)."""
    doubled = pc.replace_substring(values, '"', '""')
    return pc.binary_join_element_wise('"', doubled, '"', "")


def _text_bytes(lines: pa.Array | pa.ChunkedArray) -> list[pa.Buffer]:
    """The bytes of a text array's cells, back to back (slices of its buffers, no copy)."""
    chunks = lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]
    out = []
    for chunk in chunks:
        if not len(chunk):
            continue
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
        start, end = int(offsets[0]), int(offsets[-1])
        if end > start:
            out.append(data_buffer.slice(start, end - start))
    return out


def _joined_lines(pieces: list[pa.Array | pa.ChunkedArray | _Coded], start: int, stop: int, separator: str,
                  quote: bool) -> list[pa.Buffer]:
    """Rows ``start:stop`` as CSV lines: each piece as text, joined by the separator (pyarrow
    compute, outside the GIL), a line break after the last."""
    parts = []
    for k, piece in enumerate(pieces):
        last = k == len(pieces) - 1
        if isinstance(piece, _Coded):
            texts = [t + "\n" for t in piece.texts] if last else piece.texts
            parts.append(pa.array(texts, pa.string()).take(pa.array(piece.codes[start:stop])))
            continue
        text = piece.slice(start, stop - start)
        if not pa.types.is_string(text.type):
            text = pc.cast(text, pa.string())
        if quote:
            text = _quote_text(text)
        if last:
            text = pc.binary_join_element_wise(text, pa.scalar("\n"), "", null_handling="replace",
                                               null_replacement="")
        parts.append(text)
    lines = pc.binary_join_element_wise(*parts, separator, null_handling="replace", null_replacement="")
    return _text_bytes(lines)


def write_csv(columns: Mapping[str, pa.Array | pa.ChunkedArray | np.ndarray], handle, *, separator: str = ",",
              raw: bool = False, batch_rows: int = 32_768) -> None:
    """Write ``columns`` as CSV to a binary ``handle``, in batches (bounded memory).

    Text columns and the header are passed through :func:`neutralise_formulas` unless ``raw``;
    booleans are written ``True``/``False``; integers as integers; NA as an empty cell. Cells are
    quoted only when some cell needs it (holds the separator, a quote or a line break); then every
    cell that is not empty is. Batches are formatted on as many threads as there are cores
    (pyarrow releases the GIL) and written in order while the next ones are formatted; batches
    of 32,768 rows (a few MB each) reuse memory already mapped, where larger ones spent more time
    having fresh pages mapped than formatting.

    Text, integer, boolean and category columns are written by joining each row's cells with
    pyarrow compute, a run of adjacent boolean and category columns (the outcome flags) as one
    piece taken from the texts of the combinations present: a third of the work of pyarrow's CSV
    writer on that many text columns, byte for byte what it writes. A table with any other column
    type is written by pyarrow's writer.

    >>> out = io.BytesIO()
    >>> write_csv({"id": pa.array(["=1+1", "B"]), "score": pa.array([18, None]),
    ...            "recovered": np.array([True, False])}, out)
    >>> print(out.getvalue().decode())
    id,score,recovered
    '=1+1,18,True
    B,,False
    <BLANKLINE>
    """
    names = list(columns)
    if not raw:
        names = neutralise_formulas(pa.array(names, type=pa.string())).to_pylist()
    arrays = [c if isinstance(c, pa.Array | pa.ChunkedArray) or c.dtype == bool else pa.array(c)
              for c in columns.values()]  # a numpy boolean column is coded as it is
    text = []
    for i, array in enumerate(arrays):
        if isinstance(array, np.ndarray):
            continue
        if pa.types.is_string(array.type):
            arrays[i] = array if raw else neutralise_formulas(array)
            text.append(arrays[i])
        elif pa.types.is_dictionary(array.type):
            text.append(pc.cast(array.dictionary if isinstance(array, pa.DictionaryArray)
                                else array.chunk(0).dictionary if array.num_chunks else pa.array([], pa.string()),
                                pa.string()))
    quoting = "none" if not any(_needs_quotes(a, separator) for a in text) else "needed"
    header = io.StringIO()
    csv.writer(header, delimiter=separator, lineterminator="\n").writerow(names)
    handle.write(header.getvalue().encode("utf-8"))
    rows = len(arrays[0]) if arrays else 0
    pieces = _pieces(arrays, separator, quoting == "needed") if arrays else None
    if pieces is not None:
        def formatted(start: int) -> list[pa.Buffer]:
            return _joined_lines(pieces, start, min(start + batch_rows, rows), separator, quoting == "needed")
    else:
        table = pa.table([pa.array(a) if isinstance(a, np.ndarray) else a for a in arrays],
                         names=[f"c{i}" for i in range(len(arrays))])
        options = pa_csv.WriteOptions(include_header=False, delimiter=separator, batch_size=batch_rows,
                                      quoting_style=quoting)

        def formatted(start: int) -> list[pa.Buffer]:
            part = table.slice(start, batch_rows)
            part = pa.table([_as_text(c) for c in part.columns], names=part.column_names)
            sink = pa.BufferOutputStream()
            pa_csv.write_csv(part, sink, options)
            return [sink.getvalue()]  # written as it is (buffer protocol): no copy into a bytes object

    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()  # batches being formatted while the oldest is written (GIL released)
        for start in range(0, rows, batch_rows):
            pending.append(pool.submit(formatted, start))
            if len(pending) > workers:  # at most workers + 1 batches in memory
                for buffer in pending.popleft().result():
                    handle.write(buffer)
        while pending:
            for buffer in pending.popleft().result():
                handle.write(buffer)
