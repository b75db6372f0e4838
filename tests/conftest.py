"""Shared test helpers: build small episode tables by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None)
settings.load_profile("ci")


def episode(**overrides) -> dict:
    """One finished, paired episode that recovers reliably unless overridden."""
    base = {"episode_id": "e", "treatment_contacts": 6, "phq9_first": 16, "phq9_last": 6,
            "gad7_first": 12, "gad7_last": 4}
    base.update(overrides)
    return base


def table(*rows: dict) -> pd.DataFrame:
    """A DataFrame from episode dicts, giving each a unique id when none was set."""
    records = [dict(r) for r in rows]
    for i, r in enumerate(records):
        if r.get("episode_id", "e") == "e":
            r["episode_id"] = f"e{i}"
    return pd.DataFrame.from_records(records)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261127)
