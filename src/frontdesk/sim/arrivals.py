"""Random ingredients: arrival processes and duration distributions (seeded)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

_Sampler = Callable[[], float]


class Shape(StrEnum):
    FIXED = "fixed"
    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"


@dataclass(frozen=True, slots=True)
class Distribution:
    """A duration in seconds: fixed, exponential (mean) or lognormal (mean, sd)."""

    shape: Shape
    mean: float
    sd: float = 0.0

    def __post_init__(self) -> None:
        if not self.mean > 0 or self.sd < 0 or not math.isfinite(self.mean):
            raise ValueError(f"a duration needs mean > 0 and sd >= 0, got {self}")
        if self.shape is Shape.LOGNORMAL and self.sd == 0:
            raise ValueError("a lognormal duration needs sd > 0")

    def sampler(self, rng: random.Random) -> _Sampler:
        if self.shape is Shape.FIXED:
            mean = self.mean
            return lambda: mean
        if self.shape is Shape.EXPONENTIAL:
            return partial(rng.expovariate, 1.0 / self.mean)  # a lambda would cost a frame
        # lognormal parameters from the mean and sd of the duration itself
        sigma2 = math.log(1.0 + (self.sd / self.mean) ** 2)
        mu = math.log(self.mean) - sigma2 / 2.0
        return partial(rng.lognormvariate, mu, math.sqrt(sigma2))


@dataclass(frozen=True, slots=True)
class ArrivalProfile:
    """A Poisson process whose rate (contacts per second) is constant per interval.

    ``rates[i]`` applies to ``[i·interval, (i+1)·interval)`` of each day, and the
    profile repeats daily. Drawing across a boundary restarts at the boundary with the
    next rate, which is exact for a Poisson process (it is memoryless).
    """

    rates: tuple[float, ...]
    interval: float

    def __post_init__(self) -> None:
        if not self.rates or any(r < 0 or not math.isfinite(r) for r in self.rates):
            raise ValueError("arrival rates must be finite and non-negative")
        if self.interval <= 0:
            raise ValueError("the interval must be positive")

    @classmethod
    def constant(cls, per_second: float) -> ArrivalProfile:
        return cls((per_second,), 86_400.0)

    @classmethod
    def daily(cls, total: float, weights: tuple[float, ...]) -> ArrivalProfile:
        """``total`` contacts a day spread over intervals by relative ``weights``."""
        interval = 86_400.0 / len(weights)
        scale = sum(weights)
        if scale <= 0:
            raise ValueError("at least one interval weight must be positive")
        return cls(tuple(total * w / scale / interval for w in weights), interval)

    def next_after(self, t: float, rng: random.Random) -> float:
        rates = self.rates
        count = len(rates)
        interval = self.interval
        slot = int(t // interval)
        for _ in range(count + 1):
            rate = rates[slot % count]
            end = (slot + 1) * interval
            if rate > 0:
                candidate = t + rng.expovariate(rate)
                if candidate < end:
                    return candidate
            t = end
            slot += 1
        return math.inf  # every interval has rate 0
