"""Input checking shared by the queueing modules (private)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def as_floats(name: str, value: ArrayLike, *, positive: bool = False) -> FloatArray:
    """A float64 array of finite values >= 0 (> 0 when positive); ValueError naming the input."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.size and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite numbers")
    if arr.size and np.any(arr <= 0.0 if positive else arr < 0.0):
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'}")
    return arr


def as_agents(name: str, value: ArrayLike) -> FloatArray:
    """Agent counts as float64: whole numbers >= 0; ValueError naming the input."""
    arr = as_floats(name, value)
    if arr.size and np.any(arr != np.floor(arr)):
        raise ValueError(f"{name} must be whole numbers")
    return arr


def as_optional_fraction(
    name: str, value: ArrayLike | None, *, low_open: bool = False
) -> FloatArray | None:
    """None, or fractions in [0, 1] ((0, 1] when low_open); NaN entries mean 'not set'."""
    if value is None:
        return None
    arr = np.asarray(value, dtype=np.float64)
    given = arr[~np.isnan(arr)]
    low_bad = given <= 0.0 if low_open else given < 0.0
    if given.size and (np.any(low_bad) or np.any(given > 1.0)):
        raise ValueError(f"{name} must be in {'(0, 1]' if low_open else '[0, 1]'}")
    return arr


def as_optional_positive(name: str, value: ArrayLike | None) -> FloatArray | None:
    """None, or values > 0 (inf allowed); NaN entries mean 'not set'."""
    if value is None:
        return None
    arr = np.asarray(value, dtype=np.float64)
    given = arr[~np.isnan(arr)]
    if given.size and np.any(given <= 0.0):
        raise ValueError(f"{name} must be > 0")
    return arr
