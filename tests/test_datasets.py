"""Tests for iaptlab.datasets and the bundled data files.

Expected numbers below are typed in from the sources (each row's ``source`` in data/sources.toml) or worked
out by hand in the comment beside them; none is copied from the code under test.
"""

from __future__ import annotations

import math
import re
import shutil
import socket
import tempfile
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab import datasets
from iaptlab.datasets import DatasetError
from iaptlab.errors import IaptlabError

DATA = Path(str(resources.files("iaptlab.data")))
EXPECTED = {
    "assessment_bias", "claims", "glossary", "harm_and_function", "instrument_accuracy",
    "meaningful_change", "national_2014_15_subgroup", "national_annual", "national_breaks",
    "natural_course", "service_user_views", "service_variation", "standard_history", "wsas_scoring",
}
#: Every dataset that records findings (each row has a confidence); the glossary defines terms.
FACT_TABLES = EXPECTED - {"glossary"}


def published_round(numerator: float, denominator: float) -> float:
    """A percentage as the statistics publish it (one decimal)."""
    return numerator / denominator * 100


def matches_published(numerator: float, denominator: float, published: float) -> bool:
    # A published one-decimal rate is right if the exact ratio lies within half a unit of it.
    return abs(published_round(numerator, denominator) - published) <= 0.05 + 1e-9


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def edit_cell(folder: Path, file: str, row: int, column: str, value: str) -> None:
    """Change one cell; ``row`` counts like a spreadsheet (header = 1)."""
    table = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
    table.loc[row - 2, column] = value
    table.to_csv(folder / file, index=False)


# ------------------------------------------------------------------------- files and cards


def test_names_lists_every_dataset_and_every_csv_has_a_card():
    assert set(datasets.names()) == EXPECTED
    csvs = {p.name[:-4] for p in DATA.glob("*.csv")}
    # example_episodes.csv is a fictional episode table for lesson 00 (no facts about the world,
    # no source column), added by another module's author; every other CSV needs a card.
    assert csvs - {"example_episodes"} == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_csv_matches_its_card(name):
    table = datasets.load(name)
    spec = datasets.card(name)
    assert list(table.columns) == [c["name"] for c in spec["columns"]]
    wanted = {"str": "str", "int": "Int64", "float": "float64"}
    for column in spec["columns"]:
        series = table[column["name"]]
        if column["dtype"] == "str":
            assert pd.api.types.is_string_dtype(series), column["name"]
        else:
            assert str(series.dtype) == wanted[column["dtype"]], column["name"]
        numbers = series if column["dtype"] != "str" else None
        if numbers is not None and "min" in column:
            assert (numbers.dropna() >= column["min"]).all()
        if numbers is not None and "max" in column:
            assert (numbers.dropna() <= column["max"]).all()
        if column.get("required"):
            assert series.notna().all(), column["name"]
    for field in ("title", "description", "licence", "confidence", "caveats", "sources"):
        assert spec[field], field


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_row_source_resolves_and_every_card_source_is_used(name):
    table = datasets.load(name)
    known = datasets.sources()
    assert table["source"].isin(list(known)).all()
    assert set(table["source"]) == set(datasets.card(name)["sources"])
    if name in FACT_TABLES:
        assert set(table["confidence"]) <= {"C", "S", "D"}
    else:
        assert "confidence" not in table.columns


@pytest.mark.parametrize("name", sorted(FACT_TABLES))
def test_no_row_is_more_certain_than_its_source(name):
    # A figure read only in a secondary source (source confidence S) cannot be C in a row.
    table = datasets.load(name)
    known = datasets.sources()
    from_secondary = table["source"].map(lambda key: known[key]["confidence"]) == "S"
    assert (table.loc[from_secondary, "confidence"] == "S").all()


def test_every_source_entry_is_complete():
    known = datasets.sources()
    licence_names = datasets.licences()
    for key, entry in known.items():
        for field in ("type", "authors", "year", "title", "confidence", "licence", "metadata"):
            assert field in entry, (key, field)
        assert entry["licence"] in licence_names, key
        assert entry["confidence"] in {"C", "S"}, key
        assert re.fullmatch(r"\d{4}|n\.d\.", entry["year"]), key
        if entry.get("doi"):
            assert entry["doi"].startswith("10."), key


def test_nhs_figures_carry_the_ogl_attribution():
    text = "Contains public sector information licensed under the Open Government Licence v3.0"
    assert text in datasets.licences()["ogl"]
    for name in ("national_annual", "national_breaks", "national_2014_15_subgroup"):
        assert text in datasets.card(name)["licence"]


def test_derived_rows_show_their_derivation():
    for name in sorted(FACT_TABLES):
        table = datasets.load(name)
        derived = table[table["confidence"] == "D"]
        if "note" in table.columns:
            assert derived["note"].str.contains("Derived").all(), name


# ------------------------------------------------------------------------- no UNCONFIRMED values


def test_unconfirmed_national_cells_stay_empty():
    by_year = datasets.load("national_annual").groupby("year").first()
    # 2013-14 recovery %, 2022-23 referrals, reliable improvement from 2019-20 onwards were not
    # confirmed in any source read: they must be blank, not guessed.
    assert math.isnan(by_year.loc["2013-14", "recovery_rate_pct"])
    assert pd.isna(by_year.loc["2022-23", "referrals_received"])
    later = ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
    assert by_year.loc[later, "reliable_improvement_rate_pct"].isna().all()


def test_no_unconfirmed_number_from_the_dossier_appears():
    # Recollections the dossier marks UNCONFIRMED: IES-R thresholds 33/9, PHQ-9 alpha 0.86 and
    # retest 0.84, PRaCTICED ~510 randomised, 2023-24 reliable recovery 47% (secondary only).
    change = datasets.load("meaningful_change")
    assert not change["reduction"].isin([33, 9, 0.86, 0.84]).any()
    claims = datasets.load("claims")
    assert not claims["value"].isin([510, 47]).any()
    history = datasets.load("standard_history")
    assert not history["value_pct"].isin([47]).any()  # psyreflect's 2023-24 'reliable recovery'
    for name in sorted(EXPECTED):
        table = datasets.load(name)
        text_columns = [c for c in table.columns if c not in ("note",)]
        as_text = table[text_columns].astype(str)
        assert not as_text.apply(lambda s: s.str.contains("UNCONFIRMED")).any().any(), name


def test_one_value_per_year_and_column_in_national_annual():
    table = datasets.load("national_annual")
    numbers = table.select_dtypes("number").notna()
    filled_per_year = numbers.groupby(table["year"]).sum()
    assert (filled_per_year <= 1).all().all()
    assert table["year"].nunique() == 12  # 2012-13 ... 2023-24


# ------------------------------------------------------------------------- recomputed cross-checks


def test_published_recovery_rates_recompute():
    by_year = datasets.load("national_annual").groupby("year").first()
    row = by_year.loc["2014-15"]
    # 189,152 / 421,744 = 44.85% -> published 44.8 (within half a unit)
    assert (row["recovered"], row["finished_at_caseness"]) == (189152, 421744)
    assert matches_published(row["recovered"], row["finished_at_caseness"], 44.8)
    row = by_year.loc["2016-17"]
    # 259,000 / 525,000 = 49.33% -> 49.3
    assert matches_published(row["recovered"], row["finished_at_caseness"], 49.3)
    assert row["recovery_rate_pct"] == 49.3


def test_subgroup_rates_recompute_and_caseness_gap_is_visible():
    sub = datasets.load("national_2014_15_subgroup").set_index("subgroup")
    assert matches_published(80608, sub.loc["anxiety and stress-related disorders", "finished_at_caseness"], 47.8)
    assert matches_published(38509, sub.loc["depression", "finished_at_caseness"], 44.6)
    het = sub.loc["heterosexual"]
    unknown = het["finished_course"] - het["finished_at_caseness"] - het["finished_not_at_caseness"]
    assert unknown == 265833 - 238253 - 26282 == 1298
    at_caseness = het["recovered"] / het["finished_at_caseness"] * 100  # 126,891/238,253 = 53.26
    published_style = het["recovered"] / (het["finished_course"] - het["finished_not_at_caseness"]) * 100
    assert round(at_caseness, 1) == 53.3 and round(published_style, 1) == 53.0
    assert pd.isna(het["recovery_rate_pct"])  # deliberately not stored


def test_subgroups_are_not_larger_than_the_national_total():
    sub = datasets.load("national_2014_15_subgroup").set_index("subgroup")
    national = sub.loc["England"]
    parts = sub.drop(index="England")
    assert (parts["finished_at_caseness"] <= national["finished_at_caseness"]).all()
    assert (parts["recovered"] <= national["recovered"]).all()


def test_finished_over_referrals_matches_the_dossier_bands():
    by_year = datasets.load("national_annual").groupby("year").first()
    ratio = by_year["finished_course"] / by_year["referrals_received"] * 100
    # Worked out by hand from the published counts: 567,000/1,386,000 = 40.9 etc.
    dossier = {"2016-17": 40.9, "2017-18": 38.5, "2019-20": 35.9, "2020-21": 43.5,
               "2021-22": 36.7, "2023-24": 36.9}
    for year, expected in dossier.items():
        assert abs(ratio[year] - expected) <= 0.05, year
    assert ratio.dropna().between(30, 50).all()
    assert abs(ratio["2023-24"] - 37) < 0.5  # Nuffield Trust: "only 37%"


def test_pipeline_counts_never_grow_down_the_funnel():
    by_year = datasets.load("national_annual").groupby("year").first()
    funnel = ["referrals_received", "entered_treatment", "finished_course",
              "finished_at_caseness", "recovered"]
    for upper, lower in zip(funnel, funnel[1:], strict=False):
        both = by_year[[upper, lower]].dropna()
        assert (both[lower] <= both[upper]).all(), (upper, lower)


def test_derived_2022_23_finishers_fit_the_published_change():
    by_year = datasets.load("national_annual").groupby("year").first()
    change = (671648 / by_year.loc["2022-23", "finished_course"] - 1) * 100
    assert -0.15 <= change <= -0.05  # "down 0.1%", itself rounded


def test_rates_stay_in_their_published_range():
    rates = datasets.load("national_annual")["recovery_rate_pct"].dropna()
    assert rates.between(42.8, 52.1).all()  # lowest 2012-13, highest 2018-19 in the releases read


def test_accuracy_intervals_contain_their_estimates():
    acc = datasets.load("instrument_accuracy")
    for measure in ("sensitivity", "specificity"):
        rows = acc.dropna(subset=[f"{measure}_ci_low_pct"])
        assert (rows[f"{measure}_ci_low_pct"] <= rows[f"{measure}_pct"]).all()
        assert (rows[f"{measure}_pct"] <= rows[f"{measure}_ci_high_pct"]).all()
    bias = datasets.load("assessment_bias").dropna(subset=["ci_low"])
    assert ((bias["ci_low"] <= bias["estimate"]) & (bias["estimate"] <= bias["ci_high"])).all()
    change = datasets.load("meaningful_change").dropna(subset=["reduction_ci_low"])
    assert ((change["reduction_ci_low"] <= change["reduction"]) & (change["reduction"] <= change["reduction_ci_high"])).all()


def test_other_recomputable_figures():
    natural = datasets.load("natural_course").dropna(subset=["numerator"])
    assert matches_published(natural["numerator"].iloc[0], natural["denominator"].iloc[0], 19.7)  # 15/76
    bias = datasets.load("assessment_bias").set_index(["source", "effect_measure"])
    ror = bias.loc[("hrobjartsson_2012", "ratio of odds ratios"), "estimate"]
    exaggeration = bias.loc[("hrobjartsson_2012", "exaggeration of the odds ratio (%)"), "estimate"]
    assert math.isclose((1 - ror) * 100, exaggeration)  # 1 - 0.64 = 36%
    claims = datasets.load("claims").set_index("claim_id")
    assert claims.loc["scott_staff_cost", "value"] == 13000 * 35000  # = 455,000,000
    assert claims.loc["scott_staff_needed", ["value", "value_high"]].tolist() == [8000 + 3800, 8000 + 6000]
    assert claims.loc["scott_2018_9_2_percent", "confidence"] == "S"
    assert 90 * 0.092 % 1 != 0  # the point made in the claim's note: 8.28 people


def test_iapt_thresholds_agree_with_instruments_module():
    from iaptlab.instruments import GAD7, PHQ9

    change = datasets.load("meaningful_change")
    rc = change[change["quantity"] == "reliable change threshold"].set_index("instrument")["reduction"]
    assert rc["PHQ-9"] == PHQ9.reliable_change and rc["GAD-7"] == GAD7.reliable_change


# ------------------------------------------------------------------------- validation errors


def test_out_of_range_value_names_file_row_and_column(data_copy):
    edit_cell(data_copy, "national_annual.csv", 5, "recovery_rate_pct", "100.1")
    with pytest.raises(DatasetError) as caught:
        datasets.load("national_annual", data_dir=data_copy)
    message = str(caught.value)
    assert "national_annual.csv: row 5, column recovery_rate_pct" in message
    assert caught.value.problems[0].row == 5


def test_range_limits_are_inclusive(data_copy):
    edit_cell(data_copy, "national_annual.csv", 5, "recovery_rate_pct", "100")
    edit_cell(data_copy, "national_annual.csv", 6, "recovery_rate_pct", "0")
    edit_cell(data_copy, "instrument_accuracy.csv", 2, "cut_off", "27")
    assert datasets.load("national_annual", data_dir=data_copy)["recovery_rate_pct"].max() == 100
    datasets.load("instrument_accuracy", data_dir=data_copy)
    edit_cell(data_copy, "national_annual.csv", 6, "recovery_rate_pct", "-0.1")
    with pytest.raises(DatasetError, match="row 6, column recovery_rate_pct: -0.1 is below"):
        datasets.load("national_annual", data_dir=data_copy)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("referrals_received", "1.44m", "is not a number"),
        ("referrals_received", "1440000.5", "is not a whole number"),
        ("confidence", "UNCONFIRMED", "is not one of"),
        ("source", "somebody_said", "is not among the card's sources"),
        ("year", "", "is empty but the card requires a value"),
        ("year", "2024-25", "is not one of"),
    ],
)
def test_bad_cells_are_reported(data_copy, column, value, reason):
    edit_cell(data_copy, "national_annual.csv", 3, column, value)
    with pytest.raises(DatasetError) as caught:
        datasets.load("national_annual", data_dir=data_copy)
    assert f"national_annual.csv: row 3, column {column}: " in str(caught.value)
    assert reason in str(caught.value)


def test_missing_and_extra_columns_are_reported(data_copy):
    table = pd.read_csv(data_copy / "claims.csv", dtype=str, keep_default_na=False)
    table.drop(columns="evidence").assign(extra="x").to_csv(data_copy / "claims.csv", index=False)
    with pytest.raises(DatasetError) as caught:
        datasets.load("claims", data_dir=data_copy)
    columns = {(p.row, p.column) for p in caught.value.problems}
    assert columns == {(None, "evidence"), (None, "extra")}


def test_a_row_with_too_many_fields_is_reported_not_shifted(data_copy):
    path = data_copy / "national_breaks.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2] + ",surplus"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="row 3: has 7 fields but the header has 6"):
        datasets.load("national_breaks", data_dir=data_copy)


def test_duplicate_key_and_unknown_card_source_are_reported(data_copy):
    edit_cell(data_copy, "claims.csv", 3, "claim_id", "recovery_standard")
    with pytest.raises(DatasetError, match="row 2, column claim_id: duplicates"):
        datasets.load("claims", data_dir=data_copy)
    card_path = data_copy / "natural_course.card.toml"
    card_path.write_text(card_path.read_text().replace('"posternak_miller_2001"]', '"posternak_miller_2001", "nobody_2099"]'))
    with pytest.raises(DatasetError, match="nobody_2099"):
        datasets.load("natural_course", data_dir=data_copy)


def test_unknown_dataset_name_lists_what_exists():
    with pytest.raises(IaptlabError, match="available: assessment_bias"):
        datasets.load("national_monthly")


@settings(max_examples=25, deadline=None)
@given(value=st.integers(min_value=-5, max_value=105))
def test_integer_range_property(value):
    # Invariant: a value loads if and only if it lies within the card's [min, max].
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copy(DATA / "sources.toml", root / "sources.toml")
        (root / "toy.card.toml").write_text(
            'name = "toy"\ntitle = "t"\nfile = "toy.csv"\nsources = ["clark_2018"]\n'
            '[[columns]]\nname = "n"\ndtype = "int"\nmin = 0\nmax = 100\n'
            '[[columns]]\nname = "source"\ndtype = "str"\nrequired = true\n'
        )
        (root / "toy.csv").write_text(f"n,source\n{value},clark_2018\n")
        if 0 <= value <= 100:
            assert datasets.load("toy", data_dir=root)["n"].iloc[0] == value
        else:
            with pytest.raises(DatasetError, match="row 2, column n"):
                datasets.load("toy", data_dir=root)


# ------------------------------------------------------------------------- citing and provenance


def test_apa_reference_for_a_known_article():
    text = datasets.cite("meaningful_change")
    # Typed by hand from the PubMed record of Kounali et al. (2022):
    expected = (
        "Kounali, D., Button, K. S., Lewis, G., Gilbody, S., Kessler, D., Araya, R., Duffy, L., "
        "Lanham, P., Peters, T. J., Wiles, N., & Lewis, G. (2022). How much change is enough? "
        "Evidence from a longitudinal study on depression in UK primary care. Psychological "
        "Medicine, 52(10), 1875–1882. https://doi.org/10.1017/S0033291720003700"
    )
    assert expected in text.splitlines()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cite_gives_every_source_and_the_workbook(name):
    known = datasets.sources()
    apa = datasets.cite(name)
    assert apa.startswith(f'Dataset "{name}"')
    for key in datasets.card(name)["sources"]:
        assert known[key]["title"] in apa
    assert "iaptlab contributors (2026)" in apa
    bib = datasets.cite(name, style="bibtex")
    assert bib.count("\n@") + 1 == len(datasets.card(name)["sources"]) + 1
    for key in datasets.card(name)["sources"]:
        assert f"{{{key}," in bib


def test_cite_rejects_unknown_style_and_cites_the_workbook_alone():
    with pytest.raises(IaptlabError, match="style"):
        datasets.cite("claims", style="mla")
    assert datasets.cite().startswith("iaptlab contributors (2026).")


def test_provenance_counts_rows_per_source():
    prov = datasets.provenance("national_annual").set_index("source")
    table = datasets.load("national_annual")
    assert prov["rows"].sum() == len(table)
    assert prov.loc["nhsd_2016_17_release", "rows"] == 3  # 2012-13 rate, 2015-16 rate, 2016-17
    assert prov.loc["pharmatimes_2016_17", "confidence"] == "S"


def test_loading_never_touches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name in datasets.names():
        datasets.load(name)
        datasets.cite(name)


def test_card_files_parse_with_tomllib_and_name_their_file():
    for card_path in DATA.glob("*.card.toml"):
        spec = tomllib.loads(card_path.read_text(encoding="utf-8"))
        assert spec["name"] + ".card.toml" == card_path.name
        assert (DATA / spec["file"]).is_file()
        assert np.all([c["dtype"] in {"str", "int", "float"} for c in spec["columns"]])


# ------------------------------------------------------------------------- references you can check


def test_no_source_is_left_flagged_for_checking():
    # Every "check before publication" entry was either confirmed (flag removed, the metadata
    # says how) or marked unverified = true so that its reference says so.
    for path in DATA.glob("sources*.toml"):
        assert "check before publication" not in path.read_text(encoding="utf-8"), path.name
    for key, entry in datasets.sources().items():
        assert entry.get("unverified", False) in (True, False), key


def test_unverified_sources_are_marked_in_every_rendering():
    known = datasets.sources()
    flagged = sorted(key for key, entry in known.items() if entry.get("unverified"))
    assert {"iapt_investment_bmc_2017", "iapt_investment_ijmhs_2018"} <= set(flagged)
    for key in flagged:
        assert datasets.reference(key).endswith(datasets.UNVERIFIED_MARK), key
        assert datasets.UNVERIFIED_MARK in datasets.reference(key, style="bibtex"), key
    for key in ("levis_2019", "kihlstrom_2002", "bjgp_2014_iapt_editorial"):  # confirmed ones
        assert datasets.UNVERIFIED_MARK not in datasets.reference(key), key
        assert datasets.UNVERIFIED_MARK not in datasets.reference(key, style="bibtex"), key


@pytest.mark.parametrize(("flag", "marked"), [("true", True), ("false", False), (None, False)])
def test_unverified_flag_renders_only_when_true(tmp_path, flag, marked):
    line = "" if flag is None else f"unverified = {flag}\n"
    (tmp_path / "sources.toml").write_text(
        '[x_2020]\ntype = "article"\nauthors = ["Doe, J."]\nyear = "2020"\ntitle = "T"\n'
        'container = "J"\nconfidence = "C"\nlicence = "facts"\nmetadata = "m"\n' + line
    )
    assert datasets.reference("x_2020", data_dir=tmp_path).endswith("(unverified)") is marked


def test_confirmed_references_carry_the_details_that_were_checked():
    known = datasets.sources()
    # DOIs typed by hand from the publisher pages found by search (2026-11).
    dois = {
        "levis_2019": "10.1136/bmj.l1476", "negeri_2021": "10.1136/bmj.n2183",
        "plummer_2016": "10.1016/j.genhosppsych.2015.11.005",
        "posternak_miller_2001": "10.1016/S0165-0327(00)00304-9",
        "moustgaard_2020": "10.1136/bmj.l6802", "lowe_2004": "10.1097/00005650-200412000-00006",
        "toussaint_2020": "10.1016/j.jad.2020.01.032", "bischoff_2020": "10.5964/pch.v8i1.309",
        "brabyn_2016": "10.3310/hta20890", "bjgp_2014_iapt_editorial": "10.3399/bjgp14X682117",
    }
    for key, doi in dois.items():
        assert known[key]["doi"] == doi, key
        assert not known[key].get("unverified"), key
        assert not known[key].get("et_al"), key  # full author lists were recorded
    assert not known["kihlstrom_2002"]["title"].startswith("[")


# ------------------------------------------------------------------------- the 2014-15 subgroup route


def test_subgroup_row_cites_the_nhstt_route_and_no_developer_note():
    sub = datasets.load("national_2014_15_subgroup").set_index("subgroup")
    het = sub.loc["heterosexual"]
    assert het["source"] == "nhstt_fixture_table_12b_2014_15" and het["confidence"] == "S"
    route = datasets.sources()[het["source"]]
    assert "bennettoxford/nhstt" in route["container"] and "table-12b_2014.xlsx" in route["title"]
    for path in list(DATA.glob("*.toml")) + list(DATA.glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        assert "project's issue" not in text and "outcome-engine issue" not in text, path.name


def test_subgroup_oddity_is_stated_and_recomputes():
    sub = datasets.load("national_2014_15_subgroup").set_index("subgroup")
    het, england = sub.loc["heterosexual"], sub.loc["England"]
    others = (england["recovered"] - het["recovered"]) / (england["finished_at_caseness"] - het["finished_at_caseness"])
    assert round(others * 100, 1) == 33.9  # 62,261 / 183,491 = 33.93%
    assert round(het["recovered"] / het["finished_at_caseness"] * 100, 1) == 53.3
    for text in (het["note"], datasets.card("national_2014_15_subgroup")["description"]):
        assert "33.9%" in text and "44.8%" in text


# ------------------------------------------------------------------------- the standard and its history


def test_april_2025_reliable_recovery_recomputes_and_is_confirmed():
    history = datasets.load("standard_history").set_index("event_id")
    row = history.loc["april_2025_reliable_recovery"]
    assert (row["numerator"], row["denominator"]) == (26457, 54672)
    assert matches_published(row["numerator"], row["denominator"], 48.4)  # 48.39%
    assert row["measure"] == "reliable recovery" and row["confidence"] == "C"
    assert row["when"] == "2025-04"


def test_planning_targets_are_secondary_and_every_target_is_a_target():
    history = datasets.load("standard_history")
    targets = history[history["kind"] == "target"].set_index("event_id")
    assert (targets["confidence"] == "S").all()  # never read in the framework itself
    assert targets.loc["target_2026_27_reliable_recovery", "value_pct"] == 51
    assert targets.loc["target_2026_27_reliable_improvement", "value_pct"] == 69
    assert targets.loc["target_2028_29_reliable_recovery", "value_pct"] == 53


def test_standard_history_moves_from_recovery_to_reliable_recovery():
    history = datasets.load("standard_history")
    wording = history[history["kind"] == "standard wording"]
    assert {"recovery", "reliable recovery"} <= set(wording["measure"])
    assert (wording["value_pct"] == 50).all()
    # The 50% figure and the first year above it agree with national_annual.
    by_year = datasets.load("national_annual").groupby("year").first()
    first = history.set_index("event_id").loc["first_year_above_standard"]
    assert by_year.loc[first["when"], "recovery_rate_pct"] == first["value_pct"]
    earlier = by_year.loc[by_year.index < first["when"], "recovery_rate_pct"].dropna()
    assert (earlier < 50).all() and first["value_pct"] > 50


# ------------------------------------------------------------------------- service variation


def test_service_variation_range_and_england_agree_with_the_release():
    variation = datasets.load("service_variation")
    ccgs = variation[variation["area_type"] == "CCG"].set_index("position")
    assert ccgs["recovery_rate_pct"].min() == ccgs.loc["lowest", "recovery_rate_pct"] == 18.8
    assert ccgs["recovery_rate_pct"].max() == ccgs.loc["highest", "recovery_rate_pct"] == 69.4
    england = variation[variation["area_type"] == "England"].iloc[0]
    sub = datasets.load("national_2014_15_subgroup").set_index("subgroup").loc["England"]
    assert (england["recovered"], england["finished_at_caseness"]) == (sub["recovered"], sub["finished_at_caseness"])
    assert 18.8 < england["recovery_rate_pct"] < 69.4


def test_printed_ccg_counts_reproduce_rates_only_approximately():
    ccgs = datasets.load("service_variation").dropna(subset=["finished_at_caseness"])
    ccgs = ccgs[ccgs["area_type"] == "CCG"]
    recomputed = ccgs["recovered"] / ccgs["finished_at_caseness"] * 100
    gap = (recomputed - ccgs["recovery_rate_pct"]).abs()
    assert (gap <= 1.0).all()  # counts as printed are approximate (e.g. 470/680 = 69.1 vs 69.4)
    assert (gap > 0.05).any()  # ...and not exact: the caveat about it must stay true


def test_ccgs_meeting_the_standard_is_a_secondary_count():
    variation = datasets.load("service_variation")
    count = variation[variation["area_type"] == "all CCGs"].iloc[0]
    assert (count["areas_at_or_above_50"], count["areas_total"]) == (57, 211)
    assert count["confidence"] == "S"


# ------------------------------------------------------------------------- harm and function


def test_harm_and_function_counts_and_intervals_recompute():
    facts = datasets.load("harm_and_function").set_index("fact_id")
    counted = facts.dropna(subset=["numerator"])
    for fact_id, row in counted.iterrows():
        assert matches_published(row["numerator"], row["denominator"], row["value"]), fact_id
    with_ci = facts.dropna(subset=["ci_low"])
    assert ((with_ci["ci_low"] <= with_ci["value"]) & (with_ci["value"] <= with_ci["ci_high"])).all()
    assert facts.loc["year_one_reliable_deterioration", "value"] == 6.6  # Gyani et al. (2013)
    assert facts.loc["iapt_meta_analysis_wsas", ["value", "ci_low", "ci_high"]].tolist() == [0.55, 0.48, 0.61]
    finishers = datasets.load("national_2014_15_subgroup").set_index("subgroup").loc["heterosexual", "finished_course"]
    assert (counted.loc[counted["source"] == "nhstt_fixture_table_12b_2014_15", "denominator"] == finishers).all()


def test_function_effect_is_smaller_than_symptom_effects():
    facts = datasets.load("harm_and_function").set_index("fact_id")
    wsas = facts.loc["iapt_meta_analysis_wsas", "ci_high"]
    assert wsas < facts.loc["iapt_meta_analysis_depression", "ci_low"]
    assert wsas < facts.loc["iapt_meta_analysis_anxiety", "ci_low"]


# ------------------------------------------------------------------------- WSAS scoring


def _wsas_band(total: int) -> list[str]:
    """Every band whose inclusive range holds ``total`` (exactly one for a valid total)."""
    bands = datasets.load("wsas_scoring").query("part == 'band'")
    return bands.loc[(bands["low"] <= total) & (total <= bands["high"]), "name"].tolist()


def test_wsas_items_and_total_range():
    wsas = datasets.load("wsas_scoring")
    items = wsas[wsas["part"] == "item"]
    assert len(items) == 5 and (items["low"] == 0).all() and (items["high"] == 8).all()
    total = wsas[wsas["part"] == "total"].iloc[0]
    assert (total["low"], total["high"]) == (items["low"].sum(), items["high"].sum()) == (0, 40)
    rule = wsas[wsas["part"] == "recording rule"].iloc[0]
    assert "not applicable" in rule["description"] and rule["name"].startswith("work")


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "subclinical"), (9, "subclinical"), (10, "significant functional impairment"),
     (20, "significant functional impairment"), (21, "moderately severe or worse"),
     (40, "moderately severe or worse")],
)
def test_wsas_bands_at_their_thresholds(total, band):
    assert _wsas_band(total) == [band]


@settings(max_examples=30, deadline=None)
@given(total=st.integers(min_value=-5, max_value=45))
def test_wsas_bands_partition_the_score_range(total):
    # Invariant: every possible total (0-40) falls in exactly one band; nothing outside does.
    assert len(_wsas_band(total)) == (1 if 0 <= total <= 40 else 0)


def test_wsas_bands_are_secondary():
    wsas = datasets.load("wsas_scoring")
    assert (wsas.loc[wsas["part"] == "band", "confidence"] == "S").all()


# ------------------------------------------------------------------------- service users


def test_service_user_views_hold_both_published_and_secondary_voices():
    views = datasets.load("service_user_views")
    assert {"drew_2021", "amos_2019"} <= set(views.loc[views["confidence"] == "C", "source"])
    assert views["finding"].str.len().gt(20).all()
    secondary = views[views["confidence"] == "S"]
    assert secondary["note"].str.contains("secondary", case=False).all()


# ------------------------------------------------------------------------- glossary


GLOSSARY_REQUIRED = {
    "hedges-g", "delta-g", "wilson-interval", "monte-carlo-noise", "cis-r", "gln", "nk", "ha",
    "caseness", "reliable-change", "reliable-improvement", "reliable-recovery",
    "reliable-deterioration", "recovery", "paired-scores", "finished", "completed",
    "intention-to-treat", "completer-analysis", "locf", "mcar", "mar", "mnar",
    "regression-to-the-mean", "demand-characteristics", "hello-goodbye-effect", "sensitivity",
    "specificity", "ppv", "npv", "kappa", "standard-error-of-measurement",
    "test-retest-reliability", "internal-consistency", "jacobson-truax", "mcid", "adsm", "wsas",
    "phq-9", "gad-7",
}


def test_glossary_has_every_required_term_once_with_a_definition():
    glossary = datasets.load("glossary")
    assert glossary["slug"].is_unique and glossary["term"].is_unique
    assert GLOSSARY_REQUIRED <= set(glossary["slug"])
    definitions = glossary["definition"].str.strip()
    assert definitions.str.len().between(40, 450).all()
    assert definitions.str.endswith((".", ")")).all()


def test_glossary_sources_and_cross_references_resolve():
    glossary = datasets.load("glossary")
    assert glossary["source"].isin(list(datasets.sources())).all()
    slugs = set(glossary["slug"])
    for _, row in glossary.dropna(subset=["see_also"]).iterrows():
        linked = row["see_also"].split(";")
        assert set(linked) <= slugs, row["slug"]
        assert row["slug"] not in linked, row["slug"]


def test_glossary_spells_out_the_abbreviations_it_defines():
    glossary = datasets.load("glossary").set_index("slug")
    spelled = {"gln": "Gulliksen", "nk": "Nunnally", "ha": "Hageman", "cis-r": "Clinical Interview Schedule",
               "adsm": "anxiety disorder specific", "mcid": "minimal clinically important",
               "locf": "carried forward", "ppv": "predictive value", "wsas": "Work and Social Adjustment"}
    for slug, words in spelled.items():
        assert words.lower() in glossary.loc[slug, "term"].lower(), slug


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("slug", "caseness", "duplicates another row's key"),
    ("slug", "Not A Slug", "does not match"),
    ("definition", "", "is empty but the card requires a value"),
    ("source", "somebody_2099", "is not among the card's sources"),
])
def test_glossary_bad_entries_are_reported(data_copy, column, value, reason):
    edit_cell(data_copy, "glossary.csv", 3, column, value)
    with pytest.raises(DatasetError) as caught:
        datasets.load("glossary", data_dir=data_copy)
    assert "glossary.csv: row 3" in str(caught.value) and reason in str(caught.value)
