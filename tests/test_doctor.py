"""iaptlab doctor: each check says ok on this (working) machine and says what to fix when broken."""

from __future__ import annotations

import importlib.metadata as metadata
import json
import re

import pytest

from iaptlab import doctor
from iaptlab.cli import main
from iaptlab.doctor import Finding


def test_python_version_threshold_both_sides():
    assert doctor.check_python((3, 11, 0)).ok
    assert doctor.check_python((3, 12, 4)).ok
    old = doctor.check_python((3, 10, 14))
    assert not old.ok and "3.10.14" in old.detail and "3.11" in old.fix


def test_version_tuple_orders_like_versions():
    assert doctor._version_tuple("2.10.0") > doctor._version_tuple("2.9.9")  # not string order
    assert doctor._version_tuple("1.6") == (1, 6)
    assert doctor._version_tuple("26.0rc1") == (26, 0)


def test_required_packages_match_pyproject():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    names = {dep.split(">=")[0].split("[")[0].strip() for dep in pyproject["project"]["dependencies"]}
    assert set(doctor.required_packages()) == names


def versions(table: dict[str, str]):
    def version_of(name: str) -> str:
        if name not in table:
            raise metadata.PackageNotFoundError(name)
        return table[name]
    return version_of


def test_packages_ok_at_minimum_and_above():
    wanted = {"pandas": "2.2", "altair": "5.4"}
    assert doctor.check_packages(wanted, versions({"pandas": "2.2", "altair": "6.3.0"})).ok


def test_packages_missing_and_too_old_are_named_with_the_fix():
    wanted = {"pandas": "2.2", "altair": "5.4", "anywidget": "0.9"}
    finding = doctor.check_packages(wanted, versions({"pandas": "2.1.9", "altair": "6.3.0"}))
    assert not finding.ok
    assert "missing: anywidget" in finding.detail
    assert "pandas 2.1.9 (needs 2.2 or newer)" in finding.detail
    assert "altair" not in finding.fix and "anywidget" in finding.fix and "pandas" in finding.fix


def test_widget_renderer_found_here_and_missing_in_an_empty_folder(tmp_path):
    assert doctor.check_widget_renderer().ok  # the real install
    empty = doctor.check_widget_renderer([tmp_path])
    assert not empty.ok and "jupyterlab-manager" in empty.detail and "anywidget" in empty.detail
    half = tmp_path / "anywidget"
    half.mkdir()
    (half / "package.json").write_text(json.dumps({"name": "anywidget"}))
    only_widgets_missing = doctor.check_widget_renderer([tmp_path])
    assert not only_widgets_missing.ok and "anywidget" not in only_widgets_missing.detail
    assert "jupyterlab_widgets" in only_widgets_missing.fix


def test_chart_renderer_interactive_svg_and_fallback(monkeypatch):
    import altair as alt

    before, options = alt.renderers.active, dict(alt.renderers.options)
    try:
        monkeypatch.delenv("IAPTLAB_RENDERER", raising=False)
        assert doctor.check_chart_renderer().ok
        monkeypatch.setenv("IAPTLAB_RENDERER", "svg")
        forced = doctor.check_chart_renderer()
        assert forced.ok and forced.warning and "IAPTLAB_RENDERER" in forced.fix
        monkeypatch.delenv("IAPTLAB_RENDERER")
        from iaptlab.charts import theme

        monkeypatch.setattr(theme, "_has", lambda module: module != "anywidget")
        fallback = doctor.check_chart_renderer()
        assert not fallback.ok and "anywidget" in fallback.fix
    finally:
        alt.renderers.enable(before, **options)


def test_offline_assets_have_no_web_address():
    finding = doctor.check_offline_assets()
    assert finding.ok, finding.detail
    assert "no web address" in finding.detail


def test_kernel_starts_and_imports_the_workbook():
    finding = doctor.check_kernel()
    assert finding.ok, finding.detail


def test_kernel_that_does_not_exist_is_reported():
    finding = doctor.check_kernel("no-such-kernel-iaptlab", timeout=10)
    assert not finding.ok and "no-such-kernel-iaptlab" in finding.detail and finding.fix


def test_report_marks_problems_and_warnings():
    text = doctor.findings_text([Finding("a", True, "fine"), Finding("b", True, "slow", "do y", warning=True),
                          Finding("c", False, "broken", "do z")])
    lines = text.splitlines()
    assert lines[0] == "ok    a: fine"
    assert lines[1].startswith("note  b: slow") and "-> do y" in lines[2]
    assert lines[3].startswith("FIX   c: broken") and "-> do z" in lines[4]
    assert lines[-1] == "1 problem to fix (see FIX above)."
    assert doctor.findings_text([Finding("a", True, "fine")]).endswith("should render, offline.")


@pytest.mark.parametrize(("broken", "code"), [(False, 0), (True, 1)])
def test_cli_doctor_exit_code(monkeypatch, capsys, broken, code):
    findings = [Finding("a", True, "fine")] + ([Finding("b", False, "broken", "fix b")] if broken else [])
    seen = {}

    def fake_run_checks(*, kernel=True):
        seen["kernel"] = kernel
        return findings

    monkeypatch.setattr(doctor, "run_checks", fake_run_checks)
    assert main(["doctor", "--no-kernel"]) == code
    out = capsys.readouterr().out
    assert "ok    a: fine" in out and seen["kernel"] is False
    assert ("FIX   b: broken" in out) is broken


def test_present_refuses_a_missing_notebook(tmp_path, capsys):
    assert main(["present", "--notebook", str(tmp_path / "nope.ipynb"), "--no-browser"]) == 2
    assert "no presentation notebook" in capsys.readouterr().err


def test_present_serves_on_loopback_only():
    from pathlib import Path

    from iaptlab.cli import present_command
    from iaptlab.lesson_files import workshop_notebook

    command = present_command(Path("w.ipynb"), 9000, open_browser=True)
    assert "--Voila.ip=127.0.0.1" in command and "--port=9000" in command
    assert "--no-browser" not in command
    assert workshop_notebook().is_file()


def test_offline_voila_template_has_no_web_links(tmp_path):
    pytest.importorskip("voila")
    from iaptlab.cli import write_offline_template

    text = (write_offline_template(tmp_path) / "index.html.j2").read_text()
    assert "{%- extends" in text or "{% extends" in text or "block" in text  # still Voila's template
    assert not re.search(r"""<link[^>]*href=["']https?://""", text)
