"""`iaptlab report`: numbers in the HTML checked against hand counts, disclosure control at its
edges, bad input, and a page that needs no network."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab import instruments
from iaptlab.cli import main
from iaptlab.disclosure import disclose, disclose_rates, show_counts, show_rates
from iaptlab.errors import ParameterError
from iaptlab.format import EMPTY_DENOMINATOR
from iaptlab.outcomes import PRESETS
from iaptlab.report import build_report, score_counts

HEADER = "episode_id,treatment_contacts,phq9_first,phq9_last,gad7_first,gad7_last"
# Hand classification under the IAPT rules (PHQ-9 caseness >= 10, GAD-7 >= 8; reliable change
# PHQ-9 drop >= 6, GAD-7 drop >= 4; finished = >= 2 treatment contacts):
EPISODES = [
    "A,6,16,6,12,4",   # finished, paired, case at first, both last below -> recovered; drops 10, 8 -> RI
    "B,1,15,,10,",     # 1 contact: not finished
    "C,4,18,15,14,13",  # case at first, PHQ-9 last 15 still case; drops 3, 1 -> no reliable change
    "D,5,8,3,5,2",     # not at caseness at first (8 < 10, 5 < 8); drops 5, 3 -> no reliable change
    "E,0,,,,",         # never attended
    "F,3,12,20,9,15",  # case at first; rises 8, 6 -> reliable deterioration
    "G,2,10,9,8,7",    # exactly at both cut-offs at first, 1 below at last -> recovered; drops 1, 1 -> NRC
    "H,2,20,14,3,3",   # PHQ-9 drop exactly 6 -> RI (>=), not under strict (>); last 14 still case
    "I,3,14,,10,5",    # finished but PHQ-9 last missing: not paired; case at first (14)
    "J,2,9,2,7,1",     # not at caseness at first; drops 7, 6 -> RI
]
# finished: A C D F G H I J = 8; paired among them: A C D F G H J = 7; at caseness: A C F G H = 5.
# recovered A, G -> 2/5; reliable recovery A -> 1/5; M192 denominator = finished 8 minus those known
# not at caseness (D, J) = 6 -> 2/6 and 1/6; over the 7 paired: RI A H J = 3, deterioration F = 1,
# no reliable change C D G = 3, mixed 0.
EXPECTED = {"recovered": ("2", "5", "40.0%"), "reliably recovered": ("1", "5", "20.0%"),
            "recovered (NHS Digital M192 denominator)": ("2", "6", "33.3%"),
            "reliably recovered (NHS Digital M192 denominator)": ("1", "6", "16.7%"),
            "reliably improved": ("3", "7", "42.9%"), "reliably deteriorated": ("1", "7", "14.3%"),
            "no reliable change": ("3", "7", "42.9%"), "mixed change": ("0", "7", "0.0%")}
INVALID = "K,3,30,5,10,4"  # PHQ-9 30 is out of range; it is data row 11, spreadsheet row 12


class Tables(HTMLParser):
    """Every <table> as (caption, rows of cell texts); plus the text of every <svg>."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self.tables[-1] = ("".join(self._caption), self.tables[-1][1])
            self._caption = None
        elif tag in ("td", "th"):
            self.tables[-1][1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        for buffer in (self._cell, self._caption):
            if buffer is not None:
                buffer.append(data)

    def table(self, caption_start: str) -> pd.DataFrame:
        (rows,) = [rows for cap, rows in self.tables if cap.startswith(caption_start)]
        return pd.DataFrame(rows[1:], columns=rows[0])


def write(tmp_path: Path, rows, name="episodes.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> str:
    src = write(tmp_path_factory.mktemp("r"), [*EPISODES, INVALID])
    return build_report(src, skip_invalid=True, generated="2026-01-02")


# ---------------------------------------------------------------- disclosure control


@pytest.mark.parametrize(("count", "shown"), [
    (0, "0"), (1, "*"), (2, "*"), (7, "*"),            # 0 stays; 1-7 suppressed, both edges
    (8, "10"), (10, "10"), (12, "10"), (13, "15"),      # 8 is the first shown; 12 down, 13 up
    (17, "15"), (18, "20"), (1_002_503, "1,002,505"), (1_002_502, "1,002,500")])
def test_disclose_edges(count, shown):
    assert disclose([count]) == [shown]


def test_disclose_is_vectorised_and_keeps_order():
    assert disclose(np.array([13, 0, 7, 8])) == ["15", "0", "*", "10"]
    assert disclose(pd.Series([], dtype=int)) == []


@pytest.mark.parametrize("bad", [-1, 2.5, float("nan"), float("inf")])
def test_disclose_refuses_non_counts(bad):
    with pytest.raises(ParameterError, match="whole numbers 0 or more"):
        disclose([3, bad])


@given(st.integers(min_value=8, max_value=10**9))
def test_disclosed_count_is_the_nearest_multiple_of_five(count):
    shown = int(disclose([count])[0].replace(",", ""))
    # the nearest multiple of 5 is unique for a whole number: |count - shown| <= 2 < 2.5
    assert shown % 5 == 0 and abs(count - shown) <= 2


@given(st.lists(st.integers(min_value=8, max_value=10**6), min_size=2, max_size=20))
def test_disclosure_never_reverses_order(counts):
    ordered = sorted(counts)
    shown = [int(s.replace(",", "")) for s in disclose(ordered)]
    assert shown == sorted(shown)


def test_rates_use_the_published_counts_and_are_suppressed_with_their_counts():
    # 13/40 is published as 15/40, so the rate shown is 37.5% (32.5% would pin 13/40); 9/10 is
    # published as 10/10 = 100.0% (90.0% of a rounded 10 would pin 9)
    # suppressed numerator (3), suppressed denominator (5, with numerator 2 and with 0), 0 kept, 0/0
    assert show_rates([13, 9, 3, 2, 0, 0, 0], [40, 10, 40, 5, 5, 40, 0], True) == [
        "37.5%", "100.0%", "*", "*", "*", "0.0%", EMPTY_DENOMINATOR]
    assert show_rates([13, 3], [40, 40], False) == ["32.5%", "7.5%"]
    with pytest.raises(ParameterError, match="larger than its denominator"):
        show_rates([5], [4], False)


def test_disclose_rates_table():
    table = pd.DataFrame({"outcome": ["a", "b"], "numerator": [13, 0], "denominator": [40, 7],
                          "rate": [13 / 40, 0.0]})
    shown = disclose_rates(table)
    assert shown[["numerator", "denominator", "rate"]].to_numpy().tolist() == [["15", "40", "37.5%"],
                                                                               ["0", "*", "*"]]
    assert show_counts([1234, 3], False) == ["1,234", "3"]


# ---------------------------------------------------------------- the report's numbers


def test_rates_table_matches_hand_counts(report):
    rates = Tables(report).table("Outcome rates").set_index("outcome")
    for outcome, (num, den, rate) in EXPECTED.items():
        assert tuple(rates.loc[outcome, ["numerator", "denominator", "rate"]]) == (num, den, rate), outcome
    assert "M192" in rates.loc["recovered (NHS Digital M192 denominator)", "denominator in words"]


def test_counts_funnel_and_excluded_rows(report):
    tables = Tables(report)
    counts = tables.table("Rows read").set_index("rows")["count"]
    assert counts.tolist() == ["11", "10", "1"]
    funnel = tables.table("Attrition funnel")
    # referred 10; >= 1 contact: all but E = 9; finished 8; paired 7; at caseness 5; recovered 2
    assert funnel["count"].tolist() == ["10", "9", "8", "7", "5", "2"]
    assert funnel["% of referrals"].tolist() == ["100.0%", "90.0%", "80.0%", "70.0%", "50.0%", "20.0%"]
    excluded = tables.table("Excluded rows")
    assert excluded["row"].tolist() == ["12"] and "phq9_first" in excluded["reason"][0]


def test_rules_table_states_thresholds(report):
    rules = Tables(report).table("Thresholds").set_index("measure")
    assert rules.loc["PHQ-9"].tolist() == ["score >= 10", "change >= 6"]
    assert rules.loc["GAD-7"].tolist() == ["score >= 8", "change >= 4"]
    assert rules.loc["MI", "caseness"] == "score > 2.3"


def test_score_distribution_tables(report):
    phq = Tables(report).table("PHQ-9: episodes at each score").set_index("score")
    # first PHQ-9 scores of the 10 valid rows: 16 15 18 8 - 12 10 20 14 9 (one missing)
    # last: 6 - 15 3 - 20 9 14 - 2 (three missing)
    assert phq.loc["16", "first"] == "1" and phq.loc["0", "first"] == "0"
    assert phq.loc["missing"].tolist() == ["1", "3"]
    assert phq["first"].iloc[:-1].astype(int).sum() == 9
    assert len(phq) == 28 + 1  # scores 0-27 and missing


def test_score_counts_bins_whole_scores():
    t = pd.DataFrame({"gad7_first": [0.0, 21.0, 21.0, np.nan], "gad7_last": [np.nan] * 4})
    counts = score_counts(t, instruments.GAD7).set_index("score")
    assert counts.loc[["0", "21", "missing"], "first"].tolist() == [1, 2, 1]
    assert counts.loc["missing", "last"] == 4


def test_strict_rules_change_reliable_improvement(tmp_path):
    html = build_report(write(tmp_path, EPISODES), generated="x", rules=PRESETS["iapt-strict"])
    tables = Tables(html)
    # H's PHQ-9 drop of exactly 6 no longer counts: RI = A, J
    assert tables.table("Outcome rates").set_index("outcome").loc["reliably improved", "numerator"] == "2"
    assert tables.table("Thresholds").set_index("measure").loc["PHQ-9", "reliable change"] == "change > 6"


# ---------------------------------------------------------------- page structure


def test_page_is_self_contained_and_accessible(report):
    assert report.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in report
    assert "<script" not in report.lower() and report.count("<style>") == 1
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//)""", report, re.IGNORECASE)
    assert "<link" not in report.lower() and "@import" not in report and "url(http" not in report
    svgs = re.findall(r"<svg[^>]*>\s*<title>[^<]+</title>", report)
    assert len(svgs) == report.count("<svg") == 4  # rates, funnel, PHQ-9, GAD-7
    assert all('role="img"' in s and 'aria-label="' in s for s in svgs)
    for svg in re.findall(r"<svg.*?</svg>", report, re.S):  # one image: nothing inside has a role
        assert svg.count("role=") == 1 and svg.count("aria-") == 1
    figures = re.findall(r"<figure>.*?</figure>", report, re.DOTALL)
    assert len(figures) == 4 and all("<svg" in f and "<table" in f for f in figures)


def test_chart_labels_carry_the_same_numbers(report):
    assert "2/5 = 40.0%" in report  # the rates chart's ARIA label
    assert "2/6 (33.3%)" in report  # drawn label on the M192 bar


def test_limits_section_and_sources(report):
    limits = report[report.index("What this report cannot show"):]
    for words in ("No blind diagnostic assessment", "No comparison group", "23%", "regression to the mean",
                  "therapist present", "PHQ-9 and one anxiety measure", "Whiteford, H. A."):
        assert words in limits, words


def _visible_text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>|<title>.*?</title>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_headline_comes_first_with_the_rates_that_matter(report):
    main = report[report.index("<main>"):]
    assert re.match(r"<main><section id='headline'", main)
    headline = Tables(main[:main.index("<section id='rates'")]).table("The rates that matter").set_index("outcome")
    expected = {"recovered": ("2", "5", "40.0%"), "reliably recovered": ("1", "5", "20.0%"),
                "reliably improved": ("3", "7", "42.9%"), "reliably deteriorated": ("1", "7", "14.3%")}
    assert list(headline.index) == list(expected)
    for outcome, counts in expected.items():
        assert tuple(headline.loc[outcome, ["people", "out of", "rate"]]) == counts
    assert (headline["caution"] == "small number").all()  # 5 and 7 are below 30
    box = _visible_text(main[:main.index("<section id='rates'")])
    for words in ("Small numbers.", "fewer than 30", "No comparison group", "Self-report", "Who is missing",
                  "of 10 referrals, 7 finished a course with paired scores"):
        assert words in box, words


def _finishers(tmp_path, n: int, dc: bool) -> str:
    rows = [f"R{i},6,16,6,12,4" for i in range(n)]  # n finishers at caseness, all recovered
    return build_report(write(tmp_path, rows, name=f"f{n}.csv"), disclosure_control=dc, generated="x")


@pytest.mark.parametrize(("n", "dc", "caution"), [
    (29, False, True), (30, False, False),   # below 30 is small; 30 is not
    (32, True, True), (33, True, False),     # under disclosure control the shown 30 may be 28: small
])
def test_small_number_caution_at_its_threshold(tmp_path, n, dc, caution):
    html = _finishers(tmp_path, n, dc)
    headline = Tables(html).table("The rates that matter")
    assert (headline["caution"] == "small number").tolist() == [caution] * 4
    assert ("Small numbers." in html) is caution


def test_outcome_and_stage_names_are_words(report):
    text = _visible_text(report)
    codes = re.findall(r"\b(?:reliable|no_reliable|mixed|finished|entered|diagnosis)_\w+", text)
    assert codes == []
    assert "reliably recovered" in text and "no reliable change" in text


def test_histogram_axes_count_whole_episodes(report):
    # one or two episodes per score: Vega's own axis would tick at 0.5
    for name in ("PHQ-9", "GAD-7"):
        svg = re.search(rf'<svg role="img" aria-label="{name} scores.*?</svg>', report, re.S).group(0)
        ticks = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert "1" in ticks and not [t for t in ticks if re.fullmatch(r"\d+\.\d+", t)], ticks


def test_tables_print_in_full(report):
    assert "class=\"scroll\"" not in report and "overflow:auto" not in report and "max-height" not in report
    css = report[report.index("<style>"):report.index("</style>")]
    print_css = css[css.index("@media print"):]
    assert "@page{size:A4" in print_css and "break-inside:avoid" in print_css
    assert "thead{display:table-header-group}" in print_css  # a long table repeats its header


def test_output_is_deterministic_given_the_date(tmp_path):
    src = write(tmp_path, EPISODES[:4])
    first = build_report(src, generated="2026-01-02", title="A&B <clinic>")
    assert first == build_report(src, generated="2026-01-02", title="A&B <clinic>")
    assert "<h1>A&amp;B &lt;clinic&gt;</h1>" in first and "2026-01-02" in first


def test_disclosure_control_applies_to_every_count(tmp_path):
    # 13 recover, 27 stay at caseness (40 finishers at caseness), 3 never attend: 43 referrals
    rows = [f"R{i},6,16,6,12,4" for i in range(13)] + [f"S{i},6,18,15,14,13" for i in range(27)]
    rows += [f"N{i},0,,,," for i in range(3)]
    html = build_report(write(tmp_path, rows), disclosure_control=True, generated="x")
    tables = Tables(html)
    rates = tables.table("Outcome rates").set_index("outcome")
    # 13/40 published as 15/40: the rate is that of the published counts, 37.5%, not 32.5%
    assert rates.loc["recovered", ["numerator", "denominator", "rate"]].tolist() == ["15", "40", "37.5%"]
    assert rates.loc["mixed change", ["numerator", "rate"]].tolist() == ["0", "0.0%"]
    assert "15/40 (37.5%)" in html and "13/40" not in html and "13/" not in html and "32.5" not in html
    assert tables.table("Rows read").set_index("rows")["count"].tolist() == ["45", "45", "0"]
    assert tables.table("Attrition funnel")["count"].tolist() == ["45", "40", "40", "40", "40", "15"]
    assert "counts from 1 to 7 are shown as *" in html
    for caption, rows_ in tables.tables:  # every count cell is 0, * or a multiple of 5
        if caption.startswith(("Rows read", "Attrition funnel", "PHQ-9:", "GAD-7:")):
            for row in rows_[1:]:
                for cell in row[1:2] if caption.startswith(("Rows", "Attrition")) else row[1:]:
                    assert cell in ("0", "*") or int(cell.replace(",", "")) % 5 == 0, (caption, row)
    phq = tables.table("PHQ-9: episodes at each score").set_index("score")
    # 3 first scores missing (*); 13 at 16 (15) is the smallest other count in the column, so it is
    # hidden too (secondary suppression), else 45 - 25 - 15 would bound the 3
    assert phq.loc[["16", "18", "6", "missing"], "first"].tolist() == ["*", "25", "0", "*"]


def test_disclosure_control_summarises_excluded_rows(tmp_path):
    html = build_report(write(tmp_path, [*EPISODES, INVALID]), skip_invalid=True, disclosure_control=True,
                        generated="x")
    assert "not listed one by one" in html and "K," not in html
    by_column = Tables(html).table("Excluded rows by column").set_index("column")
    assert by_column.loc["phq9_first", "rows with a problem"] == "*"


@pytest.mark.parametrize("extra", [0, 1, 13])
def test_excluded_rows_listed_up_to_the_limit_and_counted_beyond_it(tmp_path, extra):
    from iaptlab.report import EXCLUDED_LISTED

    n = EXCLUDED_LISTED + extra  # at the limit, one over, several over
    bad = [f"X{i},3,30,5,10,4" if i % 2 else f"X{i},3,12,5,10,40" for i in range(n)]  # PHQ-9 / GAD-7 out of range
    bad[0] = "X0,-1,30,5,10,40"  # three problems on one row: counted once per column
    html = build_report(write(tmp_path, [*EPISODES, *bad]), skip_invalid=True, generated="x")
    listed = Tables(html).table("Excluded rows")
    assert listed["row"].tolist() == [str(r) for r in range(12, 12 + EXCLUDED_LISTED)]
    assert listed["reason"].iloc[0].startswith("treatment_contacts: ")
    assert (f"… and {extra:,} more excluded rows not listed." in html) is (extra > 0)
    rows = Tables(html).table("Rows read").set_index("rows")["count"]
    assert rows.tolist() == [f"{10 + n}", "10", f"{n}"]
    hidden = build_report(write(tmp_path, [*EPISODES, *bad]), skip_invalid=True, generated="x",
                          disclosure_control=True)
    by_column = Tables(hidden).table("Excluded rows by column").set_index("column")["rows with a problem"]
    phq, gad = n // 2 + 1, (n + 1) // 2  # odd rows and X0; even rows (X0 among them)
    assert by_column.to_dict() == {"gad7_last": disclose([gad])[0], "phq9_first": disclose([phq])[0],
                                   "treatment_contacts": "*"}


# ---------------------------------------------------------------- command line


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_report(tmp_path, capsys):
    src = write(tmp_path, EPISODES)
    code, out, err = run(["report", src, "-o", tmp_path / "r.html", "--title", "Clinic X"], capsys)
    assert code == 0, err
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<h1>Clinic X</h1>" in html and "r.html" in out
    assert run(["report", src], capsys)[0] == 0
    assert (tmp_path / "episodes_report.html").exists()


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    src = write(tmp_path, [*EPISODES, INVALID, "L,-2,10,5,9,3"])
    target = tmp_path / "r.html"
    code, _, err = run(["report", src, "-o", target], capsys)
    assert code == 2 and not target.exists()
    assert "row 12, column phq9_first" in err and "row 13, column treatment_contacts" in err
    assert run(["report", tmp_path / "missing.csv", "-o", target], capsys)[0] == 2
    assert not target.exists()


def test_cli_skip_invalid_and_never_overwrites_input(tmp_path, capsys):
    src = write(tmp_path, [*EPISODES, INVALID])
    before = src.read_bytes()
    code, _, err = run(["report", src, "-o", src, "--skip-invalid"], capsys)
    assert code == 2 and "refusing to overwrite the input" in err and src.read_bytes() == before
    code, _, err = run(["report", src, "-o", tmp_path / "r.html", "--skip-invalid", "--disclosure-control",
                        "--rules", "iapt-strict"], capsys)
    assert code == 0, err
    assert "IAPT (strict)" in (tmp_path / "r.html").read_text(encoding="utf-8")
