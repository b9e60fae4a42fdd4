"""Forecasting core: model choice by backtest, hand-computed scores, special days, AHT profile."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from ccops.wfm.forecast import (
    FLOOR,
    BacktestPlan,
    ForecastError,
    ForecastOptions,
    History,
    SpecialDay,
    apply_special_days,
    backtest,
    forecast_queue,
    histories_from_rows,
    history_from_daily,
    mase,
    neutralise,
    plan_backtest,
    wape,
)

MONDAY = date(2026, 1, 5)
WEEKLY = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.45, 0.25])  # Mon..Sun


def seasonal_history(days: int, seed: int = 1, per_hour: float = 40.0) -> History:
    """Hourly intervals, open 08:00-18:00 with a midday peak, a weekly shape and Poisson noise."""
    p = 24
    n = days * p
    hour = np.arange(n) % p
    weekday = (np.arange(n) // p) % 7
    open_ = (hour >= 8) & (hour < 18)
    shape = np.where(open_, np.sin(np.pi * (hour - 7.5) / 10.5), 0.0)
    rate = per_hour * shape * WEEKLY[weekday]
    y = np.random.default_rng(seed).poisson(rate).astype(float)
    handled = np.floor(y * 0.9)
    aht = np.where(handled > 0, 240.0 + 60.0 * (weekday == 0), np.nan)
    return History("general", "voice", 60, MONDAY, y, handled, aht)


def test_on_daily_and_weekly_seasonality_the_chosen_model_beats_seasonal_naive() -> None:
    history = seasonal_history(days=28)
    result = forecast_queue(history, ForecastOptions(horizon_days=7, windows=2))
    scores = result.backtest.scores
    assert result.model != FLOOR
    assert scores[result.model].wape < scores[FLOOR].wape
    assert scores[result.model].mase < scores[FLOOR].mase
    assert scores[FLOOR].mase == pytest.approx(1.0, abs=0.35)  # noise only: near the naive scale
    assert all(s.ok for s in scores.values()), scores
    # The forecast keeps the shape: closed at night, Monday busier than Sunday.
    assert result.first_day == MONDAY + timedelta(days=28)
    day = result.contacts.reshape(7, 24)
    assert day[:, :7].max() < 0.5
    assert day[0].sum() > 2.5 * day[6].sum()
    assert day[0].sum() == pytest.approx(40 * WEEKLY[0] * 6.7, rel=0.15)


def test_backtest_wape_and_mase_match_a_hand_computation() -> None:
    # Three weeks of daily volumes; seasonal naive repeats the week before each cutoff.
    week1 = [10, 12, 11, 9, 8, 4, 2]
    week2 = [12, 13, 10, 10, 9, 5, 3]
    week3 = [11, 15, 12, 8, 9, 6, 1]
    y = np.array(week1 + week2 + week3, dtype=float)
    plan = BacktestPlan(horizon_days=3, windows=2, step_days=4)
    result = backtest(y, 1, plan, models=[FLOOR])
    # Cutoffs at day 14 and day 18 (the last window ends with the series).
    assert result.cutoffs == (14, 18)
    # Window 1: days 14-16 actual 11,15,12 vs naive (days 7-9) 12,13,10 → |e| 1,2,2.
    # Window 2: days 18-20 actual 9,6,1 vs naive (days 11-13) 9,5,3 → |e| 0,1,2.
    assert result.scores[FLOOR].wape == pytest.approx((1 + 2 + 2 + 0 + 1 + 2) / (38 + 16))
    # MASE scale: mean |y[t] - y[t-7]| in the training part before each cutoff.
    scale1 = np.mean(np.abs(y[7:14] - y[0:7]))  # (2+1+1+1+1+1+1)/7
    scale2 = np.mean(np.abs(y[7:18] - y[0:11]))
    expected = ((5 / 3) / scale1 + (3 / 3) / scale2) / 2
    assert result.scores[FLOOR].mase == pytest.approx(expected)
    assert wape([11, 15, 12], [12, 13, 10]) == pytest.approx(5 / 38)
    assert mase([1, 2], [1, 2], [1, 1], season=7) != mase([1, 2], [1, 2], [1, 1], season=7)  # NaN


def test_a_backtest_needs_two_weeks_to_train_and_says_how_much_there_is() -> None:
    with pytest.raises(ForecastError, match="needs at least 15 days.*holds 3 days"):
        plan_backtest(3, 14)
    plan = plan_backtest(15, 14)
    assert (plan.horizon_days, plan.windows) == (1, 1)
    plan = plan_backtest(42, 14, windows=3)
    assert plan == BacktestPlan(horizon_days=7, windows=3, step_days=7)
    assert plan_backtest(20, 2, windows=3) == BacktestPlan(2, 3, 2)


def test_special_day_multipliers_scale_that_days_forecast() -> None:
    history = seasonal_history(days=21)
    holiday = SpecialDay(MONDAY + timedelta(days=22), 0.3, "holiday")  # the 2nd forecast day
    campaign = SpecialDay(MONDAY + timedelta(days=24), 1.5, "campaign")
    outside = SpecialDay(MONDAY + timedelta(days=60), 0.0)
    plain = forecast_queue(history, ForecastOptions(7, 1, (FLOOR,)))
    special = forecast_queue(history, ForecastOptions(7, 1, (FLOOR,), (holiday, campaign, outside)))
    ratio = special.contacts.reshape(7, 24).sum(axis=1) / plain.contacts.reshape(7, 24).sum(axis=1)
    assert ratio == pytest.approx([1.0, 0.3, 1.0, 1.5, 1.0, 1.0, 1.0])
    assert special.special_days == (holiday, campaign)
    assert [d["label"] for d in special.record()["special_days"]] == ["holiday", "campaign"]


def test_special_days_in_history_are_replaced_by_the_same_weekday_a_week_away() -> None:
    y = np.arange(21, dtype=float)
    holiday = MONDAY + timedelta(days=8)
    out, replaced = neutralise(y, MONDAY, 1, [holiday, MONDAY + timedelta(days=1)])
    assert out[8] == 15.0  # day 1 is special too, so the week after is used
    assert out[1] == 15.0  # day 8 is special, so day 15
    assert replaced == (MONDAY + timedelta(days=1), holiday)
    scaled, applied = apply_special_days(np.ones(4), MONDAY, 2, [SpecialDay(MONDAY, 0.5)])
    assert list(scaled) == [0.5, 0.5, 1.0, 1.0] and len(applied) == 1


def test_a_holiday_in_history_does_not_drag_the_forecast_down() -> None:
    history = seasonal_history(days=21)
    y = history.contacts.copy()
    last_monday = 14 * 24
    y[last_monday : last_monday + 24] *= 0.1  # a holiday on the last Monday of history
    hit = History("general", "voice", 60, MONDAY, y, history.handled, history.aht_seconds)
    holiday = SpecialDay(MONDAY + timedelta(days=14), 0.1)
    naive = forecast_queue(hit, ForecastOptions(7, 1, (FLOOR,)))
    aware = forecast_queue(hit, ForecastOptions(7, 1, (FLOOR,), (holiday,)))
    assert aware.neutralised_days == (holiday.day,)
    assert aware.contacts[:24].sum() > 5 * naive.contacts[:24].sum()


def test_aht_is_forecast_from_the_weekday_and_interval_profile() -> None:
    history = seasonal_history(days=21)
    result = forecast_queue(history, ForecastOptions(7, 1, (FLOOR,)))
    aht = result.aht_seconds.reshape(7, 24)
    assert aht[0, 12] == pytest.approx(300.0)  # Mondays are slower in this history
    assert aht[1, 12] == pytest.approx(240.0)
    weights = history.handled
    queue_mean = np.nansum(history.aht_seconds * weights) / weights.sum()
    assert 240.0 < queue_mean < 300.0
    assert aht[1, 3] == pytest.approx(queue_mean)  # nobody handled at 03:00: the queue's mean


def test_rows_from_the_catalog_become_zero_filled_series_per_queue() -> None:
    rows = [
        {"interval30": datetime(2026, 1, 5, 9, 0), "queue": "sales", "channel": "voice",
         "offered": 4, "handled": 3, "aht_seconds": 200.0},
        {"interval30": datetime(2026, 1, 5, 9, 30), "queue": "sales", "channel": "voice",
         "offered": 2, "handled": 2, "aht_seconds": 100.0},
        {"interval30": datetime(2026, 1, 6, 0, 0), "queue": "chat", "channel": "chat",
         "offered": 1, "handled": 0, "aht_seconds": None},
    ]  # fmt: skip
    chat, sales = histories_from_rows(rows, 30, date(2026, 1, 1), date(2026, 1, 10))
    assert (sales.first_day, sales.last_day, len(sales.contacts)) == (MONDAY, date(2026, 1, 6), 96)
    assert sales.contacts[18:20].tolist() == [4.0, 2.0] and sales.contacts.sum() == 6
    assert sales.aht_seconds[18] == 200.0 and math.isnan(sales.aht_seconds[0])
    assert (chat.first_day, chat.days, chat.contacts[0]) == (date(2026, 1, 6), 1, 1.0)


def test_a_daily_series_is_forecast_by_day() -> None:
    weeks = np.tile([100, 110, 105, 98, 90, 40, 20], 6) * np.linspace(1, 1.2, 42)
    result = forecast_queue(history_from_daily("bank", MONDAY, weeks), ForecastOptions(7, 2))
    assert len(result.contacts) == 7 and result.interval_minutes == 1440
    assert result.backtest.scores[result.model].wape < result.backtest.scores[FLOOR].wape
    assert np.isnan(result.aht_seconds).all()
