"""Cost per learner (issue 15 item 7): the lean paths give the same numbers as the plain ones.

Lesson 03's explorer counts shifted scores without building the classified table, lesson 05 keeps
only the columns it reads of its cohorts, ``setup()`` returns freed memory to the operating system
after each cell and ``datasets.sources`` parses its files once. Each lean path is checked against
the plain computation (``classify`` + ``rates`` on the full table), never against numbers copied
from the output.
"""

from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab import datasets, notebook
from iaptlab import regression_to_mean as rtm
from iaptlab.demand import (
    BASELINE,
    KEPT_COLUMNS,
    SCALE_MAX,
    SHOWN,
    THERAPIST_SEED_OFFSET,
    WITH,
    DemandInputs,
    demand_inputs,
    demand_rates,
    demand_table,
    shifted_scores,
)
from iaptlab.outcomes import PRESETS, classify, rates
from iaptlab.schema import Validated, validate
from iaptlab.simulate import simulate

SMALL_N = 3_000


def _plain_rates(episodes: pd.DataFrame, rules: str) -> pd.DataFrame:
    """``rates(classify(...))`` of the shown outcomes: the path the lean one replaces."""
    table = rates(classify(episodes, PRESETS[rules]), PRESETS[rules]).set_index("outcome")
    return table.loc[list(SHOWN)]


def _same_rate(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=25, deadline=None)
@given(shift=st.integers(-6, 3), share=st.sampled_from([0.0, 0.01, 0.37, 0.5, 0.99, 1.0]),
       hello=st.integers(0, 4), rules=st.sampled_from(sorted(PRESETS)))
def test_demand_rates_equal_classify_and_rates_on_the_shifted_scores(shift, share, hello, rules):
    inputs = demand_inputs(SMALL_N)
    tidy = demand_rates(inputs, last_shift=shift, share_with_therapist=share, hello_points=hello,
                        rules=rules).set_index(["group", "outcome"])
    shifted = shifted_scores(inputs.episodes, inputs.with_therapist_u, last_shift=shift,
                             share_with_therapist=share, hello_points=hello)
    for group, episodes in ((BASELINE, inputs.episodes), (WITH, shifted)):
        expected = _plain_rates(episodes, rules)
        for outcome in SHOWN:
            got = tidy.loc[(group, outcome)]
            assert (got["numerator"], got["denominator"]) == (expected.loc[outcome, "numerator"],
                                                              expected.loc[outcome, "denominator"])
            assert _same_rate(got["rate"], expected.loc[outcome, "rate"])
            assert got["denominator_description"] == expected.loc[outcome, "denominator_description"]


@pytest.mark.parametrize("rules", sorted(PRESETS))
def test_demand_rates_table_is_the_baseline_then_the_plain_shifted_rates(rules):
    inputs = demand_inputs(SMALL_N)
    tidy = demand_rates(inputs, last_shift=-3, share_with_therapist=0.6, hello_points=1, rules=rules)
    shifted = shifted_scores(inputs.episodes, inputs.with_therapist_u, last_shift=-3, share_with_therapist=0.6,
                             hello_points=1)
    plain = rates(classify(shifted, PRESETS[rules]), PRESETS[rules])
    expected = pd.concat([inputs.baseline[rules].assign(group=BASELINE),
                          plain[plain["outcome"].isin(list(SHOWN))].assign(group=WITH)], ignore_index=True)
    columns = ["group", "outcome", "numerator", "denominator", "rate", "denominator_description"]
    pd.testing.assert_frame_equal(tidy, expected[columns])  # values, order and dtypes


def test_shifted_scores_leave_the_inputs_untouched():
    inputs = demand_inputs(SMALL_N)
    before = inputs.episodes.copy()
    shifted_scores(inputs.episodes, inputs.with_therapist_u, last_shift=-6, share_with_therapist=1.0,
                   hello_points=4)
    pd.testing.assert_frame_equal(inputs.episodes, before)


def _hand_inputs(first: list[float]) -> DemandInputs:
    n = len(first)
    episodes = pd.DataFrame({"episode_id": [f"e{i}" for i in range(n)], "treatment_contacts": [6] * n,
                             "phq9_first": first, "phq9_last": [2.0] * n,
                             "gad7_first": [3.0] * n, "gad7_last": [1.0] * n})
    return DemandInputs(episodes=episodes, with_therapist_u=np.linspace(0, 0.99, n),
                        model=demand_inputs(200).model, baseline=MappingProxyType({}))


def test_nobody_at_caseness_gives_recovery_an_empty_denominator_and_no_rate():
    # first PHQ-9 9 and GAD-7 3: below both cut-offs (10 and 8), so no one enters recovery's
    # denominator; reliable improvement counts every finisher with paired scores (both of them)
    tidy = demand_rates(_hand_inputs([9.0, 9.0]), last_shift=-2, share_with_therapist=1.0)
    recovered = tidy[tidy["outcome"] == "recovered"]
    assert recovered["denominator"].tolist() == [0, 0]
    assert recovered["rate"].isna().all()
    assert tidy.loc[tidy["outcome"] == "reliable_improvement", "denominator"].tolist() == [2, 2]


def test_hello_goodbye_at_the_cut_off_lets_people_in_only_from_ten():
    # first PHQ-9 8 and 9 plus 1 point: 9 stays out (9 < 10), 10 enters (10 >= 10) and recovers (last 2)
    tidy = demand_rates(_hand_inputs([8.0, 9.0]), hello_points=1).set_index(["group", "outcome"])
    assert tidy.loc[(WITH, "recovered"), ["numerator", "denominator"]].tolist() == [1, 1]
    assert tidy.loc[(BASELINE, "recovered"), "denominator"] == 0


def _assert_demand_inputs_equal_the_plain_path(n: int, seed: int) -> None:
    """The plain path: simulate the whole table, validate it, keep finished rows with all four scores."""
    inputs = demand_inputs.__wrapped__(n, seed)  # not the cache: built here
    table = validate(simulate(inputs.model)).raise_if_invalid().table
    finished = table["treatment_contacts"].to_numpy() >= min(r.min_treatment_contacts for r in PRESETS.values())
    kept = finished & table[list(SCALE_MAX)].notna().all(axis="columns").to_numpy()
    pd.testing.assert_frame_equal(inputs.episodes, table.loc[kept, list(KEPT_COLUMNS)].reset_index(drop=True))
    u = np.random.default_rng(seed + THERAPIST_SEED_OFFSET).random(len(table))[kept]
    assert np.array_equal(inputs.with_therapist_u, u)
    for name, rules in PRESETS.items():
        expected = rates(classify(table, rules), rules)
        pd.testing.assert_frame_equal(inputs.baseline[name], expected[expected["outcome"].isin(list(SHOWN))]
                                      .reset_index(drop=True))


def test_demand_table_matches_a_pivot_of_the_tidy_rates():
    tidy = demand_rates(demand_inputs(SMALL_N), last_shift=-3, share_with_therapist=0.6)
    wide = (100 * tidy.pivot(index="outcome", columns="group", values="rate").loc[list(SHOWN)]).round(1)
    table = demand_table(tidy)
    assert table["baseline: no demand (%)"].tolist() == wide[BASELINE].tolist()
    assert table["with demand (%)"].tolist() == wide[WITH].tolist()
    assert table["change (percentage points)"].tolist() == (wide[WITH] - wide[BASELINE]).round(1).tolist()
    people = tidy.set_index(["group", "outcome"])
    assert table["with demand: people"].tolist() == [
        f"{people.loc[(WITH, o), 'numerator']:,} of {people.loc[(WITH, o), 'denominator']:,}" for o in SHOWN]


# ------------------------------------------------------------------ lesson 05: slim cohorts


@pytest.fixture(scope="module")
def small_inputs() -> rtm.ScenarioInputs:
    return rtm.scenario_inputs(SMALL_N)


def _finished_validated(model) -> pd.DataFrame:
    """The plain path: ``validate(simulate(model))``'s finishers (2+ treatment contacts), all columns."""
    table = validate(simulate(model)).raise_if_invalid().table
    return table.loc[table["treatment_contacts"].to_numpy() >= 2].reset_index(drop=True)


def test_scenario_cohorts_keep_only_the_finishers_and_the_columns_the_lesson_reads(small_inputs):
    for key, table in small_inputs.cohorts.items():
        assert tuple(table.columns) == rtm.COHORT_COLUMNS
        assert (table["treatment_contacts"] >= 2).all()  # IAPT: finished = 2+ treatment contacts
        full = validate(simulate(rtm.scenario_models(SMALL_N)[key])).table
        assert len(table) == int((full["treatment_contacts"] >= 2).sum()) == len(small_inputs.true_first)
        assert small_inputs.models[key].n == SMALL_N


def test_a_cut_cohort_cannot_be_classified_by_mistake(small_inputs):
    from iaptlab.errors import InputError

    # no GAD-7 scores and no ids: classify refuses it, rather than counting nobody as paired
    with pytest.raises(InputError, match="gad7_first"):
        classify(small_inputs.cohorts["treatment"])


@pytest.mark.parametrize("key", list(rtm.SCENARIOS))
def test_slim_cohorts_give_the_full_cohorts_rates_and_effect_size(small_inputs, key):
    full = validate(simulate(rtm.scenario_models(SMALL_N)[key])).raise_if_invalid()
    full_rates = rates(classify(full))
    full_rates = full_rates[full_rates["outcome"].isin(["recovered", "reliable_recovery"])]
    # every outcome's denominator needs a finished course, so dropping non-finishers changes no rate
    got = small_inputs.iapt_rates[small_inputs.iapt_rates["cohort"] == rtm.SCENARIOS[key]]
    pd.testing.assert_frame_equal(got.drop(columns="cohort").reset_index(drop=True),
                                  full_rates[["outcome", "numerator", "denominator", "rate"]].reset_index(drop=True),
                                  check_dtype=False)  # the words: str columns, object or pyarrow-backed
    assert rtm.pre_post_d(small_inputs.cohorts[key]) == rtm.pre_post_d(full.table)


def test_scenario_cohorts_hold_each_column_they_share_once_and_equal_the_unshared_ones(small_inputs):
    treatment = small_inputs.cohorts["treatment"]
    for key, model in rtm.scenario_models(SMALL_N).items():
        table = small_inputs.cohorts[key]
        pd.testing.assert_frame_equal(table, _finished_validated(model)[list(rtm.COHORT_COLUMNS)])
        for column in ("phq9_first", "true_phq9_first", "true_weeks"):  # the same before any change
            assert np.shares_memory(table[column].to_numpy(), treatment[column].to_numpy()), (key, column)
        if key != "treatment":  # what the scenarios change is each cohort's own
            assert not np.shares_memory(table["phq9_last"].to_numpy(), treatment["phq9_last"].to_numpy()), key


def _assert_scenarios_equal_the_plain_path(n: int, seed: int) -> None:
    """Each scenario cohort is ``validate(simulate(model))`` cut to the finishers and COHORT_COLUMNS,
    and its IAPT rates are ``rates(classify(...))`` of those finishers."""
    inputs = rtm.scenario_inputs.__wrapped__(n, seed)
    finishers = {}
    for key, model in rtm.scenario_models(n, seed).items():
        finishers[rtm.SCENARIOS[key]] = Validated(_finished_validated(model))
        expected = finishers[rtm.SCENARIOS[key]].table[list(rtm.COHORT_COLUMNS)]
        pd.testing.assert_frame_equal(inputs.cohorts[key], expected)
        assert np.array_equal(inputs.true_last[key], expected["true_phq9_last"].to_numpy(dtype=float))
    pd.testing.assert_frame_equal(inputs.iapt_rates, _plain_by_mechanism(finishers), check_dtype=False)
    assert inputs.error_z.shape == (2, len(inputs.true_first))


def test_writing_to_a_shared_column_leaves_the_other_cohorts_untouched(small_inputs):
    treatment = small_inputs.cohorts["treatment"]
    before = treatment["phq9_first"].copy()
    copy = small_inputs.cohorts["remission"].copy(deep=False)
    copy.loc[0, "phq9_first"] = -1.0  # pandas copies a shared column on write
    pd.testing.assert_series_equal(treatment["phq9_first"], before)


def _plain_by_mechanism(cohorts: dict[str, object]) -> pd.DataFrame:
    """``rates(classify(cohort))`` of recovery and reliable recovery per cohort: the path the lean one replaces."""
    frames = [rates(classify(checked)).assign(cohort=name) for name, checked in cohorts.items()]
    table = pd.concat(frames, ignore_index=True)
    table = table[table["outcome"].isin(["recovered", "reliable_recovery"])]
    return table[["cohort", "outcome", "numerator", "denominator", "rate"]].reset_index(drop=True)


def test_rule_by_mechanism_counts_as_classify_and_rates_on_each_cohort(small_inputs):
    models = rtm.scenario_models(SMALL_N)
    lesson = validate(simulate(models["remission"]))  # any valid cohort stands in for the lesson's
    expected = _plain_by_mechanism({**{words: Validated(_finished_validated(models[key]))
                                       for key, words in rtm.SCENARIOS.items()}, rtm.LESSON_COHORT: lesson})
    pd.testing.assert_frame_equal(rtm.iapt_rule_by_mechanism(small_inputs, lesson=lesson), expected,
                                  check_dtype=False)  # the words: str columns, object or pyarrow-backed


def test_rule_by_mechanism_simulates_the_lesson_cohort_as_lesson_cohort_does_without_caching_it(
        small_inputs, monkeypatch):
    import iaptlab.lesson_cohort as lessons

    expected = _plain_by_mechanism({rtm.LESSON_COHORT: lessons.fresh_lesson_cohort()})

    def cached(*args):
        raise AssertionError("the cached lesson cohort was used")

    monkeypatch.setattr(lessons, "lesson_cohort", cached)
    table = rtm.iapt_rule_by_mechanism(small_inputs)
    assert table["cohort"].iloc[-1] == rtm.LESSON_COHORT
    pd.testing.assert_frame_equal(table.iloc[-2:].reset_index(drop=True), expected, check_dtype=False)


def test_rule_by_mechanism_refuses_an_invalid_lesson_cohort(small_inputs):
    from iaptlab.errors import InputError

    broken = validate(simulate(rtm.scenario_models(SMALL_N)["treatment"])).table.drop(columns="row").head(3)
    broken = broken.assign(phq9_first=[40.0, 5.0, 5.0])
    with pytest.raises(InputError, match="phq9_first"):
        rtm.iapt_rule_by_mechanism(small_inputs, lesson=validate(broken))


# ------------------------------------------------------------------ setup(): freed memory, once per cell


def test_return_freed_memory_runs_where_pyarrow_or_glibc_exist():
    # pandas imports pyarrow (a dependency), so there is always a pool to release
    assert notebook.return_freed_memory() is True


def test_setup_registers_the_memory_hook_once_per_kernel(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("IAPTLAB_RENDERER", "svg")
    shell = InteractiveShell.instance()
    try:
        notebook.setup()
        notebook.setup()  # a learner re-running the first cell
        hooks = shell.events.callbacks["post_run_cell"]
        assert hooks.count(notebook.return_freed_memory) == 1
    finally:
        InteractiveShell.clear_instance()


def test_setup_outside_an_ipython_shell_still_sets_up_the_charts(monkeypatch):
    from IPython import get_ipython

    monkeypatch.setenv("IAPTLAB_RENDERER", "svg")
    assert get_ipython() is None  # a plain Python process, as in a script or the CLI
    assert notebook.setup().endswith("(svg renderer).")


# ------------------------------------------------------------------ datasets: parsed once, copied out


def test_sources_are_a_fresh_copy_each_call():
    first = datasets.sources()
    key = next(iter(first))
    first[key]["year"] = "changed"
    first.pop(key)
    again = datasets.sources()
    assert key in again and again[key].get("year") != "changed"


# ------------------------------------------------------------------ lesson 08: counts kept, cohort dropped


def test_change_explorer_tabulates_a_fresh_cohort_and_keeps_only_the_counts(monkeypatch):
    import iaptlab.lesson_cohort as lessons
    from iaptlab.change_and_cost import change_counts
    from iaptlab.explorers import change_and_cost as explorer
    from iaptlab.lesson_cohort import fresh_lesson_cohort
    from iaptlab.simulate import CohortModel, simulate

    small = simulate(CohortModel.interview_sees_questionnaires(n=SMALL_N, seed=7))
    built = []

    def cached(*args):
        raise AssertionError("the cached lesson cohort was used")

    def simulated(model, draws=None):
        built.append((model.n, model.seed))
        return small

    monkeypatch.setattr(lessons, "lesson_cohort", cached)
    monkeypatch.setattr(explorer, "simulate", simulated)
    counts = explorer.prepare()
    assert built == [(explorer.LESSON_N, explorer.LESSON_SEED)]
    expected = change_counts(fresh_lesson_cohort(SMALL_N, 7))  # the validated cohort's counts
    assert np.array_equal(counts.matrix, expected.matrix)
    assert (counts.finishers, counts.referrals) == (expected.finishers, expected.referrals)


# ------------------------------------------------------------------ the kernel benchmark's page-cache drop


def _bench_kernel():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_kernel.py"
    spec = importlib.util.spec_from_file_location("bench_kernel", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not hasattr(__import__("os"), "posix_fadvise"), reason="no posix_fadvise here")
def test_the_benchmark_drops_only_shared_libraries_and_leaves_them_whole(tmp_path):
    bench = _bench_kernel()
    (tmp_path / "lib").mkdir()
    library, versioned, other = tmp_path / "lib" / "a.so", tmp_path / "b.so.26", tmp_path / "c.py"
    for path in (library, versioned, other):
        path.write_bytes(b"\x7fELF" + bytes(5000))
    (tmp_path / "d.so.dir").mkdir()  # a folder named like a library is not a file
    assert bench.drop_cached_libraries(tmp_path) == 2
    assert library.read_bytes() == versioned.read_bytes() == b"\x7fELF" + bytes(5000)
    assert bench.drop_cached_libraries(tmp_path / "lib") == 1


# ------------------------------------------- lessons 03 and 05: their inputs equal the plain path
#: Each lesson's inputs, built from the course, against simulate + validate of the whole table.
_PLAIN_PATH_CHECKS = {"03 demand inputs": _assert_demand_inputs_equal_the_plain_path,
                      "05 scenario cohorts": _assert_scenarios_equal_the_plain_path}


@pytest.mark.parametrize("check", _PLAIN_PATH_CHECKS.values(), ids=_PLAIN_PATH_CHECKS.keys())
@pytest.mark.parametrize("n, seed", [(1, 3), (2, 3), (57, 1), (SMALL_N, 5)])
def test_lesson_inputs_equal_the_plain_path_at_chosen_sizes(check, n, seed):
    check(n, seed)


@pytest.mark.parametrize("check", _PLAIN_PATH_CHECKS.values(), ids=_PLAIN_PATH_CHECKS.keys())
@settings(max_examples=8, deadline=None)
@given(n=st.integers(1, 400), seed=st.integers(0, 2**32 - 1))
def test_lesson_inputs_equal_the_plain_path_at_any_size(check, n, seed):
    check(n, seed)
