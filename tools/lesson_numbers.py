"""Every number a lesson shows when it runs, and which of them changed between two versions.

A change to the simulator or to a rule moves numbers all over the workbook; this tool lists them so
that a closing note can say "every lesson number that changes" and the prose can be checked.

Usage::

    python tools/lesson_numbers.py snapshot before.json            # run every lesson (00-10)
    python tools/lesson_numbers.py snapshot after.json --lessons 05 07
    python tools/lesson_numbers.py diff before.json after.json     # a Markdown table of changes

``snapshot`` executes each authored lesson (``notebooks/NN_*.ipynb``) in a fresh kernel with the
SVG renderer (as the site build does) and keeps, per code cell, the text of its outputs: plain
text, HTML and Markdown with tags and style sheets removed, and each SVG chart's ``<title>`` and
ARIA labels (Vega labels each mark with its data values and each axis with its domain). ``diff`` compares two snapshots cell by cell (cells are matched by their ids),
sentence by sentence, and prints one table row per sentence whose numbers changed, with the
numbers before and after; sentences whose numbers are unchanged are not listed.

>>> numbers_in("Recovery 51.2% of 1,003 (was 50%)")
['51.2', '1003', '50']
>>> sentences("A is 1. B is 2.5.\\nC")
['A is 1.', 'B is 2.5.', 'C']
>>> text_of({"output_type": "stream", "text": "x = 3\\n"})
'x = 3'
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])|\n+")
_SVG_LABEL = re.compile(r'<title>(.*?)</title>|aria-label="([^"]*)"', re.S)
_INVISIBLE = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)


def numbers_in(text: str) -> list[str]:
    """The numbers written in ``text``, thousands separators removed, in order."""
    return [match.replace(",", "") for match in _NUMBER.findall(text)]


def sentences(text: str) -> list[str]:
    """``text`` split into sentences and lines, each stripped, empty ones dropped."""
    return [part.strip() for part in _SENTENCE.split(text) if part and part.strip()]


def _plain(markup: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", markup)))).strip()


def text_of(output: dict) -> str:
    """The readable text of one notebook output (chart JSON and images other than SVG ignored)."""
    if output.get("output_type") == "stream":
        return str(output.get("text", "")).strip()
    data = output.get("data", {})
    parts: list[str] = []
    if "image/svg+xml" in data:
        svg = "".join(data["image/svg+xml"])
        # a chart's numbers: its title and every ARIA label (axes give their domain, marks their values)
        parts += [html.unescape(a or b).strip() for a, b in _SVG_LABEL.findall(svg)]
    if "text/html" in data:
        parts.append(_plain("".join(data["text/html"])))
    elif "text/markdown" in data:
        parts.append(_plain("".join(data["text/markdown"])))
    elif "text/plain" in data and not parts:
        parts.append(str("".join(data["text/plain"])).strip())
    if output.get("output_type") == "error":
        parts.append(f"ERROR {output.get('ename')}: {output.get('evalue')}")
    return "\n".join(part for part in parts if part)


def lesson_paths(lessons: list[str] | None) -> list[Path]:
    """The authored lesson notebooks, all or those whose number is in ``lessons``."""
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return [p for p in paths if lessons is None or p.name[:2] in lessons]


def snapshot(paths: list[Path], timeout: int = 900) -> dict[str, dict[str, str]]:
    """Run each notebook in a fresh kernel; ``{notebook: {cell id: output text}}``."""
    from nbclient import NotebookClient

    os.environ["IAPTLAB_RENDERER"] = "svg"
    result: dict[str, dict[str, str]] = {}
    for path in paths:
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        cells = {}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                text = "\n".join(filter(None, (text_of(o) for o in cell.get("outputs", []))))
                if text:
                    cells[cell.get("id") or f"cell-{index}"] = text
        result[path.name] = cells
        print(f"{path.name}: {len(cells)} cells with output, {time.perf_counter() - start:.0f} s",
              file=sys.stderr)
    return result


def _short(text: str, limit: int = 220) -> str:
    text = text.replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changes(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]
            ) -> list[tuple[str, str, str, str]]:
    """(notebook, cell id, sentence before, sentence after) for every sentence whose numbers changed.

    >>> changes({"a": {"c": "Rate 50%. Same 3."}}, {"a": {"c": "Rate 49%. Same 3."}})
    [('a', 'c', 'Rate 50%.', 'Rate 49%.')]
    """
    rows = []
    for notebook in sorted(set(before) | set(after)):
        cells_before, cells_after = before.get(notebook, {}), after.get(notebook, {})
        for cell in list(cells_before) + [c for c in cells_after if c not in cells_before]:
            old, new = sentences(cells_before.get(cell, "")), sentences(cells_after.get(cell, ""))
            matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag == "equal":
                    continue
                a, b = " ".join(old[i1:i2]), " ".join(new[j1:j2])
                if numbers_in(a) != numbers_in(b):
                    rows.append((notebook, cell, a, b))
    return rows


def markdown_table(rows: list[tuple[str, str, str, str]]) -> str:
    """The changes as a Markdown table (lesson, cell, before, after)."""
    lines = ["| lesson | cell | before | after |", "|---|---|---|---|"]
    lines += [f"| {nb[:2]} | {cell} | {_short(a) or '(none)'} | {_short(b) or '(none)'} |"
              for nb, cell, a, b in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="run the lessons and save the text of their outputs")
    snap.add_argument("out", type=Path)
    snap.add_argument("--lessons", nargs="*", help="lesson numbers, e.g. 05 07 (default: all)")
    diff = sub.add_parser("diff", help="the sentences whose numbers changed, as a Markdown table")
    diff.add_argument("before", type=Path)
    diff.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        data = snapshot(lesson_paths(args.lessons))
        args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        return 0
    rows = changes(json.loads(args.before.read_text(encoding="utf-8")),
                   json.loads(args.after.read_text(encoding="utf-8")))
    print(markdown_table(rows))
    print(f"\n{len(rows)} sentences with changed numbers.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
