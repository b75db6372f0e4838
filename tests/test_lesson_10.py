"""Lesson 10: the RoB 2 helper, the moved exercises' answers, and the lesson's sourced questions.

Expected answers are the judgements argued in the lesson's instructor notes, written out here in
plain text (tests are not shipped to learners), never read back from the answer store.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from iaptlab import datasets
from iaptlab import fair_evaluation as fair
from iaptlab.errors import ParameterError
from iaptlab.exercises import check, question_ids

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "10_critique_and_fair_evaluation.ipynb"


def _rob(a1, a2, a3, a4, a5):
    return fair.rob2_answer(dict(zip(fair.ROB2_DOMAIN4, (a1, a2, a3, a4, a5), strict=True)))


def test_rob2_answer_normalises_words_and_codes():
    answer = fair.rob2_answer({"4.1": "probably no", "4.2": "py", " 4.3 ": "Yes", "4.4": "Y",
                               "4.5": "No information"})
    assert answer == "4.1=PN; 4.2=PY; 4.3=Y; 4.4=Y; 4.5=NI"


@pytest.mark.parametrize("bad, match", [({"4.1": "maybe", "4.2": "Y", "4.3": "Y", "4.4": "Y",
                                          "4.5": "Y"}, "4.1"),
                                        ({"4.6": "Y"}, "4.6"), (["Y"], "dict")])
def test_rob2_answer_names_the_problem(bad, match):
    with pytest.raises(ParameterError, match=match):
        fair.rob2_answer(bad)


def test_blank_rob2_answer_is_not_yet():
    assert fair.rob2_answer(...) is ...
    assert not check("10.rob_iapt", fair.rob2_answer(...)).correct


def test_rob_iapt_accepts_the_defensible_range_only():
    # Judgements (see the instructor notes): 4.1 N/PN, 4.2-4.4 Y/PY, 4.5 PY/PN/NI.
    assert check("10.rob_iapt", _rob("PN", "PY", "Y", "Y", "NI")).correct
    assert check("10.rob_iapt", _rob("N", "Y", "PY", "PY", "PN")).correct
    assert not check("10.rob_iapt", _rob("PY", "Y", "PY", "PY", "PN")).correct  # one 4.1 rule, both sides
    assert not check("10.rob_iapt", _rob("PN", "PY", "N", "Y", "NI")).correct  # the client knows
    assert not check("10.rob_iapt", _rob("Y", "PY", "Y", "Y", "NI")).correct
    assert not check("10.rob_iapt", _rob("PN", "N", "Y", "Y", "NI")).correct


def test_rob_critic_accepts_the_defensible_range_only():
    # 4.1 N/PN/NI, 4.2-4.4 Y/PY, 4.5 PY/PN/NI.
    assert check("10.rob_critic", _rob("PN", "Y", "Y", "Y", "NI")).correct
    assert check("10.rob_critic", _rob("NI", "PY", "Y", "PY", "PY")).correct
    assert not check("10.rob_critic", _rob("PN", "Y", "N", "Y", "NI")).correct  # he knew
    assert not check("10.rob_critic", _rob("PN", "N", "Y", "Y", "NI")).correct  # no baseline
    assert not check("10.rob_critic", _rob("PN", "Y", "Y", "Y", "N")).correct


def test_design_answer():
    good = {"blind_interview", "comparison_group", "follow_up", "preregistered",
            "meaning_to_users", "everyone_counted"}
    assert good <= set(fair.DESIGN_OPTIONS)
    assert check("10.fair_design", sorted(good)).correct
    assert not check("10.fair_design", good - {"follow_up"}).correct
    assert not check("10.fair_design", good | {"finishers_only"}).correct


def test_design_menu_does_not_list_the_answers_first():
    options = list(fair.design_table()["option"])
    assert options[0] not in {"blind_interview", "comparison_group", "follow_up"}


def test_tables_for_display():
    assert fair.rob2_table()["wording"].str.endswith("?").all()
    assert isinstance(fair.design_table(), pd.DataFrame)


def test_the_moved_questions_live_in_lesson_10_only():
    assert question_ids("10") == ["10.rob_iapt", "10.rob_critic", "10.fair_design"]
    assert not {"07.rob_iapt", "07.rob_critic", "07.fair_design"} & set(question_ids())


def _learner_text() -> str:
    cells = nbformat.read(LESSON, as_version=4).cells
    return "\n".join(c.source for c in cells if c.cell_type == "markdown"
                     and not c.source.lstrip().startswith("<!-- INSTRUCTOR"))


def test_ethics_and_equity_are_asked_as_sourced_questions():
    text = _learner_text()
    for heading in ("## 3 · Ethics", "## 4 · Equity", "## 5 · Durability"):
        section = text.split(heading, 1)[1].split("\n## ", 1)[0]
        assert section.count("?") >= 3, heading  # questions, not verdicts
    for topic in ("Expert Witness", "Mr X", "suppress", "ethnicity", "deprivation", "relapse",
                  "read aloud", "telephone"):
        assert topic.lower() in text.lower(), topic


def test_every_cited_source_is_in_the_bundled_sources():
    cells = nbformat.read(LESSON, as_version=4).cells
    references = next(c.source for c in cells if "show_references(" in c.source)
    cited = re.findall(r'"([a-z0-9_]+)"', references.split("datasets_used")[0])
    known = datasets.sources()
    assert cited and all(key in known for key in cited)
    for key in ("harwood_2023", "delgadillo_2016", "nhsd_iapt_guide_2019", "opensafely_ehrql_disclosure",
                "jos_1998_interview_mode", "drew_2021", "clark_2009"):
        assert key in cited, key


def test_deprivation_figures_match_their_source_entry():
    # The two shares quoted in section 4 are the ones recorded in the source's metadata.
    text, metadata = _learner_text(), datasets.sources()["delgadillo_2016"]["metadata"]
    for figure in ("72.5%", "43.1%"):
        assert figure in text and figure in metadata
