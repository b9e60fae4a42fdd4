"""Scoring: weights, N/A renormalisation and critical items agree with a hand calculation."""

from __future__ import annotations

import pytest

from ccops.quality.forms import (
    ACCURACY,
    DEFAULT_FORM,
    Form,
    FormError,
    Item,
    ItemKind,
    Section,
    from_dict,
    revise,
)
from ccops.quality.scoring import ScoringError, accuracy, score

FORM = Form(
    key="t",
    name="Test form",
    sections=(
        Section(ACCURACY, "Accuracy", 40, (Item("a1", "a1"), Item("a2", "a2"))),
        Section(
            "process",
            "Process",
            30,
            (Item("p1", "p1", weight=2), Item("p2", "p2"), Item("crit", "crit", critical=True)),
        ),
        Section(
            "attitude",
            "Attitude",
            20,
            (Item("s1", "s1", kind=ItemKind.SCALE, scale_min=1, scale_max=5, pass_mark=3),),
        ),
        Section("communication", "Communication", 10, (Item("c1", "c1"),)),
    ),
)
ANSWERS = {"a1": "yes", "a2": "na", "p1": True, "p2": "no", "crit": "yes", "s1": 4, "c1": "na"}


def test_weights_and_na_renormalise_as_calculated_by_hand() -> None:
    result = score(FORM, ANSWERS)
    # accuracy: a2 is N/A, so a1 alone: 1. process: (2*1 + 1*0 + 1*1) / 4 = 3/4.
    # attitude: (4 - 1) / (5 - 1) = 3/4. communication: all N/A, drops out; weights 40+30+20.
    assert result.sections == {
        ACCURACY: 1.0,
        "process": 0.75,
        "attitude": 0.75,
        "communication": None,
    }
    expected = 100 * (40 * 1 + 30 * 0.75 + 20 * 0.75) / 90
    assert result.score == pytest.approx(expected)
    assert result.score == pytest.approx(86.1111111)
    assert result.raw_score == result.score
    assert result.critical_failed == ()
    assert result.failed_items == ("p2",)
    assert result.accuracy_defect is False


def test_a_failed_critical_item_zeroes_the_evaluation_but_keeps_the_raw_score() -> None:
    result = score(FORM, {**ANSWERS, "crit": "no"})
    # process: (2*1 + 0 + 0) / 4 = 1/2 → raw = 100 * (40 + 15 + 15) / 90.
    assert result.score == 0.0
    assert result.raw_score == pytest.approx(100 * 70 / 90)
    assert result.critical_failed == ("crit",)


def test_any_failed_accuracy_item_is_an_accuracy_defect() -> None:
    assert score(FORM, {**ANSWERS, "a1": "no"}).accuracy_defect is True
    assert score(FORM, {**ANSWERS, "a1": "na", "a2": "na"}).accuracy_defect is None
    # a scale item fails below its pass mark, but not in the accuracy section: no defect
    below = score(FORM, {**ANSWERS, "s1": 2})
    assert below.failed_items == ("p2", "s1") and below.accuracy_defect is False


def test_accuracy_counts_evaluations_with_the_flag_set() -> None:
    assert accuracy([False, False, True, None]) == pytest.approx(2 / 3)
    assert accuracy([None]) is None


def test_an_evaluation_with_nothing_applicable_has_no_score() -> None:
    everything_na = dict.fromkeys(ANSWERS, "na")
    result = score(FORM, everything_na)
    assert result.score is None and result.accuracy_defect is None


def test_the_default_form_weighs_accuracy_first() -> None:
    assert [(s.key, s.weight) for s in DEFAULT_FORM.sections] == [
        ("accuracy", 40),
        ("process_compliance", 30),
        ("attitude", 20),
        ("communication", 10),
    ]
    perfect = {
        i.key: (i.scale_max if i.kind is ItemKind.SCALE else "yes") for i in DEFAULT_FORM.items()
    }
    assert score(DEFAULT_FORM, perfect).score == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({k: v for k, v in ANSWERS.items() if k != "a1"}, "not answered"),
        ({**ANSWERS, "zz": "yes"}, "no item"),
        ({**ANSWERS, "s1": 9}, "off the scale"),
        ({**ANSWERS, "a1": "maybe"}, "yes/no"),
    ],
)
def test_answers_that_do_not_fit_the_form_are_refused(answers: dict, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        score(FORM, answers)


def test_na_is_refused_where_the_item_does_not_allow_it() -> None:
    answers = {i.key: "yes" for i in DEFAULT_FORM.items()}
    answers["acc_correct_answer"] = "na"
    with pytest.raises(ScoringError, match="cannot be N/A"):
        score(DEFAULT_FORM, answers)


def test_a_form_survives_its_json_definition_and_revisions_take_the_next_version() -> None:
    assert from_dict(DEFAULT_FORM.to_dict()) == DEFAULT_FORM
    v2 = revise(DEFAULT_FORM, name="Contact evaluation 2")
    assert (v2.key, v2.version, v2.name) == ("default", 2, "Contact evaluation 2")
    assert v2.sections == DEFAULT_FORM.sections


@pytest.mark.parametrize(
    "broken",
    [
        {"key": "x", "sections": []},
        {"key": "x", "sections": [{"key": "s", "weight": 0, "items": [{"key": "i"}]}]},
        {
            "key": "x",
            "sections": [{"key": "s", "weight": 1, "items": [{"key": "i"}, {"key": "i"}]}],
        },
        {
            "key": "x",
            "sections": [
                {
                    "key": "s",
                    "weight": 1,
                    "items": [{"key": "i", "kind": "scale", "scale_max": 5, "critical": True}],
                }
            ],
        },
        {"key": "x"},
    ],
)
def test_broken_form_definitions_are_refused(broken: dict) -> None:
    with pytest.raises(FormError):
        from_dict(broken)
