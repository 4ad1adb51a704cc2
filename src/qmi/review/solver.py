"""Exact assignment of jurors to applications (plain Python: numpy and scipy, no Django).

Each application should get ``k`` reviews, each juror reads at most their capacity, conflicts
of interest are never assigned and fixed pairs (submitted reviews, assignments kept during a
re-solve) always stay. Among the assignments that place as many reviews as possible, the solver
maximises the total expertise (``fair=False``) or first the expertise of the worst-served
application, then the total (``fair=True``, as OpenReview's fair flow).

Choices, and why:

* One 0/1 variable per *allowed* pair only (not forbidden, not fixed, juror with room left,
  application still missing reviews): fixed pairs are taken out of the capacities and of ``k``
  beforehand, so the model is as small as the real choice.
* "Place as many reviews as possible first" is a per-review reward ``M`` added to every pair's
  affinity. This is the slack-variable formulation (penalty ``M`` per missing review, slack =
  ``k`` minus placed) with the constant dropped. ``M`` exceeds the most affinity that one more
  review can ever cost: one more review is an augmenting path of the flow network, which
  removes at most ``min(#applications, #jurors)`` pairs. So a shortage is only ever reported
  when no assignment avoids it.
* ``fair=False`` is a bipartite b-matching: its constraint matrix is totally unimodular, so the
  dual simplex of ``scipy.optimize.linprog`` (HiGHS) returns an integral vertex. That is an
  order of magnitude faster than branch and bound over 120,000 binaries (2,000 applications x
  60 jurors solve in well under a second). The solution is checked to be integral; if it ever
  was not, the same model goes to ``milp``.
* ``fair=True`` adds t, the worst application's affinity, which breaks total unimodularity;
  max-min allocation is NP-hard in general. Three stages, each starting from the previous
  one's solution so that running out of time never gives a worse answer than ``fair=False``:
  the LP above fixes how many reviews can be placed; then t is maximised (``_max_min``: an LP
  relaxation bounds t, then ``milp`` on growing sets of columns, the LP's integral part
  fixed first, until a solution meets the bound); then the total is maximised with every
  application at or above that t (``_exact``: ``milp`` on a few columns, with a
  reduced-cost argument proving that no other column could do better, or adding them).
  On the 2,000 x 60 benchmark this takes about 1.5 s; on contended instances (popular
  experts, scarce topics) the max-min stage may use its share of the time limit and return
  status "time_limit" with the gap on t.
* The fair stages count affinity in steps of the affinities' greatest common divisor (on
  the 1e-6 grid), so every objective is an integer: branch and bound can then close its gap
  (a bound of 2.33 on a 0.5 grid means 2.0), and "better" always means "by at least a step".
* Affinities are rounded to 1e-6 so that real differences never drown in HiGHS's tolerances;
  ``mip_rel_gap`` is 0 because the default (1e-4) would accept visibly worse assignments.
* Determinism: variables and constraints are built in sorted (application, juror) order
  whatever the order of the inputs, and HiGHS is deterministic on an identical model, so
  shuffled inputs give identical pairs. A per-pair epsilon tie-break was rejected: to never
  change the real objective it must stay below 1e-6 / (number of pairs), far below HiGHS's
  optimality tolerance (1e-7), so the solver would ignore it anyway.
* The time limit covers the whole call. On the limit, the best solution found is returned
  with status "time_limit" and the gap of the objective being optimised (None when no bound
  is known); if the first LP itself did not finish, the greedy baseline fills the slots.
  Optimal is never claimed when unproven.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

Pair = tuple[int, int]

# Affinities are compared on this grid: finer differences are below the solvers' tolerances.
DECIMALS = 6
QUANTUM = 10.0**-DECIMALS
# How far from 0 or 1 an LP value may be and still count as integral.
INTEGRALITY_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Instance:
    """What the jury asks for; ``fixed`` pairs count in the juror's load and in ``k``."""

    applications: tuple[int, ...]
    jurors: dict[int, int]
    reviews_per_application: int
    affinity: dict[tuple[int, int], float]
    forbidden: frozenset[tuple[int, int]] = frozenset()
    fixed: frozenset[tuple[int, int]] = frozenset()

    def __post_init__(self):
        # Callers build these from querysets: accept any iterable, keep the declared types.
        object.__setattr__(self, "applications", tuple(self.applications))
        object.__setattr__(self, "forbidden", frozenset(_pairs(self.forbidden)))
        object.__setattr__(self, "fixed", frozenset(_pairs(self.fixed)))
        if len(set(self.applications)) != len(self.applications):
            raise ValueError("duplicate application ids")
        if self.reviews_per_application < 1:
            raise ValueError("reviews_per_application must be at least 1")
        if any(capacity < 0 for capacity in self.jurors.values()):
            raise ValueError("capacities must be >= 0")
        for pair, value in self.affinity.items():
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"affinity of {pair} must be a finite number >= 0")
        unknown = {application for _, application in self.fixed} - set(self.applications)
        if unknown:
            raise ValueError(f"fixed pairs name unknown applications: {sorted(unknown)}")


@dataclass(frozen=True)
class Result:
    """An assignment and the figures the page shows next to it.

    ``status``: "optimal"; "short" (optimal, but some applications get fewer than ``k``
    reviews because no assignment can give them more); "time_limit" (best found, ``gap``
    says how far it may be from optimal); "infeasible" (the fixed pairs alone break a rule,
    ``reason`` says which, nothing is assigned); "heuristic" (``greedy``, complete but not
    proven optimal; a short greedy result says "short").
    """

    status: str
    pairs: tuple[tuple[int, int], ...]
    total_affinity: float
    worst_affinity: float
    shortages: dict[int, int]
    needed: int
    capacity: int
    seconds: float
    gap: float | None = None
    objective: str = "total"
    reason: str = ""


@dataclass(frozen=True)
class Change:
    """What a re-solve does to the current assignment (empty when it is infeasible)."""

    added: tuple[tuple[int, int], ...] = ()
    removed: tuple[tuple[int, int], ...] = ()


def solve(instance: Instance, *, fair: bool = False, time_limit: float = 30.0) -> Result:
    """Best assignment: most reviews placed, then most expertise (total, or worst first)."""
    start = time.perf_counter()
    problem = _Problem.strict(instance)
    if problem.reason:
        return _infeasible(instance, problem.reason, start, fair)
    return _run(instance, problem, fair=fair, time_limit=time_limit, start=start)


def greedy(instance: Instance) -> Result:
    """Baseline for the benchmark: what a secretary would do by hand, application after
    application, each taking the most expert jurors who still have room."""
    start = time.perf_counter()
    problem = _Problem.strict(instance)
    if problem.reason:
        return _infeasible(instance, problem.reason, start, objective="greedy")
    pairs = _greedy_fill(problem)
    return _result(instance, problem, pairs, "heuristic", start, objective="greedy")


def resolve(
    instance: Instance,
    previous: Iterable[tuple[int, int]],
    *,
    keep: Iterable[tuple[int, int]] = (),
    fair: bool = False,
    time_limit: float = 30.0,
) -> tuple[Result, Change]:
    """Repair an assignment after a conflict or a withdrawal, moving as little as possible.

    ``instance`` already holds the new conflicts and the withdrawn juror (removed, or with
    capacity 0). Previous pairs that are still allowed stay; ``keep`` pairs (submitted
    reviews) stay even if they are now forbidden or their juror left, since a submitted
    review is never moved. Only the freed slots are refilled.
    """
    start = time.perf_counter()
    previous_pairs = set(_pairs(previous))
    problem = _Problem.repair(instance, previous_pairs, set(_pairs(keep)))
    if problem.reason:
        return _infeasible(instance, problem.reason, start, fair), Change()
    result = _run(instance, problem, fair=fair, time_limit=time_limit, start=start)
    new = set(result.pairs)
    change = Change(
        added=tuple(sorted(new - previous_pairs)), removed=tuple(sorted(previous_pairs - new))
    )
    return result, change


# --- The problem once fixed pairs are placed -------------------------------------------------


@dataclass
class _Problem:
    """Room left for the solver: fixed pairs already take their share of ``k`` and capacity."""

    applications: tuple[int, ...]  # sorted
    jurors: tuple[int, ...]  # sorted
    weight: dict[Pair, float]  # rounded affinities
    forbidden: frozenset[Pair]
    fixed: frozenset[Pair]
    need: dict[int, int]  # application -> reviews still to place
    room: dict[int, int]  # juror -> reviews they can still take
    reason: str = ""

    @classmethod
    def strict(cls, instance: Instance) -> _Problem:
        return cls._build(instance, instance.fixed, instance.jurors, {})

    @classmethod
    def repair(cls, instance: Instance, previous: set[Pair], keep: set[Pair]) -> _Problem:
        applications = set(instance.applications)
        k = instance.reviews_per_application
        # Submitted reviews outrank every rule: they widen the capacity and k they exceed.
        forced = {pair for pair in keep if pair[1] in applications}
        forced_load = Counter(juror for juror, _ in forced)
        capacity = dict(instance.jurors)
        for juror, load in forced_load.items():
            capacity[juror] = max(capacity.get(juror, 0), load)
        forced_count = Counter(application for _, application in forced)
        extra_k = {a: count for a, count in forced_count.items() if count > k}
        strict = instance.fixed - forced
        problem = cls._build(instance, strict, capacity, extra_k, forced=forced)
        if problem.reason:
            return problem
        # Previous pairs still allowed stay, as long as a lowered capacity or k leaves room
        # (most expert first, then in id order, so the choice does not depend on input order).
        kept = []
        candidates = sorted(
            (pair for pair in previous - problem.fixed if problem.allowed(pair)),
            key=lambda pair: (-problem.weight.get(pair, 0.0), pair[1], pair[0]),
        )
        for juror, application in candidates:
            if problem.room[juror] > 0 and problem.need[application] > 0:
                problem.room[juror] -= 1
                problem.need[application] -= 1
                kept.append((juror, application))
        problem.fixed = problem.fixed | frozenset(kept)
        return problem

    @classmethod
    def _build(
        cls,
        instance: Instance,
        fixed: frozenset[Pair] | set[Pair],
        capacity: Mapping[int, int],
        extra_k: Mapping[int, int],
        forced: set[Pair] = frozenset(),
    ) -> _Problem:
        k = instance.reviews_per_application
        weight = {pair: round(float(value), DECIMALS) for pair, value in instance.affinity.items()}
        all_fixed = frozenset(fixed) | frozenset(forced)
        load = Counter(juror for juror, _ in all_fixed)
        count = Counter(application for _, application in all_fixed)
        applications = tuple(sorted(instance.applications))
        jurors = tuple(sorted(capacity))
        need = {a: extra_k.get(a, k) - count[a] for a in applications}
        room = {j: capacity[j] - load[j] for j in jurors}
        reason = ""
        if fixed & instance.forbidden:
            reason = "fixed_forbidden"
        elif any(load[j] > capacity.get(j, 0) for j in load):
            reason = "fixed_over_capacity"
        elif any(n < 0 for n in need.values()):
            reason = "fixed_over_k"
        return cls(
            applications=applications,
            jurors=jurors,
            weight=weight,
            forbidden=instance.forbidden,
            fixed=all_fixed,
            need=need,
            room=room,
            reason=reason,
        )

    def allowed(self, pair: Pair) -> bool:
        juror, application = pair
        return application in self.need and juror in self.room and pair not in self.forbidden

    def free_pairs(self) -> list[Pair]:
        """Pairs the solver may still choose, in (application, juror) order."""
        jurors = [j for j in self.jurors if self.room[j] > 0]
        return [
            (j, a)
            for a in self.applications
            if self.need[a] > 0
            for j in jurors
            if (j, a) not in self.forbidden and (j, a) not in self.fixed
        ]


# --- Solving ---------------------------------------------------------------------------------

# Columns the fair stages start from: each application's most expert jurors, this many more
# than it needs (the max-min stage widens them round after round; the total stage's
# reduced-cost proof adds any other column that could matter).
SPARE_COLUMNS = 4
# The fair stages' LP relaxations only serve bounds and hints: the interior point method is
# much faster than the simplex on these degenerate max-min LPs.
LP_METHOD = "highs-ipm"
PRICING_ROUNDS = 3
PRICING_TOLERANCE = 1e-9


@dataclass
class _Model:
    """The free pairs as arrays, in (application, juror) order; rows count applications
    and jurors that have at least one free pair."""

    pairs: list[Pair]
    weights: np.ndarray
    app_row: np.ndarray
    juror_row: np.ndarray
    need: np.ndarray  # per application row
    room: np.ndarray  # per juror row
    # The fair stages count affinity in steps of the affinities' common grid (their greatest
    # common divisor), so that sums are integers and branch and bound can close its gap:
    # with a fractional bound of 2.33 on a 0.5 grid, HiGHS would otherwise search forever
    # for a proof that 2.5 is out of reach.
    step: float  # affinity of one step
    steps: np.ndarray  # each pair's affinity, in steps
    fixed_steps: np.ndarray  # per application row: what its fixed pairs already give
    ceiling_steps: float  # worst application without free pairs (inf if none)

    @property
    def size(self) -> int:
        return len(self.pairs)

    def capacity_entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, values): one row per application, then one per juror."""
        columns = np.arange(self.size)
        rows = np.concatenate([self.app_row, len(self.need) + self.juror_row])
        return rows, np.concatenate([columns, columns]), np.ones(2 * self.size)


def _model(problem: _Problem, pairs: list[Pair]) -> _Model:
    applications = sorted({a for _, a in pairs})
    jurors = sorted({j for j, _ in pairs})
    app_index = {a: i for i, a in enumerate(applications)}
    juror_index = {j: i for i, j in enumerate(jurors)}
    n = len(pairs)
    weights = np.fromiter((problem.weight.get(pair, 0.0) for pair in pairs), float, count=n)
    fixed_grid = _fixed_grid(problem)
    grid = np.rint(weights / QUANTUM).astype(np.int64)
    step = int(np.gcd.reduce(np.concatenate([grid, list(fixed_grid.values())]))) or 1
    return _Model(
        pairs=pairs,
        weights=weights,
        app_row=np.fromiter((app_index[a] for _, a in pairs), np.int64, count=n),
        juror_row=np.fromiter((juror_index[j] for j, _ in pairs), np.int64, count=n),
        need=np.array([problem.need[a] for a in applications], dtype=float),
        room=np.array([problem.room[j] for j in jurors], dtype=float),
        step=step * QUANTUM,
        steps=(grid // step).astype(float),
        fixed_steps=np.array([fixed_grid[a] // step for a in applications], dtype=float),
        ceiling_steps=min(
            (fixed_grid[a] // step for a in problem.applications if a not in app_index),
            default=math.inf,
        ),
    )


@dataclass
class _Stage:
    chosen: np.ndarray | None  # 0/1 vector over the model's pairs
    timed_out: bool = False
    gap: float | None = None


class _Clock:
    def __init__(self, start: float, limit: float):
        self.deadline = start + limit

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def share(self, fraction: float) -> _Clock:
        clock = _Clock(time.perf_counter(), 0.0)
        clock.deadline += max(0.0, self.left()) * fraction
        return clock


def _run(instance: Instance, problem: _Problem, *, fair: bool, time_limit: float, start: float):
    clock = _Clock(start, time_limit)
    pairs = problem.free_pairs()
    objective = "fair" if fair else "total"
    if not pairs:
        return _result(instance, problem, problem.fixed, "optimal", start, objective=objective)
    model = _model(problem, pairs)
    stage = _most_placed(model, clock)
    if stage.chosen is not None and fair:
        stage = _fairest(problem, model, stage, clock)
    if stage.chosen is None:
        # Nothing found in time: the greedy baseline at least fills the slots.
        chosen = _greedy_fill(problem)
        return _result(instance, problem, chosen, "time_limit", start, objective=objective)
    chosen = problem.fixed | {pair for pair, on in zip(pairs, stage.chosen, strict=True) if on}
    status = "time_limit" if stage.timed_out else "optimal"
    return _result(instance, problem, chosen, status, start, gap=stage.gap, objective=objective)


def _most_placed(model: _Model, clock: _Clock) -> _Stage:
    """Most reviews, then most total affinity: exact LP thanks to total unimodularity."""
    rows, columns, values = model.capacity_entries()
    matrix = sparse.csr_array((values, (rows, columns)), shape=(rows.max() + 1, model.size))
    limits = np.concatenate([model.need, model.room])
    # One more review is an augmenting path: it drops at most min(#applications, #jurors)
    # pairs, so this reward outweighs any affinity it could cost.
    reward = model.weights.max() * min(len(model.need), len(model.room)) + 1.0
    costs = -(model.weights + reward)
    if clock.left() <= 0:
        return _Stage(None, timed_out=True)
    result = linprog(
        costs,
        A_ub=matrix,
        b_ub=limits,
        bounds=(0, 1),
        method="highs-ds",
        options={"time_limit": clock.left()},
    )
    if result.status == 1:
        return _Stage(None, timed_out=True)
    if result.status != 0:  # pragma: no cover - x = 0 is always feasible
        raise RuntimeError(f"HiGHS failed on the assignment LP: {result.message}")
    values = np.asarray(result.x)
    chosen = np.round(values)
    if np.all(np.abs(values - chosen) <= INTEGRALITY_TOLERANCE):
        return _Stage(chosen.astype(bool))
    # Not integral (numerical trouble): the same model as an integer program.
    program = _Program(-costs, matrix.tocsc(), limits)  # pragma: no cover
    stage = _restricted(program, np.ones(model.size, bool), clock)  # pragma: no cover
    return _Stage(stage.chosen, timed_out=stage.timed_out)  # pragma: no cover


def _fairest(problem: _Problem, model: _Model, most: _Stage, clock: _Clock) -> _Stage:
    """Worst application first, then the total. Each stage starts from the previous stage's
    solution, so cutting one short never makes the answer worse than the total-only one."""
    placed = int(most.chosen.sum())
    # Max-min is the hard part (NP-hard in general): it gets most of the time.
    worst = _max_min(model, most.chosen, clock.share(2 / 3))
    floor = _worst_of(problem, model, worst.chosen)
    if _worst_of(problem, model, most.chosen) >= floor:
        # The total-only optimum already serves the worst file as well as can be: it wins.
        best = _Outcome(most.chosen, 0.0, 0.0, True, most.chosen)
    else:
        total = _total_program(model, placed, round(floor / model.step))
        start = _top_columns(model, SPARE_COLUMNS) | worst.chosen | most.chosen
        best = _exact(total, start, clock, worst.chosen)
        if _worst_of(problem, model, best.chosen) < floor:  # HiGHS bent the floor (tolerance)
            best = _Outcome(worst.chosen, -math.inf, math.inf, False, worst.columns)
    if not worst.proven:
        return _Stage(best.chosen, timed_out=True, gap=_gap(worst.value, worst.bound))
    if not best.proven:
        return _Stage(best.chosen, timed_out=True, gap=_gap(best.value, best.bound))
    return _Stage(best.chosen)


def _max_min(model: _Model, incumbent: np.ndarray, clock: _Clock) -> _Outcome:
    """The best worst-served application, keeping the most reviews (value and bound in steps).

    Max-min allocation is NP-hard and HiGHS alone stalls on the whole model, so: the LP
    relaxation bounds t (t counts whole steps, so the optimum is at most the bound rounded
    down); then ever larger integer programs (the LP's integral part fixed, then each
    application's best jurors, twice as many each round) until one reaches that bound, the
    whole model is solved, or time runs out.
    """
    program = _worst_program(model, int(incumbent.sum()))
    best, value = incumbent, _value(program, incumbent)
    target = program.t_upper

    def improve(chosen: np.ndarray | None) -> bool:
        nonlocal best, value
        if chosen is not None and _value(program, chosen) > value:
            best, value = chosen, _value(program, chosen)
        return value >= target

    start = _top_columns(model, SPARE_COLUMNS) | best
    relaxed = _relaxation(program, start, clock.share(1 / 3))
    if relaxed is not None:
        x, bound = relaxed
        target = min(target, math.floor(bound + 1e-9 * abs(bound) + 1e-6))
    done = improve(None)
    columns = best
    if not done and relaxed is not None:
        ones = x >= 1 - INTEGRALITY_TOLERANCE
        fractional = (x > INTEGRALITY_TOLERANCE) & ~ones
        touched = np.zeros(len(model.need), bool)
        touched[model.app_row[fractional]] = True
        free = fractional | (_top_columns(model, SPARE_COLUMNS) & touched[model.app_row])
        done = improve(_restricted(program, ones | free, clock, fixed=ones).chosen)
    spare = SPARE_COLUMNS
    while not done and clock.left() > 0:
        columns = _top_columns(model, spare) | best
        stage = _restricted(program, columns, clock)
        done = improve(stage.chosen) or (columns.all() and not stage.timed_out)
        if columns.all():
            break
        spare *= 2
    return _Outcome(best, value, value if done else target, done, columns)


def _relaxation(program: _Program, columns: np.ndarray, clock: _Clock):
    """The LP relaxation by column generation: (solution, upper bound), or None out of time.

    Each round solves the LP on some columns and prices all of them; the bound holds
    whatever the round, so stopping early only makes it looser.
    """
    found = None
    for _ in range(PRICING_ROUNDS):
        solved = _lp(program, columns, clock)
        if solved is None:
            break
        x, duals = solved
        reduced, bound = _pricing(program, duals)
        found = x, min(bound, found[1]) if found else bound
        entering = (reduced[: program.pairs] > PRICING_TOLERANCE) & ~columns
        if not entering.any():
            break
        columns = columns | entering
    return found


def _gap(value: float, bound: float) -> float | None:
    """Share of the best possible objective that the solution may be missing."""
    if not math.isfinite(bound) or not math.isfinite(value):
        return None
    if bound <= 0:
        return 0.0
    return float(max(0.0, bound - value) / bound)


def _top_columns(model: _Model, spare: int) -> np.ndarray:
    """Each application's most expert jurors, ``spare`` more than it needs."""
    return _rank_in_application(model) < model.need[model.app_row] + spare


def _rank_in_application(model: _Model) -> np.ndarray:
    """Each pair's rank among its application's pairs, most expert first (ties: lower juror
    id, as pairs are sorted)."""
    order = np.lexsort((np.arange(model.size), -model.weights, model.app_row))
    starts = np.searchsorted(model.app_row[order], model.app_row[order], side="left")
    rank = np.empty(model.size, np.int64)
    rank[order] = np.arange(model.size) - starts
    return rank


@dataclass
class _Program:
    """max costs . x  s.t.  matrix . x <= limits, 0 <= x <= 1 binary; when ``t_upper`` is
    set, the last column is t in [0, t_upper] instead (integer too: it counts steps)."""

    costs: np.ndarray
    matrix: sparse.csc_array
    limits: np.ndarray
    t_upper: float | None = None

    @property
    def pairs(self) -> int:
        return len(self.costs) - (self.t_upper is not None)


def _worst_program(model: _Model, placed: int) -> _Program:
    """max t  s.t. capacities, t <= each application's affinity, at least ``placed`` reviews.

    A row rather than a reward per review: with affinities on a fine grid (1e-6 steps) the
    reward would have to exceed millions of steps and drown t in rounding errors.
    """
    n, apps, jurors = model.size, len(model.need), len(model.room)
    rows, columns, values = model.capacity_entries()
    matrix = sparse.csc_array(
        (
            np.concatenate([values, -model.steps, np.ones(apps), -np.ones(n)]),
            (
                np.concatenate(
                    [
                        rows,
                        apps + jurors + model.app_row,
                        apps + jurors + np.arange(apps),
                        np.full(n, 2 * apps + jurors),
                    ]
                ),
                np.concatenate([columns, np.arange(n), np.full(apps, n), np.arange(n)]),
            ),
        ),
        shape=(2 * apps + jurors + 1, n + 1),
    )
    limits = np.concatenate([model.need, model.room, model.fixed_steps, [-placed]])
    # No application can beat its own best jurors (this also keeps the dual bound finite).
    ranked = _rank_in_application(model)
    top = np.bincount(
        model.app_row, weights=model.steps * (ranked < model.need[model.app_row]), minlength=apps
    )
    t_upper = float(min(model.ceiling_steps, (model.fixed_steps + top).min()))
    costs = np.zeros(n + 1)
    costs[-1] = 1.0
    return _Program(costs, matrix, limits, t_upper)


def _total_program(model: _Model, placed: int, floor: int) -> _Program:
    """max total  s.t. capacities, every application at or above ``floor``, ``placed`` reviews."""
    n, apps, jurors = model.size, len(model.need), len(model.room)
    rows, columns, values = model.capacity_entries()
    matrix = sparse.csc_array(
        (
            np.concatenate([values, -model.steps, -np.ones(n)]),
            (
                np.concatenate(
                    [rows, apps + jurors + model.app_row, np.full(n, 2 * apps + jurors)]
                ),
                np.concatenate([columns, np.arange(n), np.arange(n)]),
            ),
        ),
        shape=(2 * apps + jurors + 1, n),
    )
    # Half a step below: sums are whole steps, so nothing below the floor slips in.
    wanted = floor - 0.5 - model.fixed_steps
    limits = np.concatenate([model.need, model.room, -wanted, [-placed]])
    return _Program(model.steps.copy(), matrix, limits)


@dataclass
class _Outcome:
    chosen: np.ndarray
    value: float
    bound: float  # upper bound over all columns (inf when unknown)
    proven: bool
    columns: np.ndarray


def _exact(program: _Program, columns: np.ndarray, clock: _Clock, incumbent: np.ndarray):
    """Solve ``program`` on a few columns, and prove the answer holds for all of them.

    For any duals y >= 0, ``bound`` = limits . y + sum of positive reduced costs bounds every
    solution, and a solution using a column of reduced cost r is worth at most bound + r. Once
    the restricted optimum I is known, a strictly better solution (better by at least one,
    as objectives count whole steps) can only use columns with r >= I - bound + 1: if
    they are all in the restricted program, I is the optimum. Otherwise they are added and the
    program solved once more, which is then exact if it ends in time. ``incumbent`` (a
    feasible solution) stands whenever HiGHS finds nothing better in time.
    """
    columns = columns | incumbent
    best, value = incumbent, _value(program, incumbent)

    def keep_best(stage: _Restricted) -> None:
        nonlocal best, value
        if stage.chosen is not None and _value(program, stage.chosen) > value:
            best, value = stage.chosen, _value(program, stage.chosen)

    stage = _restricted(program, columns, clock)
    keep_best(stage)
    # Column generation on the LP relaxation: a few rounds tighten the bound.
    priced, lp_columns = None, columns
    for _ in range(PRICING_ROUNDS):
        solved = _lp(program, lp_columns, clock)
        if solved is None:
            break
        priced = _pricing(program, solved[1])
        entering = (priced[0][: program.pairs] > PRICING_TOLERANCE) & ~lp_columns
        if not entering.any():
            break
        lp_columns = lp_columns | entering
    if priced is None:
        return _Outcome(best, value, math.inf, False, columns)
    reduced, bound = priced
    if stage.timed_out:
        return _Outcome(best, value, bound, False, columns)
    eligible = reduced[: program.pairs] >= value - bound + 0.5
    if not (eligible & ~columns).any():
        return _Outcome(best, value, value, True, columns)
    columns = columns | eligible
    stage = _restricted(program, columns, clock)
    keep_best(stage)
    if stage.timed_out:
        # Solutions outside these columns cannot beat value + 1.
        bound = min(bound, max(stage.bound, value + 1))
        return _Outcome(best, value, bound, False, columns)
    return _Outcome(best, value, value, True, columns)


def _lp(program: _Program, columns: np.ndarray, clock: _Clock):
    """The LP relaxation on some columns: (solution over all pairs, duals), or None."""
    kept = _with_t(program, columns)
    if clock.left() <= 0:
        return None
    result = linprog(
        -program.costs[kept],
        A_ub=program.matrix[:, kept],
        b_ub=program.limits,
        bounds=_bounds(program, kept),
        method=LP_METHOD,
        options={"time_limit": clock.left()},
    )
    if result.status != 0:
        return None
    x = np.zeros(program.pairs)
    x[kept[kept < program.pairs]] = result.x[: columns.sum()]
    # linprog minimises; the maximisation's duals are the opposite, clipped for validity.
    return x, np.maximum(-np.asarray(result.ineqlin.marginals), 0.0)


def _pricing(program: _Program, duals: np.ndarray) -> tuple[np.ndarray, float]:
    reduced = program.costs - program.matrix.T @ duals
    upper = np.ones(len(reduced))
    if program.t_upper is not None:
        upper[-1] = program.t_upper
    bound = float(program.limits @ duals + upper @ np.maximum(reduced, 0.0))
    return reduced, bound


@dataclass
class _Restricted:
    chosen: np.ndarray | None
    timed_out: bool
    bound: float


def _restricted(
    program: _Program, columns: np.ndarray, clock: _Clock, fixed: np.ndarray | None = None
) -> _Restricted:
    """``program`` on some columns only (``fixed`` ones forced to 1)."""
    kept = _with_t(program, columns)
    if clock.left() <= 0:
        return _Restricted(None, True, math.inf)
    integrality = np.ones(len(kept))  # t too: it counts whole steps
    bounds = _bounds(program, kept)
    if fixed is not None:
        bounds[: columns.sum(), 0] = fixed[kept[: columns.sum()]]
    result = milp(
        -program.costs[kept],
        integrality=integrality,
        bounds=Bounds(bounds[:, 0], bounds[:, 1]),
        constraints=LinearConstraint(program.matrix[:, kept], -np.inf, program.limits),
        # Presolve costs more than it saves on these models; the default relative gap
        # (1e-4) would accept visibly worse assignments.
        options={"time_limit": clock.left(), "mip_rel_gap": 0.0, "presolve": False},
    )
    if result.status not in (0, 1):  # pragma: no cover - x = 0 or the incumbent is feasible
        raise RuntimeError(f"HiGHS failed on the assignment model: {result.message}")
    bound = -result.mip_dual_bound if result.mip_dual_bound is not None else math.inf
    if result.x is None:
        return _Restricted(None, True, bound)
    chosen = np.zeros(program.pairs, bool)
    chosen[kept[kept < program.pairs]] = np.round(result.x[: columns.sum()]) > 0
    return _Restricted(chosen, result.status == 1, bound)


def _with_t(program: _Program, columns: np.ndarray) -> np.ndarray:
    kept = np.flatnonzero(columns)
    if program.t_upper is not None:
        kept = np.append(kept, program.pairs)
    return kept


def _bounds(program: _Program, kept: np.ndarray) -> np.ndarray:
    bounds = np.zeros((len(kept), 2))
    bounds[:, 1] = 1.0
    if program.t_upper is not None:
        bounds[-1, 1] = program.t_upper
    return bounds


def _value(program: _Program, chosen: np.ndarray) -> float:
    """The objective, with t recomputed from the pairs rather than taken from the solver."""
    x = chosen.astype(float)
    value = float(program.costs[: program.pairs] @ x)
    if program.t_upper is not None:
        t_column = program.matrix[:, [program.pairs]].toarray().ravel()
        room = program.limits - program.matrix[:, : program.pairs] @ x
        t = min(program.t_upper, float(room[t_column > 0].min(initial=math.inf)))
        value += program.costs[-1] * t
    return value


def _fixed_grid(problem: _Problem) -> dict[int, int]:
    """Per application, the affinity its fixed pairs give, in quanta (exact integers)."""
    total = dict.fromkeys(problem.applications, 0)
    for pair in problem.fixed:
        total[pair[1]] += round(problem.weight.get(pair, 0.0) / QUANTUM)
    return total


def _worst_of(problem: _Problem, model: _Model, chosen: np.ndarray) -> float:
    pairs = problem.fixed | {pair for pair, on in zip(model.pairs, chosen, strict=True) if on}
    return _worst(problem.applications, problem.weight, pairs)


def _worst(applications, weight: Mapping[Pair, float], pairs: Iterable[Pair]) -> float:
    total = dict.fromkeys(applications, 0.0)
    for pair in pairs:
        if pair[1] in total:
            total[pair[1]] += weight.get(pair, 0.0)
    return round(min(total.values()), DECIMALS) if total else 0.0


def _greedy_fill(problem: _Problem) -> set[Pair]:
    room = dict(problem.room)
    chosen = set(problem.fixed)
    for application in problem.applications:
        need = problem.need[application]
        if need <= 0:
            continue
        candidates = sorted(
            (-problem.weight.get((juror, application), 0.0), -room[juror], juror)
            for juror in problem.jurors
            if room[juror] > 0
            and (juror, application) not in problem.forbidden
            and (juror, application) not in chosen
        )
        for _, _, juror in candidates[:need]:
            room[juror] -= 1
            chosen.add((juror, application))
    return chosen


# --- Results ---------------------------------------------------------------------------------


def _result(
    instance: Instance,
    problem: _Problem,
    pairs: Iterable[Pair],
    status: str,
    start: float,
    *,
    gap: float | None = None,
    objective: str = "total",
) -> Result:
    pairs = tuple(sorted(pairs))
    k = instance.reviews_per_application
    count = Counter(application for _, application in pairs)
    shortages = {a: k - count[a] for a in problem.applications if count[a] < k}
    if shortages and status in ("optimal", "heuristic"):
        status = "short"
    total = math.fsum(problem.weight.get(pair, 0.0) for pair in pairs)
    return Result(
        status=status,
        pairs=pairs,
        total_affinity=round(total, DECIMALS),
        worst_affinity=_worst(problem.applications, problem.weight, pairs),
        shortages=shortages,
        needed=k * len(instance.applications),
        capacity=sum(instance.jurors.values()),
        seconds=time.perf_counter() - start,
        gap=gap,
        objective=objective,
    )


def _infeasible(
    instance: Instance, reason: str, start: float, fair: bool = False, objective: str = ""
) -> Result:
    return Result(
        status="infeasible",
        pairs=(),
        total_affinity=0.0,
        worst_affinity=0.0,
        shortages={},
        needed=instance.reviews_per_application * len(instance.applications),
        capacity=sum(instance.jurors.values()),
        seconds=time.perf_counter() - start,
        objective=objective or ("fair" if fair else "total"),
        reason=reason,
    )


def _pairs(pairs: Iterable) -> Iterable[Pair]:
    return ((int(juror), int(application)) for juror, application in pairs)
