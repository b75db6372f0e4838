"""The bundled, sourced datasets: load them by name, checked against their data cards.

Every CSV in ``iaptlab.data`` has a card (``<name>.card.toml``) that says what each column means,
its unit, type and allowed range, and which sources its rows cite. Each row's ``source`` is a key
into ``sources.toml``, and each row carries a ``confidence`` (C confirmed, S secondary, D derived).
Nothing here touches the network: the files are package data, read with ``importlib.resources``.

>>> "national_annual" in names()
True
>>> table = load("national_annual")
>>> int(table.loc[table["year"] == "2014-15", "recovered"].dropna().iloc[0])
189152
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .errors import IaptlabError, InputError, Problem

__all__ = ["CARD_SUFFIX", "DTYPES", "SOURCES_FILE", "WORKBOOK_SOURCE", "DataDir", "DatasetError",
           "card", "cite", "licences", "load", "names", "provenance", "reference", "sources"]

CARD_SUFFIX = ".card.toml"
SOURCES_FILE = "sources.toml"
WORKBOOK_SOURCE = "iaptlab"
#: Appended to the reference of a source whose entry says ``unverified = true`` (bibliographic
#: details not confirmed in the primary source).
UNVERIFIED_MARK = "(unverified)"
#: The column dtypes a card may declare, and the pandas dtype each becomes.
DTYPES = {"str": "str", "int": "Int64", "float": "float64"}

DataDir = str | Path | Traversable | None


class DatasetError(InputError):
    """A bundled file breaks its card; the message names the file, then every row and column.

    >>> err = DatasetError("x.csv", [Problem(row=3, column="value", reason="must be >= 0")])
    >>> str(err)
    'x.csv: row 3, column value: must be >= 0'
    """

    def __init__(self, file: str, problems: list[Problem] | Problem):
        super().__init__(problems)
        self.file = file
        self.args = ("\n".join(f"{file}: {p}" for p in self.problems),)


@dataclass(frozen=True)
class _Location:
    root: Traversable | Path

    def read_text(self, filename: str) -> str:
        path = self.root.joinpath(filename)
        if not path.is_file():
            raise IaptlabError(f"{filename}: no such file in the data folder {self.root}")
        return path.read_text(encoding="utf-8")

    def filenames(self) -> list[str]:
        return sorted(entry.name for entry in self.root.iterdir())


def _location(data_dir: DataDir) -> _Location:
    if data_dir is None:
        return _Location(resources.files("iaptlab.data"))
    if isinstance(data_dir, str):
        data_dir = Path(data_dir)
    return _Location(data_dir)


def names(data_dir: DataDir = None) -> list[str]:
    """Names of the bundled datasets (one per card file), sorted.

    >>> names()[:2]
    ['assessment_bias', 'claims']
    """
    location = _location(data_dir)
    return [f[: -len(CARD_SUFFIX)] for f in location.filenames() if f.endswith(CARD_SUFFIX)]


def sources(data_dir: DataDir = None) -> dict[str, dict]:
    """Every citable source, keyed by source id (tables whose key starts with "_" are omitted).

    Read from ``sources.toml`` (the datasets' sources) and any ``sources_*.toml`` beside it (the
    literature the lessons cite); a key defined in two files is an error.

    >>> sources()["kounali_2022"]["year"]
    '2022'
    """
    location = _location(data_dir)
    extra = [f for f in location.filenames() if f.startswith("sources_") and f.endswith(".toml")]
    merged: dict[str, dict] = {}
    for filename in [SOURCES_FILE, *extra]:
        parsed = _parsed_toml(location.read_text(filename))
        for key, value in parsed.items():
            if key.startswith("_"):
                continue
            if key in merged:
                raise IaptlabError(f"{filename}: source {key!r} is already defined in another sources file")
            merged[key] = value
    return copy.deepcopy(merged)  # the parse is cached: callers get their own copy


@functools.lru_cache(maxsize=16)
def _parsed_toml(text: str) -> dict:
    """``tomllib.loads`` cached by the file's text: every dataset load checks its source keys, and
    parsing the sources files each time was most of a load's time."""
    return tomllib.loads(text)


def reference(key: str, style: str = "apa", data_dir: DataDir = None) -> str:
    """One source formatted as a reference (``style`` "apa" or "bibtex").

    >>> reference("whiteford_2013").startswith("Whiteford, H. A.")
    True
    >>> reference("iapt_investment_bmc_2017").endswith("(unverified)")
    True
    """
    known = sources(data_dir) if data_dir is not None else _bundled_sources()
    if key not in known:
        close = ", ".join(sorted(k for k in known if k.split("_")[0] == key.split("_")[0])) or "none"
        raise IaptlabError(f"no source called {key!r} (similar: {close})")
    if style == "apa":
        return _apa(known[key])
    if style == "bibtex":
        return _bibtex(key, known[key])
    raise IaptlabError(f"style must be 'apa' or 'bibtex', got {style!r}")


@functools.cache
def _bundled_sources() -> dict[str, dict]:
    """:func:`sources` of the bundled data, parsed once per process (read, never handed out)."""
    return sources()


def licences(data_dir: DataDir = None) -> dict[str, str]:
    """The licence texts that sources refer to by short name (e.g. ``"ogl"``).

    >>> "Open Government Licence v3.0" in licences()["ogl"]
    True
    """
    return dict(tomllib.loads(_location(data_dir).read_text(SOURCES_FILE)).get("_licences", {}))


def card(name: str, data_dir: DataDir = None) -> dict:
    """The data card of dataset ``name`` as a dict (a fresh copy each call).

    >>> card("national_annual")["file"]
    'national_annual.csv'
    """
    available = names(data_dir)
    if name not in available:
        raise IaptlabError(f"no dataset called {name!r}; available: {', '.join(available)}")
    return copy.deepcopy(tomllib.loads(_location(data_dir).read_text(name + CARD_SUFFIX)))


def provenance(name: str, data_dir: DataDir = None) -> pd.DataFrame:
    """The sources a dataset cites: id, confidence, licence, link and how many rows use each.

    >>> provenance("national_2014_15_subgroup")["source"].tolist()
    ['hscic_2014_15_release', 'nhstt_fixture_table_12b_2014_15']
    """
    table = load(name, data_dir)
    known = sources(data_dir)
    used = card(name, data_dir)["sources"]
    counts = table["source"].value_counts()
    return pd.DataFrame(
        {
            "source": used,
            "citation": [_apa(known[key]) for key in used],
            "confidence": [known[key]["confidence"] for key in used],
            "licence": [known[key]["licence"] for key in used],
            "url": [known[key].get("url", "") for key in used],
            "doi": [known[key].get("doi", "") for key in used],
            "rows": [int(counts.get(key, 0)) for key in used],
        }
    )


def load(name: str, data_dir: DataDir = None) -> pd.DataFrame:
    """Read dataset ``name`` and check it against its card; raise DatasetError on any problem.

    Counts come back as nullable integers (``Int64``), rates and estimates as floats (NaN where
    a value was not confirmed), text as strings. ``data_dir`` lets you check a copy.

    >>> load("claims").set_index("claim_id").loc["scott_2018_9_2_percent", "confidence"]
    'S'

    A bundled dataset is read and checked once per process (lessons and explorers load the same
    ones again: 20-40 ms each); every call returns a copy of its own.
    """
    if data_dir is None:
        return _bundled_table(name).copy()
    return _checked_table(name, data_dir)


@functools.cache
def _bundled_table(name: str) -> pd.DataFrame:
    """:func:`load` of a bundled dataset, read and checked once per process (copied, never handed out)."""
    return _checked_table(name, None)


def _checked_table(name: str, data_dir: DataDir) -> pd.DataFrame:
    spec = card(name, data_dir)
    file = spec["file"]
    text = _location(data_dir).read_text(file)
    raw, problems = _read_csv_strict(text)
    problems += _column_set_problems(raw, spec)
    if problems:
        raise DatasetError(file, problems)
    table = pd.DataFrame(index=raw.index)
    for column in spec["columns"]:
        table[column["name"]], found = _parse_column(raw[column["name"]], column)
        problems.extend(found)
    problems.extend(_key_problems(table, spec))
    problems.extend(_source_problems(table, spec, sources(data_dir)))
    if problems:
        raise DatasetError(file, problems)
    return table


def cite(name: str | None = None, style: str = "apa", data_dir: DataDir = None) -> str:
    """A reference list for dataset ``name`` (or just the workbook when ``name`` is None).

    ``style`` is ``"apa"`` (APA 7-like plain text) or ``"bibtex"``.

    >>> print(cite("natural_course").splitlines()[0])
    Dataset "natural_course" (iaptlab 0.1.0): Untreated course of depression: remission and wait-list change.
    """
    if style not in ("apa", "bibtex"):
        raise IaptlabError(f"style must be 'apa' or 'bibtex', got {style!r}")
    known = sources(data_dir)
    workbook = {**known[WORKBOOK_SOURCE], "version": __version__}
    keys = [] if name is None else list(card(name, data_dir)["sources"])
    if style == "bibtex":
        return "\n\n".join(_bibtex(key, known[key]) for key in [*keys, WORKBOOK_SOURCE])
    references = sorted(_apa(known[key]) for key in keys)
    lines = []
    if name is not None:
        spec = card(name, data_dir)
        lines += [f'Dataset "{name}" (iaptlab {__version__}): {spec["title"]}.', "", "Sources:"]
        lines += references
        lines += ["", f"Licence: {spec['licence']}", "", "Cite the compilation as:"]
    lines.append(_apa(workbook) + (f" Dataset: {name}." if name else ""))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- checking


def _read_csv_strict(text: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Every cell as text; a record with the wrong number of fields is a problem, not a shift."""
    records = list(csv.reader(io.StringIO(text)))
    if not records:
        return pd.DataFrame(), [Problem(None, None, "the file is empty")]
    header, body = records[0], records[1:]
    widths = np.array([len(record) for record in body], dtype=int)
    wrong = np.flatnonzero(widths != len(header))
    problems = [
        Problem(int(i) + 2, None, f"has {widths[i]} fields but the header has {len(header)}")
        for i in wrong
    ]
    good = [record for record, width in zip(body, widths, strict=True) if width == len(header)]
    return pd.DataFrame(good, columns=header, dtype=str), problems


def _column_set_problems(raw: pd.DataFrame, spec: dict) -> list[Problem]:
    declared = [c["name"] for c in spec["columns"]]
    missing = [c for c in declared if c not in raw.columns]
    extra = [c for c in raw.columns if c not in declared]
    return [Problem(None, c, "column named in the card is missing") for c in missing] + [
        Problem(None, c, "column is not described in the card") for c in extra
    ]


def _rows(mask: pd.Series) -> list[int]:
    """Spreadsheet row numbers (header = row 1) of the True entries of ``mask``."""
    return (np.flatnonzero(mask.to_numpy(dtype=bool)) + 2).tolist()


def _parse_column(values: pd.Series, column: dict) -> tuple[pd.Series, list[Problem]]:
    name, dtype = column["name"], column["dtype"]
    if dtype not in DTYPES:
        raise IaptlabError(f"card column {name}: dtype must be one of {sorted(DTYPES)}")
    stripped = values.str.strip()
    blank = stripped == ""
    problems: list[Problem] = []
    if column.get("required", False):
        problems += [Problem(r, name, "is empty but the card requires a value") for r in _rows(blank)]
    if dtype == "str":
        parsed = stripped.where(~blank)
        filled = ~blank
        problems += _allowed_problems(stripped, filled, column)
        return parsed, problems
    numbers = pd.to_numeric(stripped.where(~blank), errors="coerce")
    not_number = ~blank & numbers.isna()
    problems += [Problem(r, name, f"{values.iloc[r - 2]!r} is not a number") for r in _rows(not_number)]
    if dtype == "int":
        fractional = numbers.notna() & (numbers % 1 != 0)
        problems += [Problem(r, name, f"{numbers.iloc[r - 2]} is not a whole number") for r in _rows(fractional)]
        numbers = numbers.where(~fractional)
    if "min" in column:
        low = numbers < column["min"]
        problems += [Problem(r, name, f"{numbers.iloc[r - 2]} is below the minimum {column['min']}") for r in _rows(low)]
    if "max" in column:
        high = numbers > column["max"]
        problems += [Problem(r, name, f"{numbers.iloc[r - 2]} is above the maximum {column['max']}") for r in _rows(high)]
    return numbers.astype(DTYPES[dtype]), problems


def _allowed_problems(values: pd.Series, filled: pd.Series, column: dict) -> list[Problem]:
    problems: list[Problem] = []
    if "allowed" in column:
        outside = filled & ~values.isin(column["allowed"])
        problems += [
            Problem(r, column["name"], f"{values.iloc[r - 2]!r} is not one of {column['allowed']}")
            for r in _rows(outside)
        ]
    if "pattern" in column:
        mismatch = filled & ~values.str.fullmatch(column["pattern"])
        problems += [
            Problem(r, column["name"], f"{values.iloc[r - 2]!r} does not match {column['pattern']}")
            for r in _rows(mismatch)
        ]
    return problems


def _key_problems(table: pd.DataFrame, spec: dict) -> list[Problem]:
    key = spec.get("key", [])
    if not key:
        return []
    duplicated = table.duplicated(subset=key, keep=False)
    return [Problem(r, "+".join(key), "duplicates another row's key") for r in _rows(duplicated)]


def _source_problems(table: pd.DataFrame, spec: dict, known: dict[str, dict]) -> list[Problem]:
    problems = [
        Problem(None, "source", f"card lists source {key!r}, which is not in {SOURCES_FILE}")
        for key in spec["sources"]
        if key not in known
    ]
    if "source" not in table.columns:
        return problems + [Problem(None, "source", "every dataset needs a source column")]
    unlisted = table["source"].notna() & ~table["source"].isin(spec["sources"])
    problems += [
        Problem(r, "source", f"{table['source'].iloc[r - 2]!r} is not among the card's sources")
        for r in _rows(unlisted)
    ]
    return problems


# ---------------------------------------------------------------------------------- citing


def _apa_authors(entry: dict) -> str:
    authors = list(entry.get("authors", []))
    if entry.get("et_al"):
        return ", ".join(authors) + ", et al."
    if len(authors) <= 1:
        return "".join(authors)
    if len(authors) > 20:
        return ", ".join(authors[:19]) + ", ... " + authors[-1]
    return ", ".join(authors[:-1]) + ", & " + authors[-1]


def _apa(entry: dict) -> str:
    """One APA 7-like reference in plain text (no italics)."""
    authors = _apa_authors(entry)
    date = entry["year"]
    if entry.get("date") and entry["type"] == "news":
        date = pd.Timestamp(entry["date"]).strftime("%Y, %B %-d")
    title = entry["title"]
    if entry.get("medium"):
        title += f" [{entry['medium']}]"
    if entry.get("version"):
        title += f" (Version {entry['version']})"
    where = entry.get("container", "")
    if [where] == entry.get("authors", []):  # APA omits a publisher that is also the author
        where = ""
    if entry["type"] == "article":
        where += f", {entry['volume']}" if entry.get("volume") else ""
        where += f"({entry['issue']})" if entry.get("issue") else ""
        where += f", {entry['pages'].replace('-', '–')}" if entry.get("pages") else ""
    parts = [f"{authors} ({date}). {title}." if authors else f"{title}. ({date})."]
    if where:
        parts.append(f"{where}.")
    if entry.get("doi"):
        parts.append(f"https://doi.org/{entry['doi']}")
    elif entry.get("url"):
        parts.append(entry["url"])
    if entry.get("unverified"):
        parts.append(UNVERIFIED_MARK)
    return " ".join(parts)


def _bibtex(key: str, entry: dict) -> str:
    kind = {"article": "article", "report": "techreport"}.get(entry["type"], "misc")
    fields = {
        "author": " and ".join(
            "{" + a + "}" if "," not in a else a for a in entry.get("authors", [])
        )
        + (" and others" if entry.get("et_al") else ""),
        "year": entry["year"],
        "title": "{" + entry["title"] + "}",
        ("journal" if kind == "article" else "howpublished"): entry.get("container", ""),
        "volume": entry.get("volume", ""),
        "number": entry.get("issue", ""),
        "pages": entry.get("pages", "").replace("-", "--"),
        "doi": entry.get("doi", ""),
        "url": entry.get("url", ""),
        "version": entry.get("version", ""),
        "note": "Confidence " + entry["confidence"] + (" " + UNVERIFIED_MARK if entry.get("unverified") else ""),
    }
    body = ",\n".join(f"  {field} = {{{value}}}" for field, value in fields.items() if value)
    return f"@{kind}{{{key},\n{body}\n}}"
