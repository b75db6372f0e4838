"""The lock file (``requirements/constraints.txt``): what a class installs is what CI tested.

``make setup``, ``make lab``, Binder, ``environment.yml``, the publishing workflow and the
no-make check all install with ``-c requirements/constraints.txt``. These tests hold it to that:
every distribution the package needs (runtime, test and browser extras, followed through their
own requirements) is pinned with ``==`` and, where installed here, at exactly the installed
version; every pin meets ``pyproject.toml``'s ranges. Refresh with ``make lock``.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements" / "constraints.txt"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;#]+)\s*$")


def read_pins(text: str) -> dict[str, str]:
    """``name==version`` lines (comments and blank lines skipped) -> {canonical name: version};
    ValueError on any other line or a name pinned twice."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        if match is None:
            raise ValueError(f"line {number}: {raw!r} is not name==version")
        name = canonicalize_name(match["name"])
        if name in pins:
            raise ValueError(f"line {number}: {name} pinned twice")
        pins[name] = match["version"]
    return pins


def test_read_pins_accepts_pins_and_rejects_ranges_and_duplicates():
    assert read_pins("# c\n\nNumPy==2.1.0\npandas==2.2.3  # x\n") == {"numpy": "2.1.0", "pandas": "2.2.3"}
    with pytest.raises(ValueError, match="line 1"):
        read_pins("numpy>=2\n")
    with pytest.raises(ValueError, match="pinned twice"):
        read_pins("numpy==2.1\nnumpy==2.2\n")
    with pytest.raises(ValueError, match="not name==version"):
        read_pins("-e .\n")


@pytest.fixture(scope="module")
def pins() -> dict[str, str]:
    assert LOCK.is_file(), "requirements/constraints.txt is missing: run make lock"
    return read_pins(LOCK.read_text())


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _declared() -> list[Requirement]:
    project = _project()
    extras = project.get("optional-dependencies", {})
    return [Requirement(r) for r in project["dependencies"] + extras.get("test", []) + extras.get("browser", [])]


def test_the_package_itself_is_not_pinned(pins):
    assert canonicalize_name(_project()["name"]) not in pins


def test_every_declared_dependency_is_pinned_inside_its_declared_range(pins):
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} (pyproject.toml) is not in the lock file"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"lock pins {name}=={pins[name]}, outside pyproject's {requirement.specifier}")


def _installed_closure() -> dict[str, str]:
    """Every installed distribution reachable from the declared dependencies -> its version."""
    found: dict[str, str] = {}
    todo = list(_declared())
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue  # an optional part not installed here (rfc3987-syntax is removed on purpose)
        found[name] = dist.version
        for text in dist.requires or []:
            child = Requirement(text)
            wanted = [""] + sorted(requirement.extras)
            if child.marker is None or any(child.marker.evaluate({"extra": e}) for e in wanted):
                todo.append(child)
    return found


def test_every_installed_dependency_is_pinned_at_the_installed_version(pins):
    installed = _installed_closure()
    assert len(installed) > 50  # the walk really followed JupyterLab's tree
    missing = sorted(set(installed) - set(pins))
    assert missing == [], f"installed but not in the lock file: {missing}; run make lock"
    drift = {n: (v, pins[n]) for n, v in installed.items() if v != pins[n]}
    assert drift == {}, f"installed version differs from the lock (installed, locked): {drift}; " \
                        "run make setup (it reinstalls with the lock) or make lock"
