"""Quality management: forms, scoring, sampling, calibration, the onion review (pure domain)."""

from ccops.quality.calibration import Level, calibrate, evaluator_bias, krippendorff_alpha
from ccops.quality.forms import ACCURACY, DEFAULT_FORM, Form, FormError, Item, ItemKind, Section
from ccops.quality.onion import AgentFigures, Targets, bottom, history, review, track
from ccops.quality.sampling import Candidate, Evaluator, TargetRule, assign, draw, iso_week
from ccops.quality.scorecard import scorecard
from ccops.quality.scoring import NA, Result, ScoringError, accuracy, score

__all__ = [
    "ACCURACY",
    "DEFAULT_FORM",
    "NA",
    "AgentFigures",
    "Candidate",
    "Evaluator",
    "Form",
    "FormError",
    "Item",
    "ItemKind",
    "Level",
    "Result",
    "ScoringError",
    "Section",
    "TargetRule",
    "Targets",
    "accuracy",
    "assign",
    "bottom",
    "calibrate",
    "draw",
    "evaluator_bias",
    "history",
    "iso_week",
    "krippendorff_alpha",
    "review",
    "score",
    "scorecard",
    "track",
]
