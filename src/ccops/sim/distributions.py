"""Plug-in distributions for handle times, patience and delays: a small base and a few shapes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class Distribution:
    """A non-negative random duration in seconds; subclasses draw many values at once."""

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw `size` independent values."""
        raise NotImplementedError

    @property
    def mean(self) -> float:
        """The distribution's mean (math.inf for `Never`)."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Exponential(Distribution):
    """Exponential with the given mean (memoryless: the Erlang C/A assumption)."""

    mean_seconds: float

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw `size` exponential values."""
        return rng.exponential(self.mean_seconds, size)

    @property
    def mean(self) -> float:
        """The mean in seconds."""
        return self.mean_seconds


@dataclass(frozen=True, slots=True)
class LogNormal(Distribution):
    """Lognormal given by its own mean and standard deviation (not those of its logarithm)."""

    mean_seconds: float
    sd_seconds: float

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw `size` lognormal values."""
        m, s = self.mean_seconds, self.sd_seconds
        sigma2 = math.log(1.0 + (s * s) / (m * m))
        mu = math.log(m) - sigma2 / 2.0
        return rng.lognormal(mu, math.sqrt(sigma2), size)

    @property
    def mean(self) -> float:
        """The mean in seconds."""
        return self.mean_seconds


@dataclass(frozen=True, slots=True)
class Gamma(Distribution):
    """Gamma given by mean and standard deviation (cv < 1 gives handle times less skewed)."""

    mean_seconds: float
    sd_seconds: float

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw `size` gamma values."""
        shape = (self.mean_seconds / self.sd_seconds) ** 2
        return rng.gamma(shape, self.mean_seconds / shape, size)

    @property
    def mean(self) -> float:
        """The mean in seconds."""
        return self.mean_seconds


@dataclass(frozen=True, slots=True)
class Constant(Distribution):
    """Always the same value."""

    value: float

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return `size` copies of the value."""
        return np.full(size, self.value, dtype=np.float64)

    @property
    def mean(self) -> float:
        """The value."""
        return self.value


@dataclass(frozen=True, slots=True)
class Never(Distribution):
    """Infinite duration: a customer who never abandons."""

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return `size` infinities."""
        return np.full(size, math.inf, dtype=np.float64)

    @property
    def mean(self) -> float:
        """Infinity."""
        return math.inf


@dataclass(frozen=True, slots=True)
class Empirical(Distribution):
    """Resamples observed values (optionally weighted), e.g. patience measured on abandons."""

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw `size` values from the observed ones."""
        p = None
        if self.weights is not None:
            w = np.asarray(self.weights, dtype=np.float64)
            p = w / w.sum()
        return rng.choice(np.asarray(self.values, dtype=np.float64), size=size, p=p)

    @property
    def mean(self) -> float:
        """The (weighted) mean of the values."""
        if self.weights is None:
            return float(np.mean(self.values))
        return float(np.average(self.values, weights=self.weights))


class DistributionError(ValueError):
    """A distribution spec that cannot be read; the message names the key."""


def _number(spec: Mapping[str, Any], field: str, where: str) -> float:
    value = spec.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DistributionError(f"{where}.{field}: expected a number, got {value!r}")
    if value < 0 or not math.isfinite(value):
        raise DistributionError(f"{where}.{field}: must be a finite number >= 0, got {value!r}")
    return float(value)


def distribution_from_spec(spec: Any, where: str) -> Distribution:
    """Build a distribution from TOML: a number (exponential mean) or a table with `kind`."""
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        return Exponential(_number({"mean": spec}, "mean", where))
    if not isinstance(spec, Mapping):
        raise DistributionError(f"{where}: expected a number or a table with 'kind', got {spec!r}")
    kind = spec.get("kind", "exponential")
    if kind == "exponential":
        return Exponential(_number(spec, "mean", where))
    if kind == "lognormal":
        return LogNormal(_number(spec, "mean", where), _number(spec, "sd", where))
    if kind == "gamma":
        return Gamma(_number(spec, "mean", where), _number(spec, "sd", where))
    if kind == "constant":
        return Constant(_number(spec, "value", where))
    if kind == "never":
        return Never()
    if kind == "empirical":
        values = spec.get("values")
        if not isinstance(values, Sequence) or not values:
            raise DistributionError(f"{where}.values: expected a non-empty list of seconds")
        vals = tuple(_number({"v": v}, "v", f"{where}.values") for v in values)
        weights = spec.get("weights")
        if weights is None:
            return Empirical(vals)
        if not isinstance(weights, Sequence) or len(weights) != len(vals):
            raise DistributionError(f"{where}.weights: expected one weight per value")
        return Empirical(vals, tuple(_number({"w": w}, "w", f"{where}.weights") for w in weights))
    raise DistributionError(
        f"{where}.kind: unknown distribution {kind!r} "
        "(exponential, lognormal, gamma, constant, empirical, never)"
    )
