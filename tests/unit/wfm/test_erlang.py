"""Erlang B, C and A, checked against independent naive computations.

The references here share no code with the module: exact rational arithmetic
(``fractions.Fraction``) for small systems, log-domain sums with ``math.lgamma`` for
large ones, a plain truncated birth–death chain for Erlang A state probabilities, and
uniformisation of the tagged caller's position for Erlang A waiting times.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.wfm import erlang
from frontdesk.wfm.erlang import (
    ErlangAResult,
    MMCResult,
    erlang_b,
    erlang_c,
    lines_for_blocking,
    mmc,
    mmc_abandon,
    servers_for_asa,
    servers_for_service_level,
    servers_for_service_level_abandon,
)

# --------------------------------------------------------------------------- references


def exact_b(c: int, a: Fraction) -> Fraction:
    """Erlang B straight from its definition, in exact arithmetic."""
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    return terms[c] / sum(terms)


def exact_c(c: int, a: Fraction) -> Fraction:
    """The textbook Erlang C sum, in exact arithmetic (a < c)."""
    top = a**c / math.factorial(c) * Fraction(c) / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def log_sum_exp(values: list[float]) -> float:
    peak = max(values)
    return peak + math.log(math.fsum(math.exp(v - peak) for v in values))


def lgamma_b(c: int, a: float) -> float:
    """Erlang B from log-domain sums of a^k/k! (lgamma), for large c."""
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c + 1)]
    return math.exp(logs[c] - log_sum_exp(logs))


def lgamma_c(c: int, a: float) -> float:
    """Erlang C from log-domain sums (lgamma), for large c; a < c."""
    low = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    top = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
    return math.exp(top - log_sum_exp([*low, top]))


def chain(c: int, lam: float, mu: float, theta: float, size: int) -> list[float]:
    """Stationary law of the M/M/c+M birth–death chain truncated at ``size`` states."""
    weights = [1.0]
    for n in range(1, size):
        weights.append(weights[-1] * lam / (min(n, c) * mu + max(n - c, 0) * theta))
    total = math.fsum(weights)
    return [w / total for w in weights]


def answered_by(c: int, mu: float, theta: float, t: float, ahead: int) -> list[float]:
    """P(answered within t | k ahead) for k = 0..ahead, by uniformisation of the tagged
    caller's position (advance at cμ + mθ with m ahead, hang up at θ)."""
    top = c * mu + (ahead + 1) * theta  # uniformisation rate ≥ every exit rate
    mean = top * t
    steps = int(mean + 12 * math.sqrt(mean) + 40)
    done = [0.0] * (ahead + 1)  # P(answered within n jumps | m ahead)
    result = [0.0] * (ahead + 1)
    for n in range(steps + 1):
        weight = math.exp(n * math.log(mean) - mean - math.lgamma(n + 1)) if mean > 0 else 0.0
        for m in range(ahead + 1):
            result[m] += weight * done[m]
        nxt = []
        for m in range(ahead + 1):
            advance = c * mu + m * theta
            stay = top - advance - theta
            onward = done[m - 1] if m > 0 else 1.0
            nxt.append((advance * onward + stay * done[m]) / top)
        done = nxt
    return result


def poisson_pmf(a: float, n: int) -> float:
    return math.exp(n * math.log(a) - a - math.lgamma(n + 1))


# --------------------------------------------------------------------------- Erlang B


def test_erlang_b_published_value() -> None:
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=5e-7)
    assert erlang_b(1, 3.0) == pytest.approx(3.0 / 4.0)
    assert erlang_b(5, 0.0) == 0.0


@pytest.mark.parametrize("c", [1, 2, 3, 7, 15, 30, 60])
@pytest.mark.parametrize("a", [Fraction(1, 10), Fraction(1), Fraction(29, 4), Fraction(45)])
def test_erlang_b_matches_exact_definition(c: int, a: Fraction) -> None:
    assert erlang_b(c, float(a)) == pytest.approx(float(exact_b(c, a)), rel=1e-12)


@pytest.mark.parametrize(("c", "a"), [(10000, 9000.0), (3000, 2900.0), (2000, 2500.0)])
def test_erlang_b_large_matches_log_domain_reference(c: int, a: float) -> None:
    value = erlang_b(c, a)
    assert 0.0 < value < 1.0
    assert value == pytest.approx(lgamma_b(c, a), rel=1e-9)


def test_erlang_b_far_tail_underflows_to_zero_not_nan() -> None:
    assert erlang_b(5000, 1.0) == 0.0


@settings(max_examples=200)
@given(st.integers(1, 200), st.floats(0.0, 300.0))
def test_erlang_b_falls_with_servers(c: int, a: float) -> None:
    assert erlang_b(c + 1, a) <= erlang_b(c, a)


@settings(max_examples=200)
@given(st.integers(1, 200), st.floats(0.0, 300.0), st.floats(0.0, 50.0))
def test_erlang_b_rises_with_traffic(c: int, a: float, more: float) -> None:
    assert erlang_b(c, a + more) >= erlang_b(c, a)


# --------------------------------------------------------------------------- Erlang C


def test_erlang_c_published_value() -> None:
    assert erlang_c(10, 8.0) == pytest.approx(0.4092, abs=5e-5)


@pytest.mark.parametrize(
    ("c", "a"),
    [
        (1, Fraction(1, 2)),
        (2, Fraction(3, 2)),
        (10, Fraction(8)),
        (13, Fraction(10)),
        (30, Fraction(57, 2)),
        (60, Fraction(40)),
        (5, Fraction(1, 100)),
    ],
)
def test_erlang_c_from_b_equals_direct_sum(c: int, a: Fraction) -> None:
    assert erlang_c(c, float(a)) == pytest.approx(float(exact_c(c, a)), rel=1e-12)


def test_erlang_c_huge_system() -> None:
    value = erlang_c(3000, 2900.0)
    assert math.isfinite(value)
    assert 0.0 < value < 1.0
    assert value == pytest.approx(lgamma_c(3000, 2900.0), rel=1e-9)


@pytest.mark.parametrize(("c", "a"), [(10, 10.0), (10, 12.5), (1, 1.0), (3000, 3000.0)])
def test_erlang_c_is_one_when_unstable(c: int, a: float) -> None:
    assert erlang_c(c, a) == 1.0


def test_erlang_c_zero_traffic() -> None:
    assert erlang_c(3, 0.0) == 0.0


@settings(max_examples=200)
@given(st.integers(1, 200), st.floats(0.0, 300.0))
def test_erlang_c_falls_with_servers_and_exceeds_b(c: int, a: float) -> None:
    assert erlang_c(c + 1, a) <= erlang_c(c, a)
    assert erlang_c(c, a) >= erlang_b(c, a)


# --------------------------------------------------------------------------- M/M/c


def test_mmc_worked_example() -> None:
    """100 calls per 30 minutes, AHT 180 s, 20 s target: A = 10 erlangs."""
    lam = 100 / 1800
    for c, p_wait, level, asa in [
        (11, 0.6821, 0.3896, 122.78),
        (13, 0.2853, 0.7956, 17.12),
        (14, 0.1741, 0.8884, 7.84),
    ]:
        result = mmc(c, lam, 180.0, 20.0)
        assert result.traffic == pytest.approx(10.0)
        assert result.p_wait == pytest.approx(p_wait, abs=5e-5)
        assert result.service_level == pytest.approx(level, abs=5e-5)
        assert result.asa == pytest.approx(asa, abs=5e-3)
    assert servers_for_service_level(lam, 180.0, 20.0, 0.8) == 14


@pytest.mark.parametrize(("c", "lam", "aht", "t"), [(13, 1 / 18, 180.0, 20.0), (4, 0.5, 7.0, 3.0)])
def test_mmc_fields_follow_their_definitions(c: int, lam: float, aht: float, t: float) -> None:
    result = mmc(c, lam, aht, t)
    a = Fraction(lam) * Fraction(aht)
    p_wait = float(exact_c(c, a))
    drain = c / aht - lam
    assert result.servers == c
    assert result.target_seconds == t
    assert result.stable
    assert result.occupancy == pytest.approx(float(a) / c)
    assert result.p_wait == pytest.approx(p_wait, rel=1e-12)
    assert result.mean_wait_of_delayed == pytest.approx(1 / drain, rel=1e-12)
    assert result.asa == pytest.approx(p_wait / drain, rel=1e-12)
    assert result.service_level == pytest.approx(1 - p_wait * math.exp(-drain * t), rel=1e-12)
    assert result.mean_queue_length == pytest.approx(lam * result.asa, rel=1e-12)


def test_mmc_service_level_at_zero_target_is_share_not_waiting() -> None:
    result = mmc(13, 1 / 18, 180.0, 0.0)
    assert result.service_level == pytest.approx(1 - result.p_wait)


def test_mmc_unstable() -> None:
    result = mmc(10, 1.0, 10.0, 20.0)
    assert not result.stable
    assert result.p_wait == 1.0
    assert result.asa == math.inf
    assert result.mean_wait_of_delayed == math.inf
    assert result.mean_queue_length == math.inf
    assert result.service_level == 0.0
    assert result.occupancy == 1.0


def test_mmc_no_traffic() -> None:
    result = mmc(2, 0.0, 60.0, 20.0)
    assert (result.p_wait, result.asa, result.service_level) == (0.0, 0.0, 1.0)


def test_mmc_huge_system() -> None:
    result = mmc(3000, 2900.0 / 180.0, 180.0, 20.0)
    assert 0.0 < result.p_wait < 1.0
    assert 0.0 < result.service_level < 1.0
    assert math.isfinite(result.asa)


@settings(max_examples=200)
@given(
    st.integers(1, 150),
    st.floats(0.001, 2.0),
    st.floats(1.0, 600.0),
    st.floats(0.0, 120.0),
)
def test_mmc_more_agents_never_hurt(c: int, lam: float, aht: float, t: float) -> None:
    fewer, more = mmc(c, lam, aht, t), mmc(c + 1, lam, aht, t)
    assert more.service_level >= fewer.service_level
    assert more.asa <= fewer.asa
    assert more.p_wait <= fewer.p_wait


def test_results_are_frozen() -> None:
    result = mmc(2, 0.1, 5.0, 1.0)
    with pytest.raises(AttributeError):
        result.p_wait = 0.5  # type: ignore[misc]
    assert isinstance(result, MMCResult)
    assert isinstance(mmc_abandon(2, 0.1, 5.0, 3.0, 1.0), ErlangAResult)


# --------------------------------------------------------------------------- Erlang A


def test_erlang_a_matches_truncated_chain() -> None:
    c, lam, aht, patience = 4, 1.0, 5.0, 3.0  # A = 5 > c: overloaded, still stable
    mu, theta = 1 / aht, 1 / patience
    pi = chain(c, lam, mu, theta, 400)
    queue = math.fsum((n - c) * p for n, p in enumerate(pi) if n > c)
    busy = math.fsum(min(n, c) * p for n, p in enumerate(pi))
    result = mmc_abandon(c, lam, aht, patience, 10.0)
    assert result.p_wait == pytest.approx(math.fsum(pi[c:]), rel=1e-12)
    assert result.mean_queue_length == pytest.approx(queue, rel=1e-12)
    # every arrival enters, so Little's law gives the mean wait and the abandonment flow
    assert result.mean_wait_all == pytest.approx(queue / lam, rel=1e-12)
    assert result.p_abandon == pytest.approx(theta * queue / lam, rel=1e-12)
    assert result.occupancy == pytest.approx(busy / c, rel=1e-12)


@pytest.mark.parametrize("t", [0.0, 0.5, 3.0, 12.0])
def test_erlang_a_service_level_matches_uniformisation(t: float) -> None:
    c, lam, aht, patience = 3, 1.0, 5.0, 4.0
    mu, theta = 1 / aht, 1 / patience
    pi = chain(c, lam, mu, theta, 120)
    ahead = len(pi) - c - 1
    within = answered_by(c, mu, theta, t, ahead)
    answered_within = math.fsum(pi[:c]) + math.fsum(pi[c + k] * within[k] for k in range(ahead + 1))
    answered = 1 - theta * math.fsum((n - c) * p for n, p in enumerate(pi) if n > c) / lam
    result = mmc_abandon(c, lam, aht, patience, t)
    assert result.service_level == pytest.approx(answered_within, abs=1e-12)
    assert result.sl_answered == pytest.approx(answered_within / answered, abs=1e-12)


def test_erlang_a_mean_answered_wait_integrates_its_distribution() -> None:
    """E[W | answered] = ∫ P(W > t | answered) dt, with P taken from sl_answered."""
    c, lam, aht, patience = 3, 0.5, 5.0, 4.0
    result = mmc_abandon(c, lam, aht, patience, 0.0)
    step, points = 0.05, 1200  # up to 60 s; the tail beyond is below 1e-12 here
    survival = [
        1 - mmc_abandon(c, lam, aht, patience, i * step).sl_answered for i in range(points + 1)
    ]
    weights = [1 if i in (0, points) else 4 if i % 2 else 2 for i in range(points + 1)]
    simpson = step / 3 * math.fsum(w * s for w, s in zip(weights, survival, strict=True))
    assert result.asa_answered == pytest.approx(simpson, rel=1e-7)


@pytest.mark.parametrize(
    ("c", "lam", "aht", "t"), [(12, 1 / 18, 180.0, 20.0), (50, 2.0, 20.0, 5.0)]
)
def test_erlang_a_with_endless_patience_is_erlang_c(
    c: int, lam: float, aht: float, t: float
) -> None:
    a_result = mmc_abandon(c, lam, aht, 1e9, t)
    c_result = mmc(c, lam, aht, t)
    assert a_result.p_wait == pytest.approx(c_result.p_wait, rel=1e-5)
    assert a_result.service_level == pytest.approx(c_result.service_level, rel=1e-5)
    assert a_result.sl_answered == pytest.approx(c_result.service_level, rel=1e-5)
    assert a_result.asa_answered == pytest.approx(c_result.asa, rel=1e-5)
    assert a_result.mean_wait_all == pytest.approx(c_result.asa, rel=1e-5)
    assert a_result.mean_queue_length == pytest.approx(c_result.mean_queue_length, rel=1e-5)
    assert a_result.p_abandon < 1e-6


@pytest.mark.parametrize(("c", "a"), [(5, 3.0), (10, 10.0), (20, 35.0), (200, 190.0)])
def test_erlang_a_with_patience_equal_to_handle_time_is_infinite_server(c: int, a: float) -> None:
    """θ = μ: every caller leaves at rate μ whether served or not, so n ~ Poisson(A) and
    the abandonment share is E[(N − c)⁺] / A."""
    aht = 60.0
    lam = a / aht
    pmf = [poisson_pmf(a, n) for n in range(int(a + 40 * math.sqrt(a) + 50))]
    excess = math.fsum((n - c) * p for n, p in enumerate(pmf) if n > c)
    result = mmc_abandon(c, lam, aht, aht, 30.0)
    assert result.p_wait == pytest.approx(math.fsum(pmf[c:]), rel=1e-10)
    assert result.p_abandon == pytest.approx(excess / a, rel=1e-10)
    assert result.mean_queue_length == pytest.approx(excess, rel=1e-10)


def test_erlang_a_heavy_overload_window_jump_agrees_with_full_sum() -> None:
    """A queue centred near 1500 callers: the sum may start near the mode instead of 0."""
    for t in (0.0, 600.0, 2500.0, 3000.0, 4000.0):
        jumped = erlang._erlang_a(10, 1.0, 20.0, 3000.0, t, allow_jump=True)
        full = erlang._erlang_a(10, 1.0, 20.0, 3000.0, t, allow_jump=False)
        for name in ("p_wait", "p_abandon", "occupancy", "service_level", "sl_answered"):
            assert getattr(jumped, name) == pytest.approx(getattr(full, name), abs=1e-12)
        for name in ("asa_answered", "mean_wait_all", "mean_queue_length"):
            assert getattr(jumped, name) == pytest.approx(getattr(full, name), rel=1e-12)
    overload = mmc_abandon(10, 1.0, 20.0, 3000.0, 60.0)
    assert overload.p_abandon == pytest.approx(0.5, rel=1e-9)  # only c·μ = 0.5/s get served


def test_erlang_a_huge_system() -> None:
    for lam in (2900 / 180, 3500 / 180):
        result = mmc_abandon(3000, lam, 180.0, 120.0, 20.0)
        fields = (result.p_wait, result.p_abandon, result.service_level, result.occupancy)
        assert all(0.0 <= v <= 1.0 for v in fields)
        assert math.isfinite(result.asa_answered)
        assert result.p_abandon == pytest.approx(result.mean_wait_all / 120.0, rel=1e-9)


def test_erlang_a_no_traffic() -> None:
    result = mmc_abandon(3, 0.0, 60.0, 30.0, 20.0)
    assert (result.p_wait, result.p_abandon, result.service_level) == (0.0, 0.0, 1.0)


def test_erlang_a_refuses_an_absurd_patience_under_overload() -> None:
    with pytest.raises(ValueError, match="mean_patience is too long"):
        mmc_abandon(10, 10.0, 300.0, 1e15, 20.0)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 40),
    st.floats(0.01, 1.0),
    st.floats(5.0, 300.0),
    st.floats(5.0, 600.0),
    st.floats(0.0, 120.0),
)
def test_erlang_a_more_agents_never_hurt(
    c: int, lam: float, aht: float, patience: float, t: float
) -> None:
    fewer = mmc_abandon(c, lam, aht, patience, t)
    more = mmc_abandon(c + 1, lam, aht, patience, t)
    assert more.service_level >= fewer.service_level - 1e-12
    assert more.p_abandon <= fewer.p_abandon + 1e-12
    assert more.p_wait <= fewer.p_wait + 1e-12
    assert fewer.p_abandon == pytest.approx(fewer.mean_wait_all / patience, rel=1e-9, abs=1e-300)
    assert fewer.service_level <= fewer.sl_answered + 1e-12


# --------------------------------------------------------------------------- helpers inside


@pytest.mark.parametrize(("start", "count"), [(0.5, 1000), (7.25, 300), (1e6, 5000), (1e12, 10**6)])
def test_harmonic_helper(start: float, count: int) -> None:
    if count <= 10**5:
        expected = math.fsum(1.0 / (start + i) for i in range(count))
    else:  # for a huge start the sum is count/start to first order
        mid = start + (count - 1) / 2
        expected = count / mid
    assert erlang._harmonic(start, count) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("r", "p"), [(3.5, 0.3), (200.0, 0.6), (40.0, 0.05)])
def test_negative_binomial_tail_helper(r: float, p: float) -> None:
    pmf = [
        math.exp(math.lgamma(r + k) - math.lgamma(r) - math.lgamma(k + 1) + k * math.log(p))
        * (1 - p) ** r
        for k in range(3000)
    ]
    for k0 in (1, 2, 5, 30, 100, 300, 600):
        expected = math.fsum(pmf[k0:])
        got = erlang._nb_tail(r, math.log(p), r * math.log1p(-p), k0)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-15)


# --------------------------------------------------------------------------- staffing


@settings(max_examples=150)
@given(st.floats(0.001, 3.0), st.floats(1.0, 600.0), st.floats(0.0, 120.0), st.floats(0.05, 0.99))
def test_servers_for_service_level_is_minimal(
    lam: float, aht: float, t: float, level: float
) -> None:
    c = servers_for_service_level(lam, aht, t, level)
    assert mmc(c, lam, aht, t).service_level >= level
    assert c == 1 or mmc(c - 1, lam, aht, t).service_level < level


@settings(max_examples=150)
@given(st.floats(0.001, 3.0), st.floats(1.0, 600.0), st.floats(0.01, 300.0))
def test_servers_for_asa_is_minimal(lam: float, aht: float, max_asa: float) -> None:
    c = servers_for_asa(lam, aht, max_asa)
    assert mmc(c, lam, aht, 0.0).asa <= max_asa
    assert c == 1 or mmc(c - 1, lam, aht, 0.0).asa > max_asa


@settings(max_examples=150)
@given(st.floats(0.001, 500.0), st.floats(1e-6, 0.9))
def test_lines_for_blocking_is_minimal(a: float, max_blocking: float) -> None:
    c = lines_for_blocking(a, max_blocking)
    assert erlang_b(c, a) <= max_blocking
    assert c == 1 or erlang_b(c - 1, a) > max_blocking


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.01, 1.0),
    st.floats(5.0, 300.0),
    st.floats(5.0, 600.0),
    st.floats(0.0, 60.0),
    st.floats(0.05, 0.95),
)
def test_servers_for_service_level_abandon_is_minimal(
    lam: float, aht: float, patience: float, t: float, level: float
) -> None:
    c = servers_for_service_level_abandon(lam, aht, patience, t, level)
    assert mmc_abandon(c, lam, aht, patience, t).service_level >= level
    assert c == 1 or mmc_abandon(c - 1, lam, aht, patience, t).service_level < level


def test_staffing_known_and_degenerate_cases() -> None:
    assert lines_for_blocking(5.0, 0.02) == 10  # B(10, 5) = 0.0184, B(9, 5) = 0.0375
    assert lines_for_blocking(0.0, 0.01) == 0
    assert servers_for_service_level(0.0, 180.0, 20.0, 0.8) == 0
    assert servers_for_asa(0.0, 180.0, 10.0) == 0
    assert servers_for_service_level_abandon(0.0, 180.0, 60.0, 20.0, 0.8) == 0
    assert servers_for_service_level(2900 / 180, 180.0, 20.0, 0.8) > 2900
    # the two examples quoted in docs/erlang.md
    assert servers_for_service_level(100 / 1800, 180.0, 20.0, 0.8) == 14
    assert servers_for_service_level_abandon(100 / 1800, 180.0, 120.0, 20.0, 0.8) == 12
    assert servers_for_service_level(0.27, 34.0, 30.0, 0.93) == 12
    assert servers_for_service_level_abandon(0.27, 34.0, 3.0, 30.0, 0.93) == 13
    big = servers_for_service_level_abandon(3500 / 180, 180.0, 120.0, 20.0, 0.8)
    assert mmc_abandon(big, 3500 / 180, 180.0, 120.0, 20.0).service_level >= 0.8
    assert mmc_abandon(big - 1, 3500 / 180, 180.0, 120.0, 20.0).service_level < 0.8


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_b(0, 1.0), "servers must be at least 1"),
        (lambda: erlang_b(-3, 1.0), "servers must be at least 1"),
        (lambda: erlang_b(2.0, 1.0), "servers must be an int"),  # type: ignore[arg-type]
        (lambda: erlang_b(True, 1.0), "servers must be an int"),
        (lambda: erlang_b(3, -0.1), "traffic must not be negative"),
        (lambda: erlang_b(3, math.nan), "traffic must be finite"),
        (lambda: erlang_c(3, math.inf), "traffic must be finite"),
        (lambda: erlang_c(0, 1.0), "servers must be at least 1"),
        (lambda: mmc(3, -1.0, 10.0, 5.0), "arrival_rate must not be negative"),
        (lambda: mmc(3, 1.0, 0.0, 5.0), "mean_service must be positive"),
        (lambda: mmc(3, 1.0, 10.0, -5.0), "target_seconds must not be negative"),
        (lambda: mmc(3, 1e300, 1e300, 5.0), "overflows"),
        (lambda: mmc_abandon(3, 1.0, 10.0, 0.0, 5.0), "mean_patience must be positive"),
        (lambda: mmc_abandon(3, 1.0, 10.0, math.inf, 5.0), "mean_patience must be finite"),
        (lambda: mmc_abandon(3, 1.0, 10.0, 30.0, math.nan), "target_seconds must be finite"),
        (lambda: servers_for_service_level(1.0, 10.0, 20.0, 1.0), "level must lie strictly"),
        (lambda: servers_for_service_level(1.0, 10.0, 20.0, 0.0), "level must lie strictly"),
        (lambda: servers_for_asa(1.0, 10.0, 0.0), "max_asa must be positive"),
        (lambda: lines_for_blocking(5.0, 0.0), "max_blocking must lie strictly"),
        (lambda: lines_for_blocking(-5.0, 0.1), "traffic must not be negative"),
        (
            lambda: servers_for_service_level_abandon(1.0, 10.0, 30.0, 20.0, 1.5),
            "level must lie strictly",
        ),
    ],
)
def test_invalid_arguments_raise_value_error(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- mission figures


def test_mission_figures_as_documented() -> None:
    """The numbers quoted in docs/erlang.md (the code's answers, not the claims)."""
    lam = 100 / 60  # 100 calls a minute
    # 20 agents are exactly enough at 80/20 only for an AHT of about 10.94-11.52 s
    assert servers_for_service_level(lam, 10.9, 20.0, 0.8) == 19
    assert servers_for_service_level(lam, 11.0, 20.0, 0.8) == 20
    assert servers_for_service_level(lam, 11.5, 20.0, 0.8) == 20
    assert servers_for_service_level(lam, 11.55, 20.0, 0.8) == 21
    assert servers_for_service_level(lam, 180.0, 20.0, 0.8) == 309
    assert servers_for_service_level(lam, 300.0, 20.0, 0.8) == 513
    # lines for the 20 agents at AHT 11.5 s (A = 19.17 erlangs)
    busy = mmc(20, lam, 11.5, 20.0)
    assert lines_for_blocking(busy.traffic, 0.01) == 29
    assert lines_for_blocking(busy.traffic + busy.mean_queue_length, 0.01) == 50
    assert lines_for_blocking(busy.traffic, 0.001) == 34
    assert lines_for_blocking(busy.traffic + busy.mean_queue_length, 0.001) == 56
    # at AHT 180 s the 309 agents need barely more lines than agents
    large = mmc(309, lam, 180.0, 20.0)
    assert lines_for_blocking(large.traffic + large.mean_queue_length, 0.01) == 341
