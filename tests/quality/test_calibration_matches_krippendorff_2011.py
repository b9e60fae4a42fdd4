"""Krippendorff's alpha against the worked examples of Krippendorff (2011), and evaluator bias.

K. Krippendorff, "Computing Krippendorff's Alpha-Reliability", Annenberg School for Communication,
University of Pennsylvania, 2011 (https://repository.upenn.edu/asc_papers/43).
"""

from __future__ import annotations

import math

import pytest

from ccops.quality.calibration import Rating, calibrate, evaluator_bias, krippendorff_alpha
from ccops.quality.forms import DEFAULT_FORM, ItemKind

N = None
# section C of the paper: 4 observers x 12 units, nominal values 1..5, missing data
RELIABILITY_DATA = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_matches_the_published_worked_example(level: str, published: float) -> None:
    assert round(krippendorff_alpha(RELIABILITY_DATA, level), 3) == published


def test_alpha_matches_the_two_observer_binary_example() -> None:
    # section A of the paper: alpha = 0.095
    data = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert round(krippendorff_alpha(data, "nominal"), 3) == 0.095


def test_alpha_does_not_depend_on_the_order_of_coders_or_units() -> None:
    reordered = [list(reversed(row)) for row in reversed(RELIABILITY_DATA)]
    assert krippendorff_alpha(reordered) == pytest.approx(krippendorff_alpha(RELIABILITY_DATA))


def test_perfect_agreement_is_one_and_no_variation_is_undefined() -> None:
    assert krippendorff_alpha([[1, 2, 3, N], [1, 2, 3, 4]], "interval") == pytest.approx(1.0)
    assert math.isnan(krippendorff_alpha([["yes", "yes"], ["yes", "yes"]]))
    assert math.isnan(krippendorff_alpha([[1, N], [N, 2]]))  # nothing pairable


def test_bias_is_measured_against_the_other_evaluators_or_an_expert() -> None:
    scores = {
        "ann": {"c1": 80.0, "c2": 70.0},
        "bob": {"c1": 80.0, "c2": 70.0},
        "cat": {"c1": 90.0, "c2": 80.0},  # ten points more lenient
    }
    bias = {b.evaluator: b for b in evaluator_bias(scores)}
    assert bias["cat"].mean_difference == pytest.approx(10.0)
    assert bias["ann"].mean_difference == pytest.approx(-5.0)
    assert bias["cat"].units == 2
    expert = evaluator_bias(scores, reference={"c1": 85.0, "c2": 75.0})
    assert [round(b.mean_difference, 6) for b in expert] == [-5.0, -5.0, 5.0]
    assert [b.mean_absolute_difference for b in expert] == [5.0, 5.0, 5.0]


def _answers(**changes: object) -> dict:
    base = {i.key: (4 if i.kind is ItemKind.SCALE else "yes") for i in DEFAULT_FORM.items()}
    return {**base, **changes}


def test_a_calibration_session_reports_per_item_and_form_agreement() -> None:
    ratings = [
        Rating(e, c, _answers(acc_correct_record=rec, att_courtesy=court))
        for e, c, rec, court in [
            ("ann", "c1", "yes", 5),
            ("bob", "c1", "yes", 5),
            ("cat", "c1", "yes", 4),
            ("ann", "c2", "no", 2),
            ("bob", "c2", "no", 2),
            ("cat", "c2", "yes", 3),
            ("ann", "c3", "yes", 3),
            ("bob", "c3", "yes", 3),
            ("cat", "c3", "yes", 3),
        ]
    ]
    report = calibrate(DEFAULT_FORM, ratings)
    assert report.evaluators == ("ann", "bob", "cat")
    assert report.contacts == ("c1", "c2", "c3")
    assert 0 < report.items["acc_correct_record"] < 1
    assert 0 < report.items["att_courtesy"] < 1
    assert math.isnan(report.items["acc_correct_answer"])  # everyone said yes everywhere
    assert 0 < report.form < 1
    bias = {b.evaluator: b.mean_difference for b in report.bias}
    assert bias["cat"] > 0 > bias["ann"]
    with_expert = calibrate(DEFAULT_FORM, ratings, expert="ann")
    assert [b.evaluator for b in with_expert.bias] == ["bob", "cat"]
    assert with_expert.bias[0].mean_difference == pytest.approx(0.0)
