"""Erlang B, Erlang C and Erlang A: the queueing maths of contact-centre staffing.

Units and words used throughout
-------------------------------
* ``arrival_rate`` (λ) is contacts per second, ``mean_service`` (the mean handle time,
  AHT, 1/μ), ``mean_patience`` (1/θ) and ``target_seconds`` are seconds. Any other time
  unit works if it is used for all of them; results that are times are then in that unit.
* **Traffic** (offered load) A = λ · AHT, in erlangs: the mean number of contacts that
  would be in service if every one were served at once.
* **Servers** c are agents (or trunk lines for Erlang B); always an ``int`` ≥ 1.
* **Wait** is the time from arrival until an agent answers (or, in Erlang A, until the
  caller hangs up). A contact that finds a free agent waits 0.
* **Service level** with target T is P(wait ≤ T) over *all* arrivals; contacts answered
  at once count as answered within the target. Erlang A has two variants (see
  :class:`ErlangAResult`).
* **ASA** (average speed of answer) in Erlang C is the mean wait over *all* arrivals,
  including the zero waits of those answered at once.

Numerical method
----------------
No factorials and no large powers are formed. Erlang B uses the stable recursion
``B_0 = 1, B_k = A·B_{k-1} / (k + A·B_{k-1})`` (equivalently
``1/B_k = 1 + k / (A·B_{k-1})``), which only adds and divides positive numbers and costs
O(c). Erlang C is derived from it: ``C = c·B / (c − A·(1 − B))``. Erlang A works on the
birth–death chain relative to the state "all c agents busy, nobody waiting", with the
block of states below it summed by Erlang B and the queue tail summed term by term with
ratio recursions, rescaling as it goes and stopping when a geometric bound proves the
remaining mass is below 1e-17 of what was summed. Waiting-time probabilities of Erlang A
are exact closed forms (a negative-binomial tail), not an ODE or a series with an
uncontrolled remainder. ``docs/erlang.md`` derives all of it.

Invalid arguments (non-int or zero servers, negative or non-finite numbers, levels outside
(0, 1)) raise :class:`ValueError` with a message naming the argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "ErlangAResult",
    "MMCResult",
    "erlang_b",
    "erlang_c",
    "lines_for_blocking",
    "mmc",
    "mmc_abandon",
    "servers_for_asa",
    "servers_for_service_level",
    "servers_for_service_level_abandon",
]

#: Relative mass of the Erlang A queue tail that may be dropped on each side of the window.
_TAIL_EPS = 1e-17
#: Refuse Erlang A inputs whose queue distribution spans more states than this.
_MAX_WINDOW = 2_000_000
#: Start the Erlang A tail window at its mode's neighbourhood only if that skips this many.
_JUMP_MIN = 64
#: Rescale the running Erlang A sums when a term grows past this.
_RESCALE = 1e250
_LOG_RESCALE = math.log(_RESCALE)
_LN2 = math.log(2.0)
_TINY, _HUGE = 2.0**-600, 2.0**600


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class MMCResult:
    """Steady state of an M/M/c queue (Erlang C): Poisson arrivals, exponential handle
    times, c agents, an unlimited queue and callers who never hang up.

    Attributes:
        servers: c, the number of agents.
        traffic: A = λ · AHT, offered load in erlangs.
        target_seconds: T, the service-level target the result was computed for.
        occupancy: A / c, the long-run share of time an agent is busy; 1.0 when the
            system is unstable (A ≥ c), where agents never rest.
        p_wait: Erlang C, P(an arrival finds every agent busy and must queue).
        asa: mean wait over all arrivals (zero waits included) = C / (cμ − λ), seconds;
            ``inf`` when unstable.
        mean_wait_of_delayed: mean wait of those who do queue = 1 / (cμ − λ), seconds;
            ``inf`` when unstable.
        service_level: P(wait ≤ T) over all arrivals = 1 − C · exp(−(cμ − λ) · T);
            0.0 when unstable.
        mean_queue_length: mean number of callers waiting (not in service), Lq = λ · ASA;
            ``inf`` when unstable.
    """

    servers: int
    traffic: float
    target_seconds: float
    occupancy: float
    p_wait: float
    asa: float
    mean_wait_of_delayed: float
    service_level: float
    mean_queue_length: float

    @property
    def stable(self) -> bool:
        """True when A < c, i.e. the queue has a steady state."""
        return self.traffic < self.servers


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Steady state of an M/M/c+M queue (Erlang A): as M/M/c, but every waiting caller
    hangs up after an exponential patience with mean 1/θ unless answered first.

    The system is stable for every load (θ > 0), so all fields are finite.

    Attributes:
        servers: c, the number of agents.
        traffic: A = λ · AHT, offered load in erlangs (may exceed c).
        target_seconds: T, the service-level target the result was computed for.
        occupancy: carried load / c = A · (1 − p_abandon) / c, the share of time an agent
            is busy.
        p_wait: P(an arrival finds every agent busy and must queue).
        p_abandon: P(an arrival hangs up before being answered).
        asa_answered: mean wait of *answered* contacts (zero waits included), seconds.
        mean_wait_all: mean time in queue over *all* arrivals, abandoners counted until
            they hang up, seconds. Note ``p_abandon = θ · mean_wait_all``.
        service_level: (contacts answered within T) / (all arrivals). Abandoners count
            as failures however early they hang up; this is the conservative variant and
            the one the staffing helper uses.
        sl_answered: P(wait ≤ T | answered) = (answered within T) / (answered). It ignores
            abandoners altogether, so it can look good while many callers give up.
        mean_queue_length: mean number of callers waiting (not in service).
    """

    servers: int
    traffic: float
    target_seconds: float
    occupancy: float
    p_wait: float
    p_abandon: float
    asa_answered: float
    mean_wait_all: float
    service_level: float
    sl_answered: float
    mean_queue_length: float


# --------------------------------------------------------------------------- validation


def _servers(value: object, name: str = "servers") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


def _real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return result


def _non_negative(value: object, name: str) -> float:
    result = _real(value, name)
    if result < 0.0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return result


def _positive(value: object, name: str) -> float:
    result = _real(value, name)
    if result <= 0.0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return result


def _open_unit(value: object, name: str) -> float:
    result = _real(value, name)
    if not 0.0 < result < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return result


def _traffic(arrival_rate: float, mean_service: float) -> float:
    traffic = arrival_rate * mean_service
    if not math.isfinite(traffic):
        raise ValueError("arrival_rate * mean_service overflows")
    return traffic


# --------------------------------------------------------------------------- Erlang B / C


def erlang_b(servers: int, traffic: float) -> float:
    """Erlang B: the blocking probability of an M/M/c/c loss system.

    Contacts arrive as a Poisson stream offering ``traffic`` erlangs
    (A = arrival rate × mean holding time) to ``servers`` lines; a contact that finds all
    lines busy is lost (busy tone), never queued. The result is
    B(c, A) = (A^c / c!) / Σ_{k=0..c} A^k / k!, the share of contacts lost, which by PASTA
    is also the share of time all lines are busy. It is insensitive to the holding-time
    distribution.

    Computed by the recursion B_k = A·B_{k-1} / (k + A·B_{k-1}), O(c), stable for any c.

    Args:
        servers: c ≥ 1 lines.
        traffic: A ≥ 0 erlangs; finite.

    Returns:
        B in [0, 1): 0.0 for zero traffic; it decreases as servers grow.

    Raises:
        ValueError: servers not an int ≥ 1, traffic negative or not finite.
    """
    return _erlang_b(_servers(servers), _non_negative(traffic, "traffic"))


def _erlang_b(servers: int, traffic: float) -> float:
    blocking = 1.0
    for k in range(1, servers + 1):
        offered = traffic * blocking
        blocking = offered / (k + offered)
        if blocking == 0.0:
            break
    return blocking


def _erlang_c_from_b(servers: int, traffic: float, blocking: float) -> float:
    if traffic >= servers:
        return 1.0
    return min(1.0, servers * blocking / (servers - traffic * (1.0 - blocking)))


def erlang_c(servers: int, traffic: float) -> float:
    """Erlang C: the probability that an arrival must wait in an M/M/c queue.

    Poisson arrivals offering A erlangs to c agents with exponential handle times and an
    unlimited queue of callers who never hang up. The result is
    C(c, A) = c·B / (c − A·(1 − B)) with B = Erlang B(c, A); it equals the textbook
    (A^c/c! · c/(c−A)) / (Σ_{k<c} A^k/k! + A^c/c! · c/(c−A)).

    Args:
        servers: c ≥ 1 agents.
        traffic: A ≥ 0 erlangs; finite.

    Returns:
        C in [0, 1]: 0.0 for zero traffic, 1.0 when A ≥ c (the queue grows without limit,
        every arrival eventually waits).

    Raises:
        ValueError: servers not an int ≥ 1, traffic negative or not finite.
    """
    c = _servers(servers)
    a = _non_negative(traffic, "traffic")
    if a >= c:
        return 1.0
    return _erlang_c_from_b(c, a, _erlang_b(c, a))


def mmc(servers: int, arrival_rate: float, mean_service: float, target_seconds: float) -> MMCResult:
    """Steady-state measures of an M/M/c queue (the Erlang C model).

    Args:
        servers: c ≥ 1 agents.
        arrival_rate: λ ≥ 0 contacts per second.
        mean_service: AHT = 1/μ > 0 seconds.
        target_seconds: T ≥ 0, the service-level target.

    Returns:
        An :class:`MMCResult`. When A = λ·AHT ≥ c the queue is unstable: p_wait = 1,
        asa, mean_wait_of_delayed and mean_queue_length are ``inf``, service_level = 0
        and occupancy = 1.

    Raises:
        ValueError: an argument is out of range or not finite.
    """
    c = _servers(servers)
    lam = _non_negative(arrival_rate, "arrival_rate")
    aht = _positive(mean_service, "mean_service")
    target = _non_negative(target_seconds, "target_seconds")
    traffic = _traffic(lam, aht)
    return _mmc(c, lam, aht, target, _erlang_b(c, traffic))


def _mmc(servers: int, lam: float, aht: float, target: float, blocking: float) -> MMCResult:
    traffic = lam * aht
    if traffic >= servers:
        return MMCResult(
            servers=servers,
            traffic=traffic,
            target_seconds=target,
            occupancy=1.0,
            p_wait=1.0,
            asa=math.inf,
            mean_wait_of_delayed=math.inf,
            service_level=0.0,
            mean_queue_length=math.inf,
        )
    p_wait = _erlang_c_from_b(servers, traffic, blocking)
    drain = (servers - traffic) / aht  # cμ − λ, the rate at which a queue empties
    delayed = 1.0 / drain
    asa = p_wait * delayed
    return MMCResult(
        servers=servers,
        traffic=traffic,
        target_seconds=target,
        occupancy=traffic / servers,
        p_wait=p_wait,
        asa=asa,
        mean_wait_of_delayed=delayed,
        service_level=max(0.0, 1.0 - p_wait * math.exp(-drain * target)),
        mean_queue_length=lam * asa,
    )


# --------------------------------------------------------------------------- Erlang A


def mmc_abandon(
    servers: int,
    arrival_rate: float,
    mean_service: float,
    mean_patience: float,
    target_seconds: float,
) -> ErlangAResult:
    """Steady-state measures of an M/M/c+M queue (the Erlang A model).

    Poisson arrivals (rate λ), c agents with exponential handle times (mean 1/μ), FCFS
    queue, and each waiting caller hangs up after an exponential patience (mean 1/θ)
    unless answered first. With n contacts in the system the chain moves up at rate λ and
    down at rate min(n, c)·μ + max(n − c, 0)·θ; it is stable for every load.

    By PASTA an arrival sees the stationary state. One that sees n = c + k (k ≥ 0)
    callers already waits behind k of them; while m are ahead its position advances at
    rate cμ + mθ and it hangs up at rate θ, so it is answered with probability
    Π_{m=0..k} (cμ + mθ)/(cμ + (m+1)θ) = cμ / (cμ + (k+1)θ), and if answered its wait is
    a sum of independent exponential phases with rates cμ + (m+1)θ, m = 0..k, whose
    distribution function is the tail of a negative binomial law (see ``docs/erlang.md``);
    mean waits follow in closed form from the phases.

    Args:
        servers: c ≥ 1 agents.
        arrival_rate: λ ≥ 0 contacts per second.
        mean_service: AHT = 1/μ > 0 seconds.
        mean_patience: 1/θ > 0 seconds, finite (use :func:`mmc` for callers who never
            hang up).
        target_seconds: T ≥ 0, the service-level target.

    Returns:
        An :class:`ErlangAResult`. The truncation error is below 1e-17 of each sum; the
        rounding error grows with the number W of queue states summed, roughly W·1e-15
        absolute on probabilities (below 1e-11 in the tests, up to c = 3000). Cost is
        O(c + W), and W is at most about 24·sqrt(λ/θ) + 64 (about 45/(1 − λ/(cμ)) when
        the load is light).

    Raises:
        ValueError: an argument is out of range or not finite, or W would exceed two
            million states (an overload with an absurdly long patience; the queue would
            hold millions of callers).
    """
    c = _servers(servers)
    lam = _non_negative(arrival_rate, "arrival_rate")
    aht = _positive(mean_service, "mean_service")
    patience = _positive(mean_patience, "mean_patience")
    target = _non_negative(target_seconds, "target_seconds")
    _traffic(lam, aht)
    return _erlang_a(c, lam, aht, patience, target)


def _sigmoid(z: float) -> float:
    """1 / (1 + exp(−z)) without overflow."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


def _harmonic(start: float, count: int) -> float:
    """Σ_{i=0..count−1} 1 / (start + i) for start > 0, i.e. ψ(start + count) − ψ(start)."""
    if count <= 256:
        return math.fsum(1.0 / (start + i) for i in range(count))
    head = 0.0
    while start < 32.0 and count > 0:
        head += 1.0 / start
        start += 1.0
        count -= 1
    a, b, d = start, start + count, float(count)
    # ψ(z) = ln z − 1/(2z) − 1/(12z²) + 1/(120z⁴) − 1/(252z⁶) + 1/(240z⁸) − …; for z ≥ 32
    # the first omitted term is below 1e-17. Differences are formed without cancellation.
    value = math.log1p(d / a) + d / (2.0 * a * b)
    value += (1.0 / (a * a) - 1.0 / (b * b)) / 12.0
    value -= (1.0 / a**4 - 1.0 / b**4) / 120.0
    value += (1.0 / a**6 - 1.0 / b**6) / 252.0
    value -= (1.0 / a**8 - 1.0 / b**8) / 240.0
    return head + value


def _nb_tail(r: float, log_p: float, log_q_r: float, k0: int) -> float:
    """P(N ≥ k0) for N negative binomial: P(N = k) = Γ(r+k)/(Γ(r)·k!) · p^k · q^r, r > 1.

    ``log_p`` is ln p and ``log_q_r`` is r · ln q (q = 1 − p). Sums the pmf from k0 away
    from the mode with a geometric stopping bound, so the cost is the width of the law.
    """
    if k0 <= 0:
        return 1.0
    p = math.exp(log_p)

    def log_pmf(k: int) -> float:
        return math.lgamma(r + k) - math.lgamma(r) - math.lgamma(k + 1.0) + k * log_p + log_q_r

    # The ratio P(k+1)/P(k) = p(r+k)/(k+1) decreases in k because r > 1.
    if p * (r + k0 - 1) / k0 < 1.0:  # k0 lies right of the mode: sum upwards
        term = math.exp(log_pmf(k0))
        total = term
        k = k0
        while term > 0.0:
            ratio = p * (r + k) / (k + 1)
            if term * ratio / (1.0 - ratio) <= _TAIL_EPS * total:
                break
            term *= ratio
            total += term
            k += 1
        return min(1.0, total)
    # k0 − 1 lies left of (or at) the mode: sum P(N ≤ k0 − 1) downwards
    term = math.exp(log_pmf(k0 - 1))
    total = term
    k = k0 - 1
    while term > 0.0 and k > 0:
        ratio = k / (p * (r + k - 1))  # P(k−1)/P(k), decreasing as k decreases
        if ratio < 1.0 and term * ratio / (1.0 - ratio) <= _TAIL_EPS:
            break
        term *= ratio
        total += term
        k -= 1
    return max(0.0, 1.0 - total)


def _check_window(lam: float, cmu: float, theta: float) -> None:
    spread = 12.0 * math.sqrt(lam / theta) + 64.0
    if lam < cmu + theta:
        light = -math.log(lam / (cmu + theta))
        estimate = min(spread, 45.0 / light + 64.0) if light > 0.0 else spread
    else:
        estimate = 2.0 * spread
    if estimate > _MAX_WINDOW:
        raise ValueError(
            "mean_patience is too long for this load: the Erlang A queue distribution "
            f"spans about {estimate:.3g} states; use mmc() (no abandonment) instead"
        )


@dataclass(frozen=True, slots=True)
class _Chain:
    """The M/M/c+M chain seen from the state n = c (all agents busy, nobody waiting).

    Queue terms t_k = π_{c+k}/π_c = Π_{i=1..k} λ/(cμ + iθ) rise while λ ≥ cμ + kθ, so
    the largest sits at k = ``mode``. The phase rates of a caller are θ·(x + m + 1).
    """

    lam: float
    cmu: float
    theta: float

    @property
    def x(self) -> float:
        return self.cmu / self.theta

    @property
    def mode(self) -> int:
        return max(0, math.floor((self.lam - self.cmu) / self.theta))

    def log_t(self, k: int) -> float:
        """ln t_k = k·ln(λ/θ) − ln Γ(x+k+1) + ln Γ(x+1)."""
        x = self.x
        log_ratio = math.log(self.lam) - math.log(self.theta)
        return k * log_ratio - (math.lgamma(x + k + 1.0) - math.lgamma(x + 1.0))

    def start(self) -> int:
        """The first queue state worth summing: 0 unless the mass left of the mode's
        neighbourhood (free states included) is provably below 1e-17 of the peak term
        and skipping it saves more than a few dozen states."""
        mode = self.mode
        if mode <= _JUMP_MIN:
            return 0
        # Going left from state c+k (k ≤ mode) every ratio, into the free states too, is
        # at most r = (cμ + (k−1)θ)/λ < 1; so the mass left of k is below t_{k−1}/(1 − r).
        floor_log = self.log_t(mode) + math.log(_TAIL_EPS)

        def negligible_left_of(k: int) -> bool:
            r = (self.cmu + (k - 1) * self.theta) / self.lam
            return self.log_t(k - 1) - math.log1p(-r) <= floor_log

        if not negligible_left_of(1):
            return 0
        low, high = 1, mode
        while low < high:
            mid = (low + high + 1) // 2
            if negligible_left_of(mid):
                low = mid
            else:
                high = mid - 1
        return low if low > _JUMP_MIN else 0


@dataclass(slots=True)
class _WaitLaw:
    """P(wait ≤ T | answered, k ahead) for k = start, start+1, … in turn.

    Given k ahead, the wait of an answered caller is the sum of Exp(θ(x+m+1)), m = 0..k,
    which is ≤ T with probability P(N > k), N negative binomial with r = x + 1 and
    p = 1 − e^{−θT}: P(N = j) = Γ(r+j)/(Γ(r)·j!) · p^j · e^{−rθT}. The pmf is kept as
    ``mantissa · 2**exponent`` and advanced by products, so it neither underflows nor
    accumulates more than ~jε relative error.
    """

    p: float
    r: float
    tail: float  # P(N ≥ k) for the next k
    mantissa: float
    exponent: int

    @classmethod
    def first(cls, chain: _Chain, target: float, start: int) -> _WaitLaw:
        p = -math.expm1(-chain.theta * target)
        r = chain.x + 1.0
        if p <= 0.0:  # T = 0: nobody who queues is answered within it
            return cls(p=0.0, r=r, tail=0.0, mantissa=0.0, exponent=0)
        log_p = math.log(p)
        log_q_r = -(chain.cmu + chain.theta) * target  # r · ln(1 − p)
        log_pmf = log_q_r
        tail = 1.0
        if start > 0:
            log_pmf += (
                math.lgamma(r + start) - math.lgamma(r) - math.lgamma(start + 1.0)
            ) + start * log_p
            tail = _nb_tail(r, log_p, log_q_r, start)
        exponent = math.floor(log_pmf / _LN2)
        return cls(p, r, tail, math.exp(log_pmf - exponent * _LN2), exponent)

    def within(self, k: int) -> float:
        """P(N > k), then move on to k + 1."""
        if self.p == 0.0:
            return 0.0
        self.tail = max(0.0, self.tail - math.ldexp(self.mantissa, self.exponent))
        self.mantissa *= self.p * (self.r + k) / (k + 1)
        if not _TINY < self.mantissa < _HUGE and self.mantissa > 0.0:
            self.mantissa, shift = math.frexp(self.mantissa)
            self.exponent += shift
        return self.tail


@dataclass(slots=True)
class _Sums:
    """Queue sums weighted by t_k · e^{−log_scale}."""

    mass: float = 0.0
    answered: float = 0.0
    abandon: float = 0.0
    within: float = 0.0
    wait_answered: float = 0.0
    wait_all: float = 0.0
    queue: float = 0.0
    log_scale: float = 0.0

    def rescale(self) -> None:
        self.mass /= _RESCALE
        self.answered /= _RESCALE
        self.abandon /= _RESCALE
        self.within /= _RESCALE
        self.wait_answered /= _RESCALE
        self.wait_all /= _RESCALE
        self.queue /= _RESCALE
        self.log_scale += _LOG_RESCALE


def _sum_queue(chain: _Chain, target: float, start: int) -> _Sums:
    """Sum the queue states k = start, start+1, … until the rest is negligible."""
    cmu, theta, mode = chain.cmu, chain.theta, chain.mode
    law = _WaitLaw.first(chain, target, start)
    sums = _Sums(log_scale=chain.log_t(start) if start else 0.0)
    # Σ_{m<k} 1/(cμ + (m+1)θ), the mean wait of an answered caller with k ahead
    wait_if_answered = _harmonic(chain.x + 1.0, start) / theta if start else 0.0
    term = 1.0  # t_k · e^{−log_scale}
    k = start
    while True:
        exit_rate = cmu + (k + 1) * theta  # rate of leaving the phase with k ahead
        answered = cmu / exit_rate  # = Π_{m=0..k} (cμ + mθ)/(cμ + (m+1)θ)
        wait_if_answered += 1.0 / exit_rate
        sums.mass += term
        sums.answered += term * answered
        sums.abandon += term * (k + 1) * theta / exit_rate
        sums.within += term * answered * law.within(k)
        sums.wait_answered += term * answered * wait_if_answered
        sums.wait_all += term * (k + 1) / exit_rate
        sums.queue += term * k
        ratio = chain.lam / (cmu + (k + 1) * theta)  # t_{k+1} / t_k
        if k >= mode and ratio < 1.0:
            # Ratios only fall from here: the rest is below a geometric series, and so is
            # its first moment (the tail's weight in queue length and waits).
            rest = term * ratio / (1.0 - ratio) * (k + 2.0 + 1.0 / (1.0 - ratio))
            if rest <= _TAIL_EPS * sums.mass:
                return sums
        term *= ratio
        k += 1
        if term > _RESCALE:
            term /= _RESCALE
            sums.rescale()
        if k - start > 2 * _MAX_WINDOW:  # pragma: no cover - _check_window prevents this
            raise ValueError("the Erlang A queue distribution is too wide to sum")


def _erlang_a(
    servers: int,
    lam: float,
    aht: float,
    patience: float,
    target: float,
    *,
    allow_jump: bool = True,
) -> ErlangAResult:
    c = servers
    traffic = lam * aht
    if lam == 0.0:
        return ErlangAResult(
            servers=c,
            traffic=0.0,
            target_seconds=target,
            occupancy=0.0,
            p_wait=0.0,
            p_abandon=0.0,
            asa_answered=0.0,
            mean_wait_all=0.0,
            service_level=1.0,
            sl_answered=1.0,
            mean_queue_length=0.0,
        )
    chain = _Chain(lam=lam, cmu=c / aht, theta=1.0 / patience)
    _check_window(chain.lam, chain.cmu, chain.theta)
    blocking = _erlang_b(c, traffic)
    sums = _sum_queue(chain, target, chain.start() if allow_jump else 0)

    # Normalise: the free states weigh (1 − B)/B relative to π_c, the queue mass·e^scale.
    if blocking == 0.0:
        p_wait, p_free = 0.0, 1.0
    else:
        log_free = math.log1p(-blocking) - math.log(blocking)
        log_queue = math.log(sums.mass) + sums.log_scale
        p_wait = _sigmoid(log_queue - log_free)
        p_free = _sigmoid(log_free - log_queue)
    share = p_wait / sums.mass
    p_answered = p_free + share * sums.answered
    answered_within = p_free + share * sums.within
    if p_answered > 0.0:
        asa_answered = share * sums.wait_answered / p_answered
        sl_answered = min(1.0, answered_within / p_answered)
    else:  # pragma: no cover - needs an overload beyond floating-point range
        asa_answered, sl_answered = math.inf, 0.0
    return ErlangAResult(
        servers=c,
        traffic=traffic,
        target_seconds=target,
        occupancy=min(1.0, traffic * p_answered / c),
        p_wait=p_wait,
        p_abandon=share * sums.abandon,
        asa_answered=asa_answered,
        mean_wait_all=share * sums.wait_all,
        service_level=min(1.0, answered_within),
        sl_answered=sl_answered,
        mean_queue_length=share * sums.queue,
    )


# --------------------------------------------------------------------------- staffing


def servers_for_service_level(
    arrival_rate: float, mean_service: float, target_seconds: float, level: float
) -> int:
    """Smallest number of agents whose Erlang C service level reaches ``level``.

    Returns the least c with ``mmc(c, arrival_rate, mean_service,
    target_seconds).service_level >= level``. The search starts at the least stable c
    (⌊A⌋ + 1; fewer agents give service level 0) and steps up one agent at a time,
    updating Erlang B in O(1) per step, so it is minimal by construction and costs O(c).

    Args:
        arrival_rate: λ ≥ 0 contacts per second.
        mean_service: AHT > 0 seconds.
        target_seconds: T ≥ 0.
        level: the required P(wait ≤ T), strictly between 0 and 1 (e.g. 0.8 for 80/20).

    Returns:
        c; 0 when there is no traffic at all.

    Raises:
        ValueError: an argument is out of range or not finite.
    """
    lam = _non_negative(arrival_rate, "arrival_rate")
    aht = _positive(mean_service, "mean_service")
    target = _non_negative(target_seconds, "target_seconds")
    goal = _open_unit(level, "level")
    return _step_up(lam, aht, lambda r: r.service_level >= goal, target)


def servers_for_asa(arrival_rate: float, mean_service: float, max_asa: float) -> int:
    """Smallest number of agents whose Erlang C ASA is at most ``max_asa`` seconds.

    ASA is the mean wait over all arrivals (see :class:`MMCResult`). Returns the least c
    with ``mmc(c, arrival_rate, mean_service, 0).asa <= max_asa``, searched upwards from
    the least stable c, minimal by construction.

    Args:
        arrival_rate: λ ≥ 0 contacts per second.
        mean_service: AHT > 0 seconds.
        max_asa: the largest acceptable ASA, > 0 seconds.

    Returns:
        c; 0 when there is no traffic at all.

    Raises:
        ValueError: an argument is out of range or not finite.
    """
    lam = _non_negative(arrival_rate, "arrival_rate")
    aht = _positive(mean_service, "mean_service")
    limit = _positive(max_asa, "max_asa")
    return _step_up(lam, aht, lambda r: r.asa <= limit, 0.0)


def _step_up(lam: float, aht: float, good: Callable[[MMCResult], bool], target: float) -> int:
    traffic = _traffic(lam, aht)
    if traffic == 0.0:
        return 0
    c = math.floor(traffic) + 1
    blocking = _erlang_b(c, traffic)
    while not good(_mmc(c, lam, aht, target, blocking)):
        c += 1
        offered = traffic * blocking
        blocking = offered / (c + offered)
    return c


def lines_for_blocking(traffic: float, max_blocking: float) -> int:
    """Smallest number of lines whose Erlang B blocking is at most ``max_blocking``.

    Returns the least c with ``erlang_b(c, traffic) <= max_blocking`` (trunk sizing for
    a loss system: a call that finds every line busy gets a busy tone). O(c).

    Args:
        traffic: A ≥ 0 erlangs offered to the lines (arrival rate × mean time a call
            holds a line, which includes any time spent queueing for an agent).
        max_blocking: the acceptable share of lost calls, strictly between 0 and 1.

    Returns:
        c; 0 when there is no traffic at all.

    Raises:
        ValueError: an argument is out of range or not finite.
    """
    a = _non_negative(traffic, "traffic")
    limit = _open_unit(max_blocking, "max_blocking")
    if a == 0.0:
        return 0
    lines, blocking = 0, 1.0
    while blocking > limit:
        lines += 1
        offered = a * blocking
        blocking = offered / (lines + offered)
    return lines


def servers_for_service_level_abandon(
    arrival_rate: float,
    mean_service: float,
    mean_patience: float,
    target_seconds: float,
    level: float,
) -> int:
    """Smallest number of agents whose Erlang A service level reaches ``level``.

    Uses ``ErlangAResult.service_level`` = (answered within T) / (all arrivals), so
    abandoners count as failures. Since an agent cannot carry more than one erlang,
    that service level is at most c / A, and the search starts at ⌊level·A⌋; it then
    gallops up and bisects, which relies on the service level growing with c (true of
    the model and checked by the tests). O((c + W)·log c), W as in :func:`mmc_abandon`.

    Args:
        arrival_rate: λ ≥ 0 contacts per second.
        mean_service: AHT > 0 seconds.
        mean_patience: 1/θ > 0 seconds, finite.
        target_seconds: T ≥ 0.
        level: the required share answered within T, strictly between 0 and 1.

    Returns:
        c; 0 when there is no traffic at all.

    Raises:
        ValueError: an argument is out of range or not finite.
    """
    lam = _non_negative(arrival_rate, "arrival_rate")
    aht = _positive(mean_service, "mean_service")
    patience = _positive(mean_patience, "mean_patience")
    target = _non_negative(target_seconds, "target_seconds")
    goal = _open_unit(level, "level")
    traffic = _traffic(lam, aht)
    if traffic == 0.0:
        return 0

    def good(c: int) -> bool:
        return _erlang_a(c, lam, aht, patience, target).service_level >= goal

    c = max(1, math.floor(goal * traffic))
    if good(c):
        while c > 1 and good(c - 1):
            c -= 1
        return c
    failing, step = c, 1
    passing = failing + step
    while not good(passing):
        failing, step = passing, step * 2
        passing = failing + step
    while passing - failing > 1:
        mid = (failing + passing) // 2
        if good(mid):
            passing = mid
        else:
            failing = mid
    return passing
