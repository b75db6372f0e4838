"""Benchmark: classify 1,000,000 episodes; ratios against row-wise pandas and hand-written numpy.

All three are measured in the same run on the same synthetic table, and the hand-written and
row-wise versions are checked to give exactly the same flags as ``classify`` first, so the ratios
compare equal work. Targets (issue 2): >= 100x faster than the row-wise ``apply``; within 3x of
hand-written numpy.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_outcomes.py [--n 1000000]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from iaptlab.outcomes import IAPT, classify
from iaptlab.schema import validate

FLAGS = ("recovered", "reliable_improvement", "reliable_deterioration", "reliable_recovery")


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    """n episodes with realistic-looking scores and some missing values (seeded)."""
    rng = np.random.default_rng(seed)
    contacts = rng.poisson(4, n)
    phq_first = rng.integers(0, 28, n).astype(float)
    gad_first = rng.integers(0, 22, n).astype(float)
    phq_last = np.clip(phq_first - rng.normal(5, 6, n).round(), 0, 27)
    gad_last = np.clip(gad_first - rng.normal(4, 5, n).round(), 0, 21)
    phq_last[rng.random(n) < 0.1] = np.nan
    gad_last[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({"episode_id": np.char.add("E", np.arange(n).astype(str)),
                         "treatment_contacts": contacts, "phq9_first": phq_first, "phq9_last": phq_last,
                         "gad7_first": gad_first, "gad7_last": gad_last})


def hand_numpy(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """The IAPT rules written directly in numpy for PHQ-9 + GAD-7 only (no ADSM, no validation)."""
    pf, pl = df["phq9_first"].to_numpy(), df["phq9_last"].to_numpy()
    gf, gl = df["gad7_first"].to_numpy(), df["gad7_last"].to_numpy()
    eligible = (df["treatment_contacts"].to_numpy() >= 2) & ~np.isnan(pf + pl + gf + gl)
    case_first, case_last = (pf >= 10) | (gf >= 8), (pl >= 10) | (gl >= 8)
    down = (pf - pl >= 6) | (gf - gl >= 4)
    up = (pl - pf >= 6) | (gl - gf >= 4)
    recovered = eligible & case_first & ~case_last
    improved = eligible & down & ~up
    return {"recovered": recovered, "reliable_improvement": improved,
            "reliable_deterioration": eligible & up & ~down, "reliable_recovery": recovered & improved}


def row_rule(row: pd.Series) -> pd.Series:
    """The same rules, one row at a time: the way a first attempt in pandas often looks."""
    paired = not any(pd.isna(row[c]) for c in ("phq9_first", "phq9_last", "gad7_first", "gad7_last"))
    eligible = row["treatment_contacts"] >= 2 and paired
    case_first = row["phq9_first"] >= 10 or row["gad7_first"] >= 8
    case_last = row["phq9_last"] >= 10 or row["gad7_last"] >= 8
    down = row["phq9_first"] - row["phq9_last"] >= 6 or row["gad7_first"] - row["gad7_last"] >= 4
    up = row["phq9_last"] - row["phq9_first"] >= 6 or row["gad7_last"] - row["gad7_first"] >= 4
    recovered = bool(eligible and case_first and not case_last)
    improved = bool(eligible and down and not up)
    return pd.Series({"recovered": recovered, "reliable_improvement": improved,
                      "reliable_deterioration": bool(eligible and up and not down),
                      "reliable_recovery": recovered and improved})


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int = 1_000_000, sample: int = 20_000, repeats: int = 3) -> dict[str, float]:
    df = synthetic(n)
    checked = validate(df)
    assert checked.ok
    ours = classify(checked, IAPT)
    hand = hand_numpy(df)
    for flag in FLAGS:
        assert np.array_equal(ours[flag].to_numpy(dtype=bool), hand[flag]), flag
    part = df.iloc[:sample]
    rowwise = part.apply(row_rule, axis=1)  # the naive baseline, on purpose
    for flag in FLAGS:
        assert np.array_equal(rowwise[flag].to_numpy(dtype=bool), hand[flag][:sample]), flag

    t_full = best_of(lambda: classify(df, IAPT), repeats)
    t_rules = best_of(lambda: classify(checked, IAPT), repeats)
    t_hand = best_of(lambda: hand_numpy(df), repeats)
    t_apply = best_of(lambda: part.apply(row_rule, axis=1), 1) * (n / sample)
    figures = {"n": n, "validate_and_classify_s": t_full, "classify_validated_s": t_rules,
               "hand_numpy_s": t_hand, "rowwise_apply_scaled_s": t_apply,
               "speedup_vs_apply": t_apply / t_full, "ratio_to_hand_numpy": t_rules / t_hand}
    print(f"classify {n:,} episodes (validation included): {t_full:.3f} s")
    print(f"classify {n:,} validated episodes (rules only): {t_rules:.3f} s")
    print(f"hand-written numpy, same rules:                 {t_hand:.3f} s")
    print(f"row-wise pandas apply, {sample:,}-row sample scaled to {n:,}: {t_apply:.1f} s")
    print(f"speed-up vs row-wise apply (validation included): {figures['speedup_vs_apply']:.0f}x "
          f"(target >= 100x)")
    print(f"ratio to hand numpy (rules only): {figures['ratio_to_hand_numpy']:.2f}x (target <= 3x)")
    print(f"validation share of the full call: {100 * (t_full - t_rules) / t_full:.0f}%")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    main(args.n, args.sample)
