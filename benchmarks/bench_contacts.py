"""Benchmark: ``from_contacts`` on 15,000,000 contacts (about a national year) against hand-written numpy.

A seeded synthetic year: about 1.8 million referrals of 1-25 contacts each (an assessment, then
mostly treatment contacts, some follow-up, employment-support and other contacts), 10% not
attended, 5% of scores missing, rows in random order (a real extract is rarely sorted by referral).
Referral ids are text, contact types are text, as a file would give them.

Measured in the same run on the same arrays:

- ``validate_contacts`` (reads the text columns, checks every cell, sorts once);
- ``from_contacts`` on the validated table (counts, first/last, provenance, the DataFrame);
- a hand-written numpy version of the same counts and first/last PHQ-9/GAD-7 over the same typed
  arrays (no validation, no ADSM), timed with its own sort and given the validated sort order;
  both are checked equal to ``from_contacts`` first.

Targets (issue 11): ``from_contacts`` within 5x the hand-written version; peak memory <= 6 GB,
measured as the peak resident set size of a fresh child process that makes the data, validates it
and runs ``from_contacts``.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_contacts.py [--n 15000000]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from iaptlab.episodes import CONTACT_TYPES, from_contacts, validate_contacts

NATIONAL_YEAR = 15_000_000
CONTACTS_PER_REFERRAL = 15_000_000 / 1_800_000
TARGET_RATIO, TARGET_GB = 5.0, 6.0


def synthetic(n: int, seed: int = 11) -> pd.DataFrame:
    """About ``n`` contacts (exactly ``n`` rows), seeded; see the module docstring."""
    rng = np.random.default_rng(seed)
    n_refs = max(1, round(n / CONTACTS_PER_REFERRAL))
    sizes = np.minimum(1 + rng.poisson(CONTACTS_PER_REFERRAL - 1, n_refs), 25)
    codes = np.repeat(np.arange(n_refs), sizes)[:n]
    if len(codes) < n:  # top up the last referral so the row count is exact
        codes = np.concatenate([codes, np.full(n - len(codes), n_refs - 1)])
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    number = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n])) + 1
    kind = rng.choice(np.arange(1, len(CONTACT_TYPES)), size=n, p=[0.85, 0.07, 0.03, 0.05])
    kind[number == 1] = 0  # every referral opens with an assessment
    phq9 = rng.integers(0, 28, n).astype(float)
    gad7 = rng.integers(0, 22, n).astype(float)
    phq9[rng.random(n) < 0.05] = np.nan
    gad7[rng.random(n) < 0.05] = np.nan
    ids = np.array([f"R{i:07d}" for i in range(n_refs)], dtype=object)
    shuffle = rng.permutation(n)
    return pd.DataFrame({
        "referral_id": ids[codes][shuffle],
        "contact_number": number[shuffle],
        "contact_type": np.array(CONTACT_TYPES, dtype=object)[kind][shuffle],
        "attended": (rng.random(n) < 0.9)[shuffle],
        "phq9": phq9[shuffle],
        "gad7": gad7[shuffle],
        "referral_ended": (rng.random(n_refs) < 0.85)[codes][shuffle],
    })


def hand_numpy(ref: np.ndarray, number: np.ndarray, kind: np.ndarray, attended: np.ndarray,
               scores: dict[str, np.ndarray], n_refs: int, order: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Counts and first/last scores written directly in numpy over typed arrays.

    ``order`` (rows sorted by referral and contact number) is computed here unless given.
    """
    if order is None:
        order = np.argsort(ref * (int(number.max()) + 1) + number, kind="stable")
    r = ref[order]
    usable = (attended & (kind <= 1))[order]
    out = {"treatment_contacts": np.bincount(ref[attended & (kind == 1)], minlength=n_refs)}
    for name, values in scores.items():
        v = values[order]
        at = np.flatnonzero(usable & ~np.isnan(v))
        g = r[at]
        new = np.r_[True, g[1:] != g[:-1]]
        last = np.r_[new[1:], True]
        first_v, last_v = np.full(n_refs, np.nan), np.full(n_refs, np.nan)
        first_v[g[new]], last_v[g[last]] = v[at[new]], v[at[last]]
        out[f"{name}_first"], out[f"{name}_last"] = first_v, last_v
    return out


CPU: dict[str, float] = {}


def _seconds(fn, name: str):
    """Wall-clock seconds and the result; CPU seconds go to ``CPU[name]`` (steadier on a busy machine)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = fn()
    CPU[name] = time.process_time() - start_cpu
    return time.perf_counter() - start, result


def peak_memory_gb(n: int) -> dict[str, float]:
    """Peak RSS of a fresh child that makes ``n`` contacts, validates them and runs from_contacts."""
    done = subprocess.run([sys.executable, __file__, "--child", "--n", str(n)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(n: int) -> None:
    table = synthetic(n)
    data_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    from_contacts(table)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(json.dumps({"after_making_data_gb": data_gb, "peak_gb": peak_gb}))


def main(n: int = NATIONAL_YEAR) -> dict[str, float]:
    memory = peak_memory_gb(n)
    table = synthetic(n)
    t_validate, checked = _seconds(lambda: validate_contacts(table), "validate")
    assert checked.ok
    t_core, ours = _seconds(lambda: from_contacts(checked), "from_contacts")
    typed = checked.table
    ref = typed["referral_id"].cat.codes.to_numpy().astype(np.int64)
    arrays = (ref, typed["contact_number"].to_numpy(), typed["contact_type"].cat.codes.to_numpy(),
              typed["attended"].to_numpy(), {"phq9": typed["phq9"].to_numpy(), "gad7": typed["gad7"].to_numpy()},
              len(typed["referral_id"].cat.categories))
    t_hand, hand = _seconds(lambda: hand_numpy(*arrays), "hand")
    t_hand_sorted, hand_sorted = _seconds(lambda: hand_numpy(*arrays, order=checked.order), "hand_sorted")
    for result in (hand, hand_sorted):
        for key, values in result.items():
            assert np.array_equal(ours[key].to_numpy(), values, equal_nan=True), key
    figures = {"contacts": n, "referrals": len(ours), "validate_s": t_validate, "from_contacts_s": t_core,
               "hand_numpy_s": t_hand, "hand_numpy_given_order_s": t_hand_sorted,
               "ratio_to_hand": t_core / t_hand, "ratio_to_hand_given_order": t_core / t_hand_sorted,
               "ratio_to_hand_with_validation": (t_validate + t_core) / t_hand, **memory,
               **{f"cpu_{k}_s": v for k, v in CPU.items()}}
    print(f"{n:,} contacts, {len(ours):,} referrals (rows in random order)")
    print(f"validate_contacts:                  {t_validate:6.2f} s (CPU {CPU['validate']:.2f} s)")
    print(f"from_contacts (validated table):    {t_core:6.2f} s (CPU {CPU['from_contacts']:.2f} s)")
    print(f"hand-written numpy (own sort):      {t_hand:6.2f} s (CPU {CPU['hand']:.2f} s)")
    print(f"hand-written numpy (given the validated sort order): {t_hand_sorted:6.2f} s "
          f"(CPU {CPU['hand_sorted']:.2f} s)")
    print(f"CPU-time ratios: {CPU['from_contacts'] / CPU['hand']:.2f}x to hand with its own sort, "
          f"{CPU['from_contacts'] / CPU['hand_sorted']:.2f}x given the same order, "
          f"{(CPU['validate'] + CPU['from_contacts']) / CPU['hand']:.2f}x with validation")
    print(f"ratio to hand numpy: {figures['ratio_to_hand']:.2f}x (target <= {TARGET_RATIO:g}x); "
          f"{figures['ratio_to_hand_given_order']:.2f}x to the hand version given the same sorted order; "
          f"validation + from_contacts vs hand with its own sort {figures['ratio_to_hand_with_validation']:.2f}x")
    print(f"peak memory (fresh child, data + validation + from_contacts): {memory['peak_gb']:.2f} GB "
          f"(target <= {TARGET_GB:g} GB; the data alone {memory['after_making_data_gb']:.2f} GB)")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=NATIONAL_YEAR, help="number of contacts")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.n)
    else:
        main(args.n)
