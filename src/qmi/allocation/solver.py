"""Splitting a call's laureates across its communes by mutual interest (plain Python, no Django).

Every laureate is placed exactly once; every commune receives between its minimum and its
maximum; pins always hold and forbidden pairs never do. Among those allocations the solver
maximises the sum of the pairs' points: for a pair where both sides listed each other,
α × the commune's points for the laureate + (1 − α) × the laureate's points for the commune,
with (n − r + 1) / n points for rank r in a list of n (ties share a rank). Pairs with
one-sided interest are excluded, unless allowed at a penalty (then worth their points minus it).

Choices, and why:

* ``solve`` is exact: ``scipy.optimize.milp`` (HiGHS) on one binary per allowed pair.
* The constraints form a transport problem with bounds (laureates supply 1, communes take
  between their minimum and maximum): the matrix is totally unimodular, so ``solve_flow``
  (the same network solved as a linear programme by ``linprog``) reaches the same optimum
  with an integral vertex; the tests check that both agree.
* Determinism: laureates and communes are sorted (by application number, then commune key)
  before the model is built, and HiGHS is deterministic on an identical model, so the same
  inputs in any order give the same allocation.
* ``check`` names why no allocation can exist before any solving (sums of minima and
  maxima, a laureate nobody may take, communes whose minima exceed the laureates who share
  an interest with them, found as a minimum cut, pins over a maximum), so the page never
  says a bare "infeasible".
* ``deferred_acceptance`` (laureates proposing, communes' maxima as quotas) and
  ``blocking_pairs`` give the stable-matching view to compare a run with.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

ALPHA = 0.5


def points(ranking):
    """{item: points} of a ranked list: {item: rank} with rank 1 best, ties allowed.

    (n − r + 1) / n for rank r in a list of n items; an unlisted item has no entry.
    """
    n = len(ranking)
    return {item: (n - rank + 1) / n for item, rank in ranking.items()} if n else {}


@dataclass(frozen=True)
class Instance:
    laureates: tuple  # application numbers (sortable keys)
    communes: Mapping  # commune key -> (minimum, maximum)
    commune_ranks: Mapping  # commune key -> {laureate: rank}
    laureate_ranks: Mapping  # laureate -> {commune key: rank}
    alpha: float = ALPHA
    pins: frozenset = frozenset()  # (laureate, commune)
    forbidden: frozenset = frozenset()  # (laureate, commune)
    one_sided_penalty: float | None = None  # None: one-sided pairs excluded
    tie_break: Mapping = field(default_factory=dict)  # laureate -> small extra (jury total)

    def weights(self):
        """{(laureate, commune): points} of every pair that may be chosen."""
        commune_points = {c: points(self.commune_ranks.get(c, {})) for c in self.communes}
        laureate_points = {lau: points(self.laureate_ranks.get(lau, {})) for lau in self.laureates}
        weights = {}
        for laureate in sorted(self.laureates):
            for commune in sorted(self.communes):
                pair = (laureate, commune)
                if pair in self.forbidden:
                    continue
                from_commune = commune_points[commune].get(laureate)
                from_laureate = laureate_points[laureate].get(commune)
                value = self.alpha * (from_commune or 0) + (1 - self.alpha) * (from_laureate or 0)
                if from_commune is None or from_laureate is None:
                    if pair not in self.pins and (
                        self.one_sided_penalty is None
                        or (from_commune is None and from_laureate is None)
                    ):
                        continue
                    if pair not in self.pins:
                        value -= self.one_sided_penalty
                weights[pair] = round(value + self.tie_break.get(laureate, 0.0), 9)
        return weights

    def mutual(self, laureate, commune):
        return laureate in self.commune_ranks.get(commune, {}) and commune in (
            self.laureate_ranks.get(laureate, {})
        )


@dataclass
class Result:
    status: str  # "optimal", "infeasible", "time_limit"
    placement: dict  # laureate -> commune
    objective: float | None
    seconds: float
    reasons: list = field(default_factory=list)  # why infeasible, in French
    gap: float | None = None


def check(instance):
    """Reasons, in French, why no allocation can exist (empty when none is found)."""
    laureates, communes = sorted(instance.laureates), sorted(instance.communes)
    allowed = instance.weights()
    reasons = _capacity_reasons(instance, len(laureates), len(communes))
    for laureate in laureates:
        if not any((laureate, commune) in allowed for commune in communes):
            reasons.append(
                f"Le lauréat {laureate} n'a aucune commune possible (aucun intérêt commun "
                "ou toutes interdites)."
            )
    reasons += _pin_reasons(instance, laureates)
    if sum(low for low, _high in instance.communes.values()) <= len(laureates):
        reasons += _short_groups(instance, allowed, laureates, communes)
    return reasons


def _capacity_reasons(instance, n, n_communes):
    reasons = []
    for commune, (low, high) in sorted(instance.communes.items()):
        if low < 0 or high < low:
            reasons.append(
                f"{commune} : le minimum ({low}) doit être positif et ne pas dépasser "
                f"le maximum ({high})."
            )
    minima = sum(low for low, _high in instance.communes.values())
    maxima = sum(high for _low, high in instance.communes.values())
    if minima > n:
        reasons.append(
            f"{n} lauréats pour {n_communes} communes qui doivent en accueillir au moins {minima}."
        )
    if maxima < n:
        reasons.append(
            f"{n} lauréats pour {n_communes} communes qui peuvent en accueillir au plus {maxima}."
        )
    return reasons


def _pin_reasons(instance, laureates):
    reasons = []
    pinned = {}
    for laureate, commune in sorted(instance.pins):
        pinned.setdefault(commune, []).append(laureate)
        if (laureate, commune) in instance.forbidden:
            reasons.append(f"Le lauréat {laureate} est à la fois fixé et interdit à {commune}.")
    for laureate in laureates:
        if sum(1 for lau, _c in instance.pins if lau == laureate) > 1:
            reasons.append(f"Le lauréat {laureate} est fixé à plusieurs communes.")
    for commune, held in sorted(pinned.items()):
        high = instance.communes.get(commune, (0, 0))[1]
        if len(held) > high:
            reasons.append(
                f"{len(held)} lauréats fixés à {commune}, qui en accueille au plus {high}."
            )
    return reasons


def _short_groups(instance, allowed, laureates, communes):
    """Communes whose minima exceed the laureates who may go to them (Hall, by a minimum cut).

    Network: source → commune (its minimum), commune → laureate (allowed pair), laureate →
    sink (1). The minima can all be met only if the maximum flow is their sum; otherwise
    the communes still reachable from the source in the residual graph are a group whose
    minima exceed the laureates they share an interest with.
    """
    minima = {c: instance.communes[c][0] for c in communes}
    if not sum(minima.values()):
        return []
    source, sink = 0, 1 + len(communes) + len(laureates)
    c_index = {c: 1 + i for i, c in enumerate(communes)}
    l_index = {lau: 1 + len(communes) + i for i, lau in enumerate(laureates)}
    rows, cols, caps = [], [], []
    for commune in communes:
        rows.append(source), cols.append(c_index[commune]), caps.append(minima[commune])
    for laureate, commune in allowed:
        rows.append(c_index[commune]), cols.append(l_index[laureate]), caps.append(1)
    for laureate in laureates:
        rows.append(l_index[laureate]), cols.append(sink), caps.append(1)
    size = sink + 1
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(size, size))
    flow = maximum_flow(graph, source, sink)
    if flow.flow_value >= sum(minima.values()):
        return []
    residual = graph - flow.flow  # flow holds +f forward and −f backward entries
    residual = residual.tocsr()
    seen, stack = {source}, [source]
    while stack:
        node = stack.pop()
        start, end = residual.indptr[node], residual.indptr[node + 1]
        for neighbour, capacity in zip(
            residual.indices[start:end], residual.data[start:end], strict=True
        ):
            if capacity > 0 and neighbour not in seen:
                seen.add(int(neighbour))
                stack.append(int(neighbour))
    group = [c for c in communes if c_index[c] in seen]
    reachable = {lau for lau, c in allowed if c in group}
    if not group:
        return []
    names = " et ".join(str(c) for c in group) if len(group) <= 3 else ", ".join(map(str, group))
    need = sum(minima[c] for c in group)
    return [
        f"{names} doivent accueillir au moins {need} projets ; seuls {len(reachable)} "
        "lauréats ont un intérêt commun avec elles."
        if len(group) > 1
        else f"{names} doit accueillir au moins {need} projets ; seuls {len(reachable)} "
        "lauréats ont un intérêt commun avec elle."
    ]


def _model(instance):
    weights = instance.weights()
    pairs = sorted(weights)
    laureates, communes = sorted(instance.laureates), sorted(instance.communes)
    l_row = {lau: i for i, lau in enumerate(laureates)}
    c_row = {c: len(laureates) + i for i, c in enumerate(communes)}
    rows, cols = [], []
    for column, (laureate, commune) in enumerate(pairs):
        rows += [l_row[laureate], c_row[commune]]
        cols += [column, column]
    matrix = csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(laureates) + len(communes), len(pairs))
    )
    lower = np.array([1.0] * len(laureates) + [instance.communes[c][0] for c in communes])
    upper = np.array([1.0] * len(laureates) + [instance.communes[c][1] for c in communes])
    low_bounds = np.array([1.0 if pair in instance.pins else 0.0 for pair in pairs])
    cost = -np.array([weights[pair] for pair in pairs])
    return pairs, cost, matrix, lower, upper, low_bounds


def _result(status, pairs, values, cost, started, reasons=(), gap=None):
    placement = {}
    if values is not None:
        for pair, value in zip(pairs, values, strict=True):
            if value > 0.5:
                placement[pair[0]] = pair[1]
        objective = round(float(-cost @ np.round(values)), 9)
    else:
        objective = None
    return Result(status, placement, objective, time.perf_counter() - started, list(reasons), gap)


def solve(instance, *, time_limit=10.0):
    """The best allocation (milp, exact), or the reasons there is none."""
    started = time.perf_counter()
    reasons = check(instance)
    if reasons:
        return Result("infeasible", {}, None, time.perf_counter() - started, reasons)
    pairs, cost, matrix, lower, upper, low_bounds = _model(instance)
    if not pairs:
        return Result("infeasible", {}, None, 0.0, ["Aucun couple possible."])
    answer = milp(
        cost,
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=np.ones(len(pairs)),
        bounds=Bounds(low_bounds, np.ones(len(pairs))),
        options={"time_limit": time_limit, "mip_rel_gap": 0},
    )
    if answer.status == 0:
        return _result("optimal", pairs, answer.x, cost, started)
    if answer.status == 1 and answer.x is not None:
        return _result("time_limit", pairs, answer.x, cost, started, gap=answer.mip_gap)
    return Result(
        "infeasible",
        {},
        None,
        time.perf_counter() - started,
        ["Aucune répartition ne respecte à la fois les minimums, les maximums et les choix."],
    )


def solve_flow(instance):
    """The same network as a linear programme (linprog): integral, by total unimodularity."""
    started = time.perf_counter()
    if check(instance):
        return Result("infeasible", {}, None, 0.0, check(instance))
    pairs, cost, matrix, lower, upper, low_bounds = _model(instance)
    dense = matrix.toarray()
    n_laureates = len(instance.laureates)
    answer = linprog(
        cost,
        A_eq=dense[:n_laureates],
        b_eq=lower[:n_laureates],
        A_ub=np.vstack([dense[n_laureates:], -dense[n_laureates:]]),
        b_ub=np.concatenate([upper[n_laureates:], -lower[n_laureates:]]),
        bounds=list(zip(low_bounds, np.ones(len(pairs)), strict=True)),
        method="highs-ds",
    )
    if answer.status != 0:
        return Result("infeasible", {}, None, time.perf_counter() - started, ["Infaisable."])
    return _result("optimal", pairs, answer.x, cost, started)


# Stable matching ---------------------------------------------------------------------------


def _order(ranks, candidates):
    """Candidates by rank (ties by key); unlisted ones are not wanted."""
    return sorted((c for c in candidates if c in ranks), key=lambda c: (ranks[c], c))


def deferred_acceptance(instance):
    """Laureates propose in their order; each commune keeps its best up to its maximum.

    Returns {laureate: commune}; a laureate no commune kept is left out.
    """
    proposals = {
        lau: _order(instance.laureate_ranks.get(lau, {}), instance.communes)
        for lau in instance.laureates
    }
    wanted = {c: instance.commune_ranks.get(c, {}) for c in instance.communes}
    nxt = dict.fromkeys(instance.laureates, 0)
    held = {c: [] for c in instance.communes}
    free = sorted(instance.laureates)
    while free:
        laureate = free.pop(0)
        choices = proposals[laureate]
        while nxt[laureate] < len(choices):
            commune = choices[nxt[laureate]]
            nxt[laureate] += 1
            if laureate not in wanted[commune] or (laureate, commune) in instance.forbidden:
                continue
            held[commune].append(laureate)
            held[commune].sort(key=lambda lau, c=commune: (wanted[c][lau], lau))
            if len(held[commune]) > instance.communes[commune][1]:
                rejected = held[commune].pop()
                if rejected != laureate:
                    free.append(rejected)
                    free.sort()
                    break
                continue
            break
    return {lau: c for c, kept in held.items() for lau in kept}


def blocking_pairs(instance, placement):
    """Pairs (laureate, commune) that each prefer the other to what they got."""
    held = {c: [lau for lau, got in placement.items() if got == c] for c in instance.communes}
    pairs = []
    for laureate in sorted(instance.laureates):
        own = instance.laureate_ranks.get(laureate, {})
        current = placement.get(laureate)
        for commune in sorted(own):
            if commune == current or commune not in instance.communes:
                continue
            if (
                current is not None
                and own.get(current) is not None
                and (own[commune] >= own[current])
            ):
                continue
            wanted = instance.commune_ranks.get(commune, {})
            if laureate not in wanted or (laureate, commune) in instance.forbidden:
                continue
            kept = held[commune]
            room = len(kept) < instance.communes[commune][1]
            worse = any(
                wanted.get(other) is None or wanted[other] > wanted[laureate] for other in kept
            )
            if room or worse:
                pairs.append((laureate, commune))
    return pairs


def under_minimum(instance, placement):
    """{commune: count} of the communes an allocation leaves under their minimum."""
    counts = dict.fromkeys(instance.communes, 0)
    for commune in placement.values():
        counts[commune] += 1
    return {c: n for c, n in counts.items() if n < instance.communes[c][0]}
