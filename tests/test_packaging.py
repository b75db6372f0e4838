"""The wheel must contain every subpackage and data file, not only what the repo checkout has."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "iaptlab").rglob("__init__.py")}
    assert found - {"iaptlab.data"} <= listed
    assert config["package-dir"]["iaptlab.data"] == "data"
    assert (ROOT / "data" / "__init__.py").exists()


def test_data_files_match_package_data_patterns():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["iaptlab.data"]
    shipped = {p.name for pattern in patterns for p in (ROOT / "data").glob(pattern)}
    everything = {p.name for p in (ROOT / "data").iterdir() if p.is_file() and p.name != "__init__.py"}
    assert everything == shipped, f"data files the wheel would miss: {everything - shipped}"
