"""Contact volume and handle time per interval, per queue and channel, from history.

Volume is forecast by statsforecast models and the best one per queue is chosen by a rolling-origin
backtest (several cutoffs), scored by WAPE and MASE:

- ``SeasonalNaive``: the same interval one week earlier (the floor every other model must beat);
- ``MSTL``: the interval series decomposed into daily and weekly seasonality (LOESS), the trend
  forecast by a non-seasonal ETS;
- ``AutoETS`` and ``AutoARIMA``: fitted on daily totals with weekly seasonality and spread over the
  day by each weekday's intraday profile (the classic top-down WFM method; ETS cannot hold a
  seasonal period of 48 or 96 intervals and seasonal ARIMA at that length is unaffordable).

Average handle time is forecast as a profile: the handled-weighted mean AHT of each weekday and
interval of the day over the last weeks, falling back to the interval of any weekday, then to the
queue's mean.

Special days (holidays, campaigns) are multipliers on a day's forecast volume; on fitting, the
history of those days is replaced by the same intervals a week before (or after), so one odd day
does not teach the models a false pattern.

Time runs on the center's wall clock: the interval grid is local and naive (a 23-hour day has two
empty intervals, a 25-hour day sums its repeated hour into one), and missing intervals are zero
volume (a center closed at night receives no contacts), not missing data.

Pure: numpy, pandas and statsforecast; the history comes in as plain rows.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from ccops.wfm._arrays import FloatArray

MODELS = ("SeasonalNaive", "MSTL", "AutoETS", "AutoARIMA")
FLOOR = "SeasonalNaive"
DAILY_MODELS = frozenset({"AutoETS", "AutoARIMA"})  # fitted on daily totals, spread by profile
MIN_TRAIN_DAYS = 14  # two weekly cycles: what weekly seasonality needs to be estimated
MAX_BACKTEST_DAYS = 7
AHT_WEEKS = 4
INTERVAL_MINUTES = (15, 30, 60, 1440)
WEEK_DAYS = 7

ArrayLikeF = Sequence[float] | FloatArray


class ForecastError(ValueError):
    """The forecast cannot be made as asked; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class SpecialDay:
    """A day whose volume differs from a normal day by a factor (holiday 0.3, campaign 1.5)."""

    day: date
    multiplier: float
    label: str = ""


@dataclass(frozen=True)
class History:
    """One queue's history on a complete local interval grid (missing intervals are zero)."""

    queue: str
    channel: str
    interval_minutes: int
    first_day: date
    contacts: FloatArray
    handled: FloatArray
    aht_seconds: FloatArray  # NaN where nothing was handled

    @property
    def periods_per_day(self) -> int:
        """Intervals in one day (1 for a daily series)."""
        return 1440 // self.interval_minutes

    @property
    def days(self) -> int:
        """Whole days of history."""
        return len(self.contacts) // self.periods_per_day

    @property
    def last_day(self) -> date:
        """The last day of history (inclusive)."""
        return self.first_day + timedelta(days=self.days - 1)

    def starts(self) -> pd.DatetimeIndex:
        """The local (naive) start of every interval."""
        return _grid(self.first_day, self.days, self.interval_minutes)


@dataclass(frozen=True)
class Score:
    """A model's backtest: WAPE and MASE over every cutoff, or why it could not be fitted."""

    model: str
    wape: float
    mase: float
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the model produced a forecast at every cutoff."""
        return self.error is None and math.isfinite(self.wape)


@dataclass(frozen=True)
class Backtest:
    """A rolling-origin backtest: the cutoffs, the horizon, each model's score and the winner."""

    cutoffs: tuple[int, ...]  # indices into the series where each test window starts
    horizon: int  # periods forecast from each cutoff
    scores: dict[str, Score]
    chosen: str

    def as_json(self) -> dict[str, dict[str, float | str | None]]:
        """Scores per model as plain values (for storage and JSON output)."""
        return {
            name: {
                "wape": _finite(s.wape),
                "mase": _finite(s.mase),
                "seconds": round(s.seconds, 3),
                "error": s.error,
            }
            for name, s in self.scores.items()
        }


@dataclass(frozen=True)
class QueueForecast:
    """The forecast for one queue and channel: volume and AHT per interval, with its backtest."""

    queue: str
    channel: str
    interval_minutes: int
    history_first_day: date
    history_last_day: date
    first_day: date
    starts: pd.DatetimeIndex  # local, naive
    contacts: FloatArray
    aht_seconds: FloatArray
    backtest: Backtest
    special_days: tuple[SpecialDay, ...] = ()
    neutralised_days: tuple[date, ...] = ()

    @property
    def model(self) -> str:
        """The model chosen by the backtest."""
        return self.backtest.chosen

    @property
    def last_day(self) -> date:
        """The last forecast day (inclusive)."""
        return self.first_day + timedelta(
            days=len(self.contacts) * self.interval_minutes // 1440 - 1
        )

    def utc_starts(
        self, time_zone: str
    ) -> tuple[list[datetime], np.ndarray[Any, np.dtype[np.bool_]]]:
        """Interval starts as naive UTC, and which local starts exist (skips a DST gap).

        In the repeated hour of a DST change the first occurrence is taken.
        """
        if time_zone == "UTC":
            return list(self.starts.to_pydatetime()), np.ones(len(self.starts), dtype=bool)
        tz = ZoneInfo(time_zone)
        local = self.starts.tz_localize(
            tz, ambiguous=np.ones(len(self.starts), dtype=bool), nonexistent="NaT"
        )
        exists = np.asarray(~local.isna(), dtype=bool)
        utc = local[exists].tz_convert("UTC").tz_localize(None)
        return list(utc.to_pydatetime()), exists

    def record(self, time_zone: str = "UTC") -> dict[str, Any]:
        """Plain values for the store: what was forecast, how, and every interval (UTC)."""
        starts, exists = self.utc_starts(time_zone)
        contacts = self.contacts[exists]
        aht = self.aht_seconds[exists]
        return {
            "queue": self.queue,
            "channel": self.channel,
            "model": self.model,
            "interval_minutes": self.interval_minutes,
            "time_zone": time_zone,
            "history_start": self.history_first_day,
            "history_end": self.history_last_day,
            "horizon_start": self.first_day,
            "horizon_end": self.last_day,
            "backtest": self.backtest.as_json(),
            "special_days": [
                {"day": s.day.isoformat(), "multiplier": s.multiplier, "label": s.label}
                for s in self.special_days
            ],
            "intervals": [
                (s, float(c), None if math.isnan(a) else float(a))
                for s, c, a in zip(starts, contacts, aht, strict=True)
            ],
        }

    def as_json(self, time_zone: str = "UTC", intervals: bool = True) -> dict[str, Any]:
        """JSON-ready values: the record with ISO dates, and intervals by local and UTC start."""
        record = self.record(time_zone)
        _, exists = self.utc_starts(time_zone)
        local = self.starts[exists]
        out: dict[str, Any] = {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in record.items()
            if k != "intervals"
        }
        out["neutralised_days"] = [d.isoformat() for d in self.neutralised_days]
        out["total_contacts"] = round(float(self.contacts.sum()), 1)
        if intervals:
            out["intervals"] = [
                {
                    "start": ts.isoformat(),
                    "start_utc": utc.isoformat() + "Z",
                    "contacts": round(contacts, 3),
                    "aht_seconds": None if aht is None else round(aht, 1),
                }
                for ts, (utc, contacts, aht) in zip(local, record["intervals"], strict=True)
            ]
        return out


# --- history --------------------------------------------------------------------------------


def _grid(first_day: date, days: int, interval_minutes: int) -> pd.DatetimeIndex:
    start = pd.Timestamp(first_day)
    return pd.date_range(
        start, periods=days * 1440 // interval_minutes, freq=f"{interval_minutes}min"
    )


def _as_timestamp(value: object) -> pd.Timestamp:
    if isinstance(value, datetime):
        return pd.Timestamp(value.replace(tzinfo=None))
    if isinstance(value, date):
        return pd.Timestamp(value)
    return pd.Timestamp(str(value))


def time_key(interval_minutes: int) -> str:
    """The report dimension that buckets by this interval length."""
    if interval_minutes not in INTERVAL_MINUTES:
        raise ForecastError(
            f"interval must be one of {', '.join(map(str, INTERVAL_MINUTES))} minutes, "
            f"not {interval_minutes}"
        )
    return {15: "interval15", 30: "interval30", 60: "hour", 1440: "day"}[interval_minutes]


def histories_from_rows(
    rows: Iterable[Mapping[str, Any]],
    interval_minutes: int,
    start: date,
    end: date,
) -> list[History]:
    """Per queue and channel, a complete interval grid from report rows.

    Rows carry the time bucket (``interval30`` etc.), ``queue``, ``channel``, ``offered``,
    ``handled`` and ``aht_seconds`` (the metric catalog's report). A queue's history starts on its
    first day with contacts (it may be newer than `start`); every queue ends on the last day with
    contacts in any queue (or `end`), so all forecasts start on the same day.
    """
    key = time_key(interval_minutes)
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return []
    frame["ts"] = [_as_timestamp(v) for v in frame[key]]
    frame = frame[
        (frame.ts >= pd.Timestamp(start)) & (frame.ts < pd.Timestamp(end) + pd.Timedelta(days=1))
    ]
    frame = frame[frame.offered.fillna(0) > 0]
    if frame.empty:
        return []
    frame["channel"] = frame["channel"].fillna("")
    last_day = min(end, max(frame.ts).date())
    out: list[History] = []
    for (queue, channel), part in frame.groupby(["queue", "channel"], sort=True):
        first_day = max(start, min(part.ts).date())
        days = (last_day - first_day).days + 1
        if days <= 0:
            continue
        grid = _grid(first_day, days, interval_minutes)
        position = (
            (part.ts - pd.Timestamp(first_day)) // pd.Timedelta(minutes=interval_minutes)
        ).to_numpy()
        keep = (position >= 0) & (position < len(grid))
        contacts = np.zeros(len(grid))
        handled = np.zeros(len(grid))
        handle = np.zeros(len(grid))
        idx = position[keep].astype(np.int64)
        offered = part.offered.fillna(0).to_numpy(dtype=np.float64)[keep]
        done = part.handled.fillna(0).to_numpy(dtype=np.float64)[keep]
        aht = part.aht_seconds.to_numpy(dtype=np.float64, na_value=np.nan)[keep]
        np.add.at(contacts, idx, offered)
        np.add.at(handled, idx, done)
        np.add.at(handle, idx, np.where(np.isnan(aht), 0.0, aht) * done)
        with np.errstate(invalid="ignore", divide="ignore"):
            aht_grid = np.where(handled > 0, handle / handled, np.nan)
        out.append(
            History(
                str(queue), str(channel), interval_minutes, first_day, contacts, handled, aht_grid
            )
        )
    return out


def history_from_daily(
    queue: str, first_day: date, volumes: Sequence[float], channel: str = "voice"
) -> History:
    """A daily volume series (one value per day) as a history without handle times."""
    y = np.asarray(volumes, dtype=np.float64)
    return History(queue, channel, 1440, first_day, y, np.zeros_like(y), np.full_like(y, np.nan))


# --- special days ---------------------------------------------------------------------------


def neutralise(
    y: FloatArray, first_day: date, periods_per_day: int, special: Iterable[date]
) -> tuple[FloatArray, tuple[date, ...]]:
    """History with each special day replaced by the same day a week before (or after).

    The nearest non-special day in the same weekday within two weeks is used; a special day
    with none such is left as it is. Returns the series and the days replaced.
    """
    special_set = set(special)
    out = y.copy()
    days = len(y) // periods_per_day
    replaced: list[date] = []
    for day in sorted(special_set):
        i = (day - first_day).days
        if not 0 <= i < days:
            continue
        for shift in (-7, 7, -14, 14):
            j = i + shift
            if 0 <= j < days and first_day + timedelta(days=j) not in special_set:
                out[i * periods_per_day : (i + 1) * periods_per_day] = y[
                    j * periods_per_day : (j + 1) * periods_per_day
                ]
                replaced.append(day)
                break
    return out, tuple(replaced)


def apply_special_days(
    contacts: FloatArray, first_day: date, periods_per_day: int, special: Iterable[SpecialDay]
) -> tuple[FloatArray, tuple[SpecialDay, ...]]:
    """The forecast with each special day's volume multiplied; returns the days applied."""
    out = contacts.copy()
    days = len(contacts) // periods_per_day
    applied: list[SpecialDay] = []
    for s in sorted(special, key=lambda s: s.day):
        i = (s.day - first_day).days
        if 0 <= i < days:
            out[i * periods_per_day : (i + 1) * periods_per_day] *= s.multiplier
            applied.append(s)
    return out, tuple(applied)


# --- scores ---------------------------------------------------------------------------------


def wape(actual: ArrayLikeF, forecast: ArrayLikeF) -> float:
    """Weighted absolute percentage error: Σ|actual − forecast| ÷ Σ|actual| (NaN if Σ is 0)."""
    a = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    total = float(np.abs(a).sum())
    return float(np.abs(a - f).sum() / total) if total > 0 else math.nan


def mase(actual: ArrayLikeF, forecast: ArrayLikeF, train: ArrayLikeF, season: int) -> float:
    """Mean absolute scaled error: MAE ÷ in-sample MAE of the seasonal naive forecast."""
    a = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    t = np.asarray(train, dtype=np.float64)
    if len(t) <= season:
        return math.nan
    scale = float(np.abs(t[season:] - t[:-season]).mean())
    return float(np.abs(a - f).mean() / scale) if scale > 0 else math.nan


def _finite(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


# --- models ---------------------------------------------------------------------------------


def _statsforecast_models(name: str, periods_per_day: int) -> list[Any]:
    """The statsforecast model behind a candidate name (daily models take daily totals)."""
    from statsforecast.models import (
        MSTL,
        AutoARIMA,
        AutoETS,
        SeasonalNaive,
    )

    week = periods_per_day * WEEK_DAYS
    if name == "SeasonalNaive":
        return [SeasonalNaive(season_length=week, alias=name)]
    if name == "MSTL":
        seasons = [periods_per_day, week] if periods_per_day > 1 else [week]
        return [MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"), alias=name)]
    if name == "AutoETS":
        return [AutoETS(season_length=WEEK_DAYS, alias=name)]
    if name == "AutoARIMA":
        return [AutoARIMA(season_length=WEEK_DAYS, alias=name)]
    raise ForecastError(f"unknown model {name!r}; known: {', '.join(MODELS)}")


def _predict(name: str, train: FloatArray, horizon: int, periods_per_day: int) -> FloatArray:
    """Forecast `horizon` periods after `train` with one candidate (non-negative)."""
    from statsforecast import StatsForecast

    daily = name in DAILY_MODELS and periods_per_day > 1
    if daily:
        y = train.reshape(-1, periods_per_day).sum(axis=1)
        h = math.ceil(horizon / periods_per_day)
    else:
        y, h = train, horizon
    frame = pd.DataFrame({"unique_id": "q", "ds": np.arange(len(y)), "y": y})
    engine = StatsForecast(models=_statsforecast_models(name, periods_per_day), freq=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = engine.forecast(h=h, df=frame)
    values: FloatArray = np.clip(np.asarray(out[name], dtype=np.float64), 0.0, None)
    if not np.all(np.isfinite(values)):
        raise ForecastError(f"{name} produced non-finite values")
    if daily:
        shares = intraday_profile(train, periods_per_day)
        first_weekday = (len(train) // periods_per_day) % WEEK_DAYS  # relative to train start
        rows = [shares[(first_weekday + d) % WEEK_DAYS] * values[d] for d in range(h)]
        spread: FloatArray = np.concatenate(rows)[:horizon]
        return spread
    return values


def intraday_profile(train: FloatArray, periods_per_day: int, weeks: int = AHT_WEEKS) -> FloatArray:
    """Each weekday's share of the day's volume per interval, over the last `weeks` weeks.

    Rows are weekdays relative to the start of `train` (row 0 = its first day's weekday).
    A weekday with no volume at all takes the mean shape of the other days.
    """
    days = len(train) // periods_per_day
    by_day = train[: days * periods_per_day].reshape(days, periods_per_day)
    keep = max(0, days - weeks * WEEK_DAYS)
    sums = np.zeros((WEEK_DAYS, periods_per_day))
    for d in range(keep, days):
        sums[d % WEEK_DAYS] += by_day[d]
    overall = sums.sum(axis=0)
    fallback = (
        overall / overall.sum()
        if overall.sum() > 0
        else np.full(periods_per_day, 1.0 / periods_per_day)
    )
    totals = sums.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, sums / totals, fallback)
    return np.asarray(shares, dtype=np.float64)


def aht_profile(history: History, horizon_days: int, weeks: int = AHT_WEEKS) -> FloatArray:
    """Forecast AHT per interval: handled-weighted mean per weekday and interval of the day.

    Falls back to the interval of the day over every weekday, then to the queue's mean; NaN if
    nothing was handled at all.
    """
    p = history.periods_per_day
    days = history.days
    keep = max(0, days - weeks * WEEK_DAYS)
    handled = history.handled[: days * p].reshape(days, p)[keep:]
    aht = np.nan_to_num(history.aht_seconds[: days * p].reshape(days, p)[keep:])
    seconds = np.zeros((WEEK_DAYS, p))
    counts = np.zeros((WEEK_DAYS, p))
    for row, d in enumerate(range(keep, days)):
        seconds[d % WEEK_DAYS] += aht[row] * handled[row]
        counts[d % WEEK_DAYS] += handled[row]
    total = counts.sum()
    queue_mean = seconds.sum() / total if total > 0 else math.nan
    slot_counts = counts.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        slot_mean = np.where(slot_counts > 0, seconds.sum(axis=0) / slot_counts, queue_mean)
        cell = np.where(counts > 0, seconds / counts, slot_mean[None, :])
    first_weekday = days % WEEK_DAYS
    rows = [cell[(first_weekday + d) % WEEK_DAYS] for d in range(horizon_days)]
    return np.asarray(np.concatenate(rows), dtype=np.float64)


# --- backtest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacktestPlan:
    """Cutoffs: `windows` of them, `step_days` apart, each forecasting `horizon_days` days."""

    horizon_days: int
    windows: int
    step_days: int


def plan_backtest(history_days: int, horizon_days: int, windows: int = 3) -> BacktestPlan:
    """Cutoffs that leave at least two weeks to train on, spread up to a week apart.

    Raises `ForecastError` when there is not enough history for weekly seasonality.
    """
    spare = history_days - MIN_TRAIN_DAYS
    if spare < 1:
        raise ForecastError(
            f"needs at least {MIN_TRAIN_DAYS + 1} days of history (2 weeks for weekly "
            f"seasonality and 1 day to backtest on); the history holds {history_days} "
            f"day{'s' if history_days != 1 else ''}: widen --from/--to or load more history"
        )
    h = max(1, min(horizon_days, MAX_BACKTEST_DAYS, spare))
    n = max(1, min(windows, spare - h + 1))
    step = 0 if n == 1 else max(1, min(WEEK_DAYS, (spare - h) // (n - 1)))
    return BacktestPlan(h, n, step)


def backtest(
    y: FloatArray,
    periods_per_day: int,
    plan: BacktestPlan,
    models: Sequence[str] = MODELS,
) -> Backtest:
    """Rolling-origin backtest: refit each model at each cutoff, forecast, score.

    WAPE pools every window (Σ|error| ÷ Σ actual); MASE is the mean over windows of the window's
    MAE ÷ the in-sample MAE of the weekly seasonal naive forecast up to that cutoff. The chosen
    model has the lowest WAPE (MASE breaks ties); the floor is always a candidate.
    """
    h = plan.horizon_days * periods_per_day
    step = plan.step_days * periods_per_day
    cutoffs = tuple(len(y) - h - k * step for k in reversed(range(plan.windows)))
    season = periods_per_day * WEEK_DAYS
    names = list(dict.fromkeys([FLOOR, *models]))
    scores: dict[str, Score] = {}
    for name in names:
        started = time.perf_counter()
        errors: list[FloatArray] = []
        actuals: list[FloatArray] = []
        mases: list[float] = []
        try:
            for c in cutoffs:
                predicted = _predict(name, y[:c], h, periods_per_day)
                actual = y[c : c + h]
                errors.append(np.abs(actual - predicted))
                actuals.append(actual)
                mases.append(mase(actual, predicted, y[:c], season))
        except Exception as exc:  # a model that cannot fit this series is out, with the reason
            scores[name] = Score(
                name, math.nan, math.nan, time.perf_counter() - started, _reason(exc)
            )
            continue
        total = float(np.concatenate(actuals).sum())
        pooled = float(np.concatenate(errors).sum() / total) if total > 0 else math.nan
        finite = [m for m in mases if math.isfinite(m)]
        scores[name] = Score(
            name,
            pooled,
            float(np.mean(finite)) if finite else math.nan,
            time.perf_counter() - started,
        )
    return Backtest(cutoffs, h, scores, choose(scores))


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def choose(scores: Mapping[str, Score]) -> str:
    """The model with the lowest WAPE (then MASE); the floor when nothing scored."""
    ok = [s for s in scores.values() if s.ok]
    if not ok:
        return FLOOR
    best = min(ok, key=lambda s: (round(s.wape, 12), s.mase if math.isfinite(s.mase) else math.inf))
    return best.model


# --- forecast -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastOptions:
    """What to forecast and how to choose the model (checked on construction)."""

    horizon_days: int = 14
    windows: int = 3
    models: tuple[str, ...] = MODELS
    special_days: tuple[SpecialDay, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.horizon_days < 1:
            raise ForecastError("the horizon must be at least 1 day")
        if self.windows < 1:
            raise ForecastError("the backtest needs at least 1 cutoff")
        unknown = [m for m in self.models if m not in MODELS]
        if unknown:
            raise ForecastError(
                f"unknown model(s) {', '.join(unknown)}; known: {', '.join(MODELS)}"
            )


def forecast_queue(history: History, options: ForecastOptions) -> QueueForecast:
    """Backtest the candidates on one queue's history, then forecast with the best of them."""
    p = history.periods_per_day
    plan = plan_backtest(history.days, options.horizon_days, options.windows)
    y, neutralised = neutralise(
        history.contacts[: history.days * p],
        history.first_day,
        p,
        (s.day for s in options.special_days),
    )
    result = backtest(y, p, plan, options.models)
    h = options.horizon_days * p
    try:
        volume = _predict(result.chosen, y, h, p)
    except Exception:  # fitted at every cutoff but not on the whole history: fall back
        volume = _predict(FLOOR, y, h, p)
        result = Backtest(result.cutoffs, result.horizon, result.scores, FLOOR)
    first_day = history.last_day + timedelta(days=1)
    volume, applied = apply_special_days(volume, first_day, p, options.special_days)
    return QueueForecast(
        queue=history.queue,
        channel=history.channel,
        interval_minutes=history.interval_minutes,
        history_first_day=history.first_day,
        history_last_day=history.last_day,
        first_day=first_day,
        starts=_grid(first_day, options.horizon_days, history.interval_minutes),
        contacts=volume,
        aht_seconds=aht_profile(history, options.horizon_days),
        backtest=result,
        special_days=applied,
        neutralised_days=neutralised,
    )


def forecast(
    histories: Sequence[History],
    options: ForecastOptions,
    on_done: Callable[[History, QueueForecast | None, str | None], None] | None = None,
) -> tuple[list[QueueForecast], list[tuple[History, str]]]:
    """Forecast every queue; a queue that cannot be forecast is skipped with the reason.

    `on_done(history, forecast or None, reason or None)` is called after each queue (progress).
    """
    done: list[QueueForecast] = []
    skipped: list[tuple[History, str]] = []
    for history in histories:
        try:
            result = forecast_queue(history, options)
        except ForecastError as exc:
            skipped.append((history, str(exc)))
            if on_done is not None:
                on_done(history, None, str(exc))
            continue
        done.append(result)
        if on_done is not None:
            on_done(history, result, None)
    return done, skipped


def parse_special_day(text: str) -> SpecialDay:
    """A special day from ``DATE:MULTIPLIER[:LABEL]``, e.g. ``2026-12-25:0.3:Christmas``."""
    parts = text.split(":", 2)
    try:
        day, multiplier = date.fromisoformat(parts[0].strip()), float(parts[1])
    except (IndexError, ValueError):
        raise ForecastError(
            f"special day {text!r}: write DATE:MULTIPLIER[:LABEL], e.g. 2026-12-25:0.3"
        ) from None
    if not (multiplier >= 0 and math.isfinite(multiplier)):
        raise ForecastError(f"special day {text!r}: the multiplier must be a number ≥ 0")
    return SpecialDay(day, multiplier, parts[2].strip() if len(parts) > 2 else "")
