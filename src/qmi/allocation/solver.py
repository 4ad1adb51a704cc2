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
* ``explain`` says why each laureate did not get a commune it ranked higher, with the exact
  cost of forcing it, from shortest paths in the flow's residual network (no re-solving, so
  a whole call is explained in milliseconds); ``relax`` finds the fewest changes (minima,
  maxima, one-sided pairs) that make an impossible call possible; ``summary`` counts what
  each side got.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import NegativeCycleError, maximum_flow, shortest_path

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
    if answer.status == 1:
        return Result(
            "time_limit",
            {},
            None,
            time.perf_counter() - started,
            ["Le temps limite est atteint avant qu'une répartition soit trouvée."],
        )
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


# Explaining a result ----------------------------------------------------------------------

NANO = 10**9  # weights are rounded to 9 decimals: in nano-points the network's costs are integers


@dataclass(frozen=True)
class Better:
    """A commune the laureate ranked above the one it got, and what kept it away."""

    commune: object
    rank: int  # the laureate's rank of this commune
    reason: str  # "forbidden", "pinned_elsewhere", "not_wanted", "full" or "costly"
    ahead: int | None = None  # "full": placed projects the commune ranks before this one
    loss: float | None = None  # "full", "costly": objective lost by forcing it (None: impossible)


@dataclass(frozen=True)
class Explanation:
    commune: object
    rank: int | None  # the laureate's rank of its commune
    commune_rank: int | None  # the commune's rank of the laureate
    points: float  # weights()[pair]
    one_sided: bool
    pinned: bool
    better: tuple = ()  # Better, by the laureate's rank then commune


def explain(instance, result):
    """{laureate: Explanation} of a result: why each placed laureate is not higher on its list.

    Structured data only (the page writes the sentences). A better commune's ``loss`` is the
    result's objective minus the best objective once the pair is pinned, exact without
    re-solving: the optimum is a min-cost flow, so forcing (l, c) where l sits at c0 costs
    w(l, c0) − w(l, c) plus the shortest path from c back to c0 in the residual network (no
    negative cycle at an optimum, hence Johnson's algorithm, one source per commune). It can be
    negative: for a result short of the optimum (time limit), or for a one-sided pair, whose
    penalty a pin waives (as ``weights`` does).
    """
    if not result.placement:
        return {}
    weights = instance.weights()
    held = {c: [] for c in instance.communes}
    for laureate, commune in result.placement.items():
        held[commune].append(laureate)
    losses = _Losses(instance, weights, result)
    explanations = {}
    for laureate in sorted(result.placement):
        commune = result.placement[laureate]
        own = instance.laureate_ranks.get(laureate, {})
        better = [
            _better(instance, weights, result.placement, held, losses, laureate, other)
            for other in sorted(own, key=lambda c: (own[c], c))
            if other in instance.communes
            and other != commune
            and (own.get(commune) is None or own[other] < own[commune])
        ]
        explanations[laureate] = Explanation(
            commune=commune,
            rank=own.get(commune),
            commune_rank=instance.commune_ranks.get(commune, {}).get(laureate),
            points=weights[(laureate, commune)],
            one_sided=not instance.mutual(laureate, commune),
            pinned=(laureate, commune) in instance.pins,
            better=tuple(better),
        )
    return explanations


def _better(instance, weights, placement, held, losses, laureate, commune):
    rank = instance.laureate_ranks[laureate][commune]
    if (laureate, commune) in instance.forbidden:
        return Better(commune, rank, "forbidden")
    if (laureate, placement[laureate]) in instance.pins:
        return Better(commune, rank, "pinned_elsewhere")
    if (laureate, commune) not in weights:
        return Better(commune, rank, "not_wanted")
    loss = losses.of(laureate, commune)
    if len(held[commune]) < instance.communes[commune][1]:
        return Better(commune, rank, "costly", loss=loss)
    wanted = instance.commune_ranks.get(commune, {})
    mine = wanted.get(laureate)
    ahead = sum(
        1
        for other in held[commune]
        if wanted.get(other) is not None and (mine is None or wanted[other] < mine)
    )
    return Better(commune, rank, "full", ahead=ahead, loss=loss)


def _pinned_weights(instance):
    """A pair's weight once pinned (a pinned one-sided pair pays no penalty), as a function."""
    commune_points = {c: points(instance.commune_ranks.get(c, {})) for c in instance.communes}
    laureate_points = {
        lau: points(instance.laureate_ranks.get(lau, {})) for lau in instance.laureates
    }

    def weight(laureate, commune):
        value = instance.alpha * (commune_points[commune].get(laureate) or 0) + (
            1 - instance.alpha
        ) * (laureate_points[laureate].get(commune) or 0)
        return round(value + instance.tie_break.get(laureate, 0.0), 9)

    return weight


class _Losses:
    """Objective lost by forcing a pair, from the residual network of an optimal placement.

    HiGHS stops within its tolerances (1e-6 on the objective), so its "optimal" placement can
    still leave a negative cycle of a few nano-points: those cycles are cancelled first, in
    integers, which makes the reference exactly optimal for the rounded weights.
    """

    def __init__(self, instance, weights, result):
        self.instance, self.weights = instance, weights
        self.pinned_weight = _pinned_weights(instance)
        self.nano = {pair: round(w * NANO) for pair, w in weights.items()}
        self.current = sum(self.nano[pair] for pair in result.placement.items())
        communes, laureates = sorted(instance.communes), sorted(instance.laureates)
        self.index = {c: i for i, c in enumerate(communes)}
        self.l_index = {lau: len(communes) + i for i, lau in enumerate(laureates)}
        self.nodes = [*communes, *laureates]
        self.n_communes = len(communes)
        reference = result.placement if result.status == "optimal" else None
        if reference is None:
            flow = solve_flow(instance)
            reference = flow.placement if flow.status == "optimal" else None
        self.reference = self._optimal(dict(reference)) if reference else None

    def _optimal(self, placement):
        """The placement with every negative cycle cancelled, and its distances; None if stuck."""
        for _cancelled in range(1000):  # each cycle gains at least a nano-point; rarely > 10
            rows, cols, costs = self._residual(placement)
            size = len(self.nodes) + 1
            graph = csr_matrix((np.array(costs, dtype=float), (rows, cols)), shape=(size, size))
            try:
                self.distance = shortest_path(
                    graph, method="J", directed=True, indices=list(range(self.n_communes))
                )
            except NegativeCycleError:
                cycle = _negative_cycle(np.array(rows), np.array(cols), np.array(costs), size)
                if cycle is None:
                    return None
                for node, following in zip(cycle, cycle[1:] + cycle[:1], strict=True):
                    if self.n_communes <= node < len(self.nodes):  # a laureate moves on
                        placement[self.nodes[node]] = self.nodes[following]
                continue
            self.base = sum(self.nano[pair] for pair in placement.items())
            return placement
        return None

    def _residual(self, placement):
        """Arcs (rows, cols, integer costs) of the residual network; the sink is the last node.

        Costs are integers (nano-points) so that a zero cycle is exactly zero; arcs of cost 0
        (to and from the sink) are explicitly stored entries, which csgraph keeps as edges.
        """
        index, l_index, sink = self.index, self.l_index, len(self.nodes)
        rows, cols, costs = [], [], []
        for (laureate, commune), nano in self.nano.items():
            if placement.get(laureate) != commune:
                rows.append(l_index[laureate]), cols.append(index[commune]), costs.append(-nano)
            elif (laureate, commune) not in self.instance.pins:
                rows.append(index[commune]), cols.append(l_index[laureate]), costs.append(nano)
        counts = dict.fromkeys(self.instance.communes, 0)
        for commune in placement.values():
            counts[commune] += 1
        for commune, (low, high) in self.instance.communes.items():
            if counts[commune] < high:
                rows.append(index[commune]), cols.append(sink), costs.append(0)
            if counts[commune] > low:
                rows.append(sink), cols.append(index[commune]), costs.append(0)
        return rows, cols, costs

    def of(self, laureate, commune):
        """Current objective − best objective with (laureate, commune) pinned; None: impossible."""
        if self.reference is None:
            return self._by_solving(laureate, commune)
        origin = self.reference[laureate]
        path = 0
        if origin != commune:
            if (laureate, origin) in self.instance.pins:
                return None
            path = self.distance[self.index[commune], self.index[origin]]
            if not np.isfinite(path):
                return None
        # Pinned, a one-sided pair no longer pays its penalty.
        forced = round(self.pinned_weight(laureate, commune) * NANO)
        best = self.base - (self.nano[(laureate, origin)] - forced + round(path))
        return round((self.current - best) / NANO, 9)

    def _by_solving(self, laureate, commune):
        """Last resort, when no optimal placement is at hand: one milp per pair."""
        pinned = replace(self.instance, pins=self.instance.pins | {(laureate, commune)})
        answer = solve(pinned)
        if answer.status != "optimal":
            return None
        return round(self.current / NANO - answer.objective, 9)


def _negative_cycle(tails, heads, costs, size):
    """Nodes of a negative cycle (in order), by Bellman–Ford from a virtual source; or None.

    Vectorised rounds over the arcs; after ``size`` rounds still improving, following the
    predecessors ``size`` times lands on a cycle of the predecessor graph.
    """
    costs = costs.astype(np.int64)
    distance = np.zeros(size, dtype=np.int64)
    predecessor = np.full(size, -1)
    changed = np.array([], dtype=int)
    for _round in range(size):
        candidate = distance[tails] + costs
        better = np.flatnonzero(candidate < distance[heads])
        if not len(better):
            return None
        best = distance.copy()
        np.minimum.at(best, heads[better], candidate[better])
        winners = better[candidate[better] == best[heads[better]]]
        predecessor[heads[winners]] = tails[winners]
        distance = best
        changed = heads[winners]
    node = int(changed[0])
    for _step in range(size):
        node = int(predecessor[node])
    cycle, current = [node], int(predecessor[node])
    while current != node:
        cycle.append(current)
        current = int(predecessor[current])
    cycle.reverse()
    arc_cost = dict(
        zip(zip(tails.tolist(), heads.tolist(), strict=True), costs.tolist(), strict=True)
    )
    total = sum(arc_cost[pair] for pair in zip(cycle, cycle[1:] + cycle[:1], strict=True))
    return cycle if total < 0 else None


# Relaxing an impossible call --------------------------------------------------------------


def relax(instance, *, time_limit=10.0):
    """The fewest changes that make an allocation possible, as sorted suggestions.

    For when ``check`` names nothing and ``solve`` still finds no allocation (a group of
    laureates whose only shared interests are communes with too small maxima), or any time.
    An elastic milp: each commune's minimum may be lowered and its maximum raised (one unit per
    project), and a one-sided pair (only one side listed the other, excluded by ``weights``) may
    be accepted (one unit per pair); forbidden pairs and pins hold. It minimises the units, then
    maximises the usual points (a large weight on the units makes the order lexicographic).

    Returns ``{"kind": "lower_minimum" | "raise_maximum", "commune", "from", "to"}`` by kind
    then commune, then ``{"kind": "one_sided", "count", "pairs"}`` (sorted pairs to accept,
    e.g. as pins). ``[]``: nothing to change; ``[{"kind": "none"}]``: none of these changes
    makes an allocation possible (a laureate nobody listed and who listed nobody, a pin on a
    forbidden pair, a laureate pinned twice). Stopped by ``time_limit``, the changes found so
    far still work but may not be the fewest.
    """
    laureates, communes = sorted(instance.laureates), sorted(instance.communes)
    pairs, values, one_sided = _elastic_pairs(instance, laureates, communes)
    if not pairs or not _pins_available(instance, pairs):
        return [{"kind": "none"}]
    n_pairs, n_communes = len(pairs), len(communes)
    big = 1 + 2 * len(laureates) * max(1.0, *(abs(v) for v in values))
    # Columns: the pairs, then each commune's lowered minimum, then its raised maximum.
    cost = np.concatenate([-np.array(values) + big * one_sided, np.full(2 * n_communes, big)])
    size = n_pairs + 2 * n_communes
    placed, per_laureate = _incidence(pairs, laureates, communes, size)
    lowered = csr_matrix(
        (np.ones(n_communes), (range(n_communes), range(n_pairs, n_pairs + n_communes))),
        shape=(n_communes, size),
    )
    raised = csr_matrix(
        (np.ones(n_communes), (range(n_communes), range(n_pairs + n_communes, size))),
        shape=(n_communes, size),
    )
    lows = np.array([instance.communes[c][0] for c in communes], dtype=float)
    highs = np.array([instance.communes[c][1] for c in communes], dtype=float)
    constraints = [
        LinearConstraint(per_laureate, 1, 1),
        LinearConstraint(placed + lowered, lows, np.inf),  # minimum − lowered ≤ count
        LinearConstraint(placed - raised, -np.inf, highs),  # count ≤ maximum + raised
    ]
    pinned = [1.0 if pair in instance.pins else 0.0 for pair in pairs]
    answer = milp(
        cost,
        constraints=constraints,
        integrality=np.ones(size),
        bounds=Bounds(
            np.array(pinned + [0.0] * 2 * n_communes),
            np.concatenate(
                [np.ones(n_pairs), np.maximum(lows, 0), np.full(n_communes, len(laureates))]
            ),
        ),
        options={"time_limit": time_limit, "mip_rel_gap": 0},
    )
    if answer.x is None:
        return [{"kind": "none"}]
    return _suggestions(instance, communes, pairs, one_sided, np.round(answer.x).astype(int))


def _elastic_pairs(instance, laureates, communes):
    """The allowed pairs with their points, plus the one-sided pairs ``weights`` left out."""
    weights = instance.weights()
    pinned_weight = _pinned_weights(instance)
    pairs, values, one_sided = [], [], []
    for laureate in laureates:
        for commune in communes:
            pair = (laureate, commune)
            if pair in weights:
                pairs.append(pair), values.append(weights[pair]), one_sided.append(0)
            elif pair not in instance.forbidden and (
                laureate in instance.commune_ranks.get(commune, {})
                or commune in instance.laureate_ranks.get(laureate, {})
            ):
                pairs.append(pair), one_sided.append(1)
                values.append(pinned_weight(laureate, commune))
    return pairs, values, np.array(one_sided, dtype=float)


def _pins_available(instance, pairs):
    available = set(pairs)
    return all(pair in available for pair in instance.pins)


def _incidence(pairs, laureates, communes, size):
    """(commune × column, laureate × column) 0/1 matrices of the pair columns."""
    l_row = {lau: i for i, lau in enumerate(laureates)}
    c_row = {c: i for i, c in enumerate(communes)}
    columns = range(len(pairs))
    ones = np.ones(len(pairs))
    per_commune = csr_matrix(
        (ones, ([c_row[c] for _lau, c in pairs], columns)), shape=(len(communes), size)
    )
    per_laureate = csr_matrix(
        (ones, ([l_row[lau] for lau, _c in pairs], columns)), shape=(len(laureates), size)
    )
    return per_commune, per_laureate


def _suggestions(instance, communes, pairs, one_sided, values):
    n_pairs, n_communes = len(pairs), len(communes)
    suggestions = []
    for i, commune in enumerate(communes):
        low, _high = instance.communes[commune]
        if values[n_pairs + i]:
            suggestions.append(
                {
                    "kind": "lower_minimum",
                    "commune": commune,
                    "from": low,
                    "to": low - int(values[n_pairs + i]),
                }
            )
    for i, commune in enumerate(communes):
        _low, high = instance.communes[commune]
        if values[n_pairs + n_communes + i]:
            suggestions.append(
                {
                    "kind": "raise_maximum",
                    "commune": commune,
                    "from": high,
                    "to": high + int(values[n_pairs + n_communes + i]),
                }
            )
    accepted = [
        pair for pair, flag, x in zip(pairs, one_sided, values[:n_pairs], strict=True) if flag and x
    ]
    if accepted:
        suggestions.append({"kind": "one_sided", "count": len(accepted), "pairs": accepted})
    return suggestions


# Summary ---------------------------------------------------------------------------------

_PLACES = {1: "first", 2: "second", 3: "third"}


def summary(instance, placement):
    """What an allocation gives each side, in counts (for the page's headline).

    ``{"placed", "laureates": {"first", "second", "third", "other", "unranked"}, "communes":
    {same}, "one_sided", "pins", "pins_held", "forbidden"}``: "laureates" counts placements by
    the laureate's rank of its commune, "communes" by the commune's rank of the laureate
    (rank 1 is first, ties included); "forbidden" is the number of forbidden pairs.
    """
    sides = {
        side: dict.fromkeys(("first", "second", "third", "other", "unranked"), 0)
        for side in ("laureates", "communes")
    }
    for laureate, commune in placement.items():
        for side, rank in (
            ("laureates", instance.laureate_ranks.get(laureate, {}).get(commune)),
            ("communes", instance.commune_ranks.get(commune, {}).get(laureate)),
        ):
            sides[side]["unranked" if rank is None else _PLACES.get(rank, "other")] += 1
    return {
        "placed": len(placement),
        **sides,
        "one_sided": sum(1 for lau, c in placement.items() if not instance.mutual(lau, c)),
        "pins": len(instance.pins),
        "pins_held": sum(1 for lau, c in instance.pins if placement.get(lau) == c),
        "forbidden": len(instance.forbidden),
    }
