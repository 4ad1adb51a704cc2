"""The assignment solver against brute force, its invariants, and the repair after a conflict.

No database: the solver is plain Python, so these tests build instances by hand.
"""

import importlib.util
import itertools
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from qmi.review.solver import Instance, greedy, resolve, solve

SOLVER = Path(__file__).resolve().parents[2] / "src" / "qmi" / "review" / "solver.py"


# --- Helpers ---------------------------------------------------------------------------------


def check_invariants(instance, result):
    """What every answer must respect, whatever its objective."""
    pairs = set(result.pairs)
    assert len(pairs) == len(result.pairs)
    assert list(result.pairs) == sorted(result.pairs)
    assert not pairs & instance.forbidden
    assert instance.fixed <= pairs
    load = Counter(juror for juror, _ in pairs)
    for juror, count in load.items():
        assert count <= instance.jurors[juror], (juror, count)
    count = Counter(application for _, application in pairs)
    k = instance.reviews_per_application
    assert all(count[a] <= k for a in instance.applications)
    assert {a for _, a in pairs} <= set(instance.applications)
    assert result.shortages == {a: k - count[a] for a in instance.applications if count[a] < k}
    assert result.needed == k * len(instance.applications)
    assert result.capacity == sum(instance.jurors.values())
    sums = {a: sum(instance.affinity.get((j, a), 0) for j, b in pairs if b == a) for a in count}
    assert abs(result.total_affinity - sum(sums.values())) < 1e-6
    worst = min((sums.get(a, 0) for a in instance.applications), default=0)
    assert abs(result.worst_affinity - worst) < 1e-6


def feasible_assignments(instance):
    """Every assignment (brute force), as sets of pairs."""
    allowed = [
        (j, a)
        for a in instance.applications
        for j in instance.jurors
        if (j, a) not in instance.forbidden and (j, a) not in instance.fixed
    ]
    k = instance.reviews_per_application
    for size in range(len(allowed) + 1):
        for chosen in itertools.combinations(allowed, size):
            pairs = set(chosen) | instance.fixed
            load = Counter(j for j, _ in pairs)
            count = Counter(a for _, a in pairs)
            if all(load[j] <= c for j, c in instance.jurors.items()) and all(
                count[a] <= k for a in instance.applications
            ):
                yield pairs


def figures(instance, pairs):
    """(reviews placed, total affinity, worst application's affinity)."""
    sums = dict.fromkeys(instance.applications, 0)
    for pair in pairs:
        sums[pair[1]] += instance.affinity.get(pair, 0)
    total = sum(sums.values())
    return len(pairs), total, min(sums.values(), default=0)


@st.composite
def small_instances(draw, fixed=True):
    """Up to 4 applications and 3 jurors: small enough to enumerate every assignment."""
    applications = tuple(range(1, draw(st.integers(1, 4)) + 1))
    jurors = {100 + j: draw(st.integers(0, 3)) for j in range(draw(st.integers(1, 3)))}
    k = draw(st.integers(1, 2))
    pairs = [(j, a) for a in applications for j in jurors]
    affinity = {pair: draw(st.sampled_from([0, 1, 2, 3])) for pair in pairs}
    forbidden = frozenset(pair for pair in pairs if draw(st.integers(0, 4)) == 0)
    chosen = frozenset()
    if fixed:
        allowed = [pair for pair in pairs if pair not in forbidden]
        chosen = frozenset(pair for pair in allowed if draw(st.integers(0, 5)) == 0)
    return Instance(applications, jurors, k, affinity, forbidden, chosen)


def fixed_fit(instance):
    load = Counter(j for j, _ in instance.fixed)
    count = Counter(a for _, a in instance.fixed)
    return all(load[j] <= c for j, c in instance.jurors.items()) and all(
        n <= instance.reviews_per_application for n in count.values()
    )


def random_instance(seed, applications=30, jurors=8, k=3, values=(0, 0.5, 1, 2)):
    rng = random.Random(seed)
    apps = tuple(range(1, applications + 1))
    capacities = {1000 + j: rng.randint(0, 14) for j in range(jurors)}
    affinity, forbidden = {}, set()
    for a in apps:
        for j in capacities:
            if rng.random() < 0.1:
                forbidden.add((j, a))
            value = rng.choice(values)
            if value:
                affinity[(j, a)] = value
    return Instance(apps, capacities, k, affinity, frozenset(forbidden))


def shuffled(instance, seed):
    """The same instance, every collection built in another order."""
    rng = random.Random(seed)

    def reorder(items):
        items = list(items)
        rng.shuffle(items)
        return items

    return Instance(
        applications=tuple(reorder(instance.applications)),
        jurors=dict(reorder(instance.jurors.items())),
        reviews_per_application=instance.reviews_per_application,
        affinity=dict(reorder(instance.affinity.items())),
        forbidden=frozenset(reorder(instance.forbidden)),
        fixed=frozenset(reorder(instance.fixed)),
    )


# --- Optimality against brute force ----------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(small_instances())
def test_solve_places_the_most_reviews_then_the_most_expertise(instance):
    result = solve(instance)
    if not fixed_fit(instance):
        assert result.status == "infeasible"
        return
    best = max(figures(instance, pairs)[:2] for pairs in feasible_assignments(instance))
    check_invariants(instance, result)
    assert figures(instance, result.pairs)[:2] == best
    assert result.status == ("short" if result.shortages else "optimal")
    assert result.objective == "total"


@settings(max_examples=120, deadline=None)
@given(small_instances())
def test_fair_mode_serves_the_worst_application_best_then_the_total(instance):
    if not fixed_fit(instance):
        return
    result = solve(instance, fair=True)
    # Most reviews first, then the best worst-served application, then the best total.
    best = max(
        (placed, worst, total)
        for placed, total, worst in (figures(instance, p) for p in feasible_assignments(instance))
    )
    check_invariants(instance, result)
    placed, total, worst = figures(instance, result.pairs)
    assert (placed, worst, total) == best
    assert result.status in ("optimal", "short")
    assert result.objective == "fair"


def test_fair_mode_gives_up_total_expertise_for_the_worst_served_file():
    instance = Instance(
        applications=(1, 2),
        jurors={10: 1, 20: 1},
        reviews_per_application=1,
        affinity={(10, 1): 3, (10, 2): 1, (20, 1): 1},
    )
    total = solve(instance)
    fair = solve(instance, fair=True)
    assert total.pairs == ((10, 1), (20, 2))
    assert (total.total_affinity, total.worst_affinity) == (3, 0)
    assert fair.pairs == ((10, 2), (20, 1))
    assert (fair.total_affinity, fair.worst_affinity) == (2, 1)


def test_fractional_affinities_are_compared_exactly():
    instance = Instance(
        applications=(1, 2),
        jurors={10: 1, 20: 1},
        reviews_per_application=1,
        affinity={(10, 1): 0.300001, (20, 2): 0.3, (10, 2): 0.3, (20, 1): 0.300002},
    )
    for fair in (False, True):
        assert solve(instance, fair=fair).pairs == ((10, 2), (20, 1))


# --- Invariants and determinism --------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.booleans())
def test_answers_respect_every_rule(seed, with_fixed):
    instance = random_instance(seed, applications=25, jurors=7)
    if with_fixed:
        rng = random.Random(seed)
        fixed = set()
        load = Counter()
        for a in instance.applications[::3]:
            j = rng.choice(sorted(instance.jurors))
            if (j, a) not in instance.forbidden and load[j] < instance.jurors[j]:
                fixed.add((j, a))
                load[j] += 1
        instance = Instance(
            instance.applications,
            instance.jurors,
            instance.reviews_per_application,
            instance.affinity,
            instance.forbidden,
            frozenset(fixed),
        )
    total, fair, quick = solve(instance), solve(instance, fair=True), greedy(instance)
    for result in (total, fair, quick):
        check_invariants(instance, result)
    assert total.status in ("optimal", "short")
    assert fair.status in ("optimal", "short")
    # Both exact answers place the same (largest) number of reviews.
    assert len(total.pairs) == len(fair.pairs) >= len(quick.pairs)
    assert fair.worst_affinity >= total.worst_affinity
    assert fair.total_affinity <= total.total_affinity + 1e-9
    if len(quick.pairs) == len(total.pairs):
        assert quick.total_affinity <= total.total_affinity + 1e-9
    assert quick.objective == "greedy"
    assert quick.status in ("heuristic", "short")


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_inputs_in_another_order_give_the_same_assignment(seed, order):
    # Affinities 0 and 1 only: many assignments tie, so the tie-break has work to do.
    instance = random_instance(seed, applications=40, jurors=8, values=(0, 1))
    other = shuffled(instance, order)
    for fair in (False, True):
        assert solve(instance, fair=fair).pairs == solve(other, fair=fair).pairs
    assert greedy(instance).pairs == greedy(other).pairs


def test_the_solver_imports_without_django():
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('solver', {str(SOLVER)!r})\n"
        "module = sys.modules['solver'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert not [name for name in sys.modules if name.split('.')[0] == 'django']\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert importlib.util.find_spec("qmi.review.solver") is not None


# --- Shortage and infeasibility --------------------------------------------------------------


def test_a_shortage_names_the_files_left_short():
    applications = tuple(range(1, 13))
    instance = Instance(
        applications=applications,
        jurors={1: 5, 2: 5},
        reviews_per_application=1,
        affinity={(j, a): 1.0 for j in (1, 2) for a in applications},
    )
    result = solve(instance)
    assert result.status == "short"
    assert result.needed == 12
    assert result.capacity == 10
    assert sum(result.shortages.values()) == 2
    assert set(result.shortages) == set(applications) - {a for _, a in result.pairs}
    assert len(result.shortages) == 2
    assert len(result.pairs) == 10


def test_a_shortage_is_only_reported_when_no_assignment_avoids_it():
    # Juror 1 is the best reader of file 1, but only juror 1 can read file 2: the solver
    # gives up the expertise rather than leave file 2 without a review.
    instance = Instance(
        applications=(1, 2),
        jurors={1: 1, 2: 1},
        reviews_per_application=1,
        affinity={(1, 1): 100.0},
        forbidden=frozenset({(2, 2)}),
    )
    result = solve(instance)
    assert result.status == "optimal"
    assert result.pairs == ((1, 2), (2, 1))


def test_fixed_pairs_that_break_a_rule_make_the_instance_infeasible():
    base = {
        "applications": (1, 2),
        "jurors": {10: 1, 20: 2},
        "reviews_per_application": 1,
        "affinity": {},
    }
    cases = {
        "fixed_forbidden": {"forbidden": frozenset({(10, 1)}), "fixed": frozenset({(10, 1)})},
        "fixed_over_capacity": {"fixed": frozenset({(10, 1), (10, 2)})},
        "fixed_over_k": {"fixed": frozenset({(10, 1), (20, 1)})},
    }
    for reason, extra in cases.items():
        instance = Instance(**base, **extra)
        for result in (solve(instance), solve(instance, fair=True), greedy(instance)):
            assert result.status == "infeasible"
            assert result.reason == reason
            assert result.pairs == ()
        result, change = resolve(instance, [])
        assert (result.status, result.reason) == ("infeasible", reason)
        assert change.added == change.removed == ()


def test_fixed_pairs_count_in_the_load_and_in_k():
    instance = Instance(
        applications=(1, 2, 3),
        jurors={10: 2, 20: 2},
        reviews_per_application=1,
        affinity={(10, 1): 5, (10, 2): 5, (10, 3): 5},
        fixed=frozenset({(20, 1), (10, 2)}),
    )
    result = solve(instance)
    assert result.pairs == ((10, 2), (10, 3), (20, 1))
    assert result.reason == ""


def test_no_time_left_is_never_reported_as_optimal():
    instance = random_instance(3, applications=20, jurors=5)
    for fair in (False, True):
        result = solve(instance, fair=fair, time_limit=0)
        assert result.status == "time_limit"
        check_invariants(instance, result)


def test_bad_inputs_are_refused():
    for kwargs in (
        {"reviews_per_application": 0},
        {"jurors": {1: -1}},
        {"affinity": {(1, 1): -0.5}},
        {"applications": (1, 1)},
        {"fixed": frozenset({(1, 99)})},
    ):
        values = {
            "applications": (1,),
            "jurors": {1: 1},
            "reviews_per_application": 1,
            "affinity": {},
        } | kwargs
        try:
            Instance(**values)
        except ValueError:
            continue
        raise AssertionError(f"accepted {kwargs}")


# --- Re-solving after a conflict or a withdrawal ---------------------------------------------


def with_changes(instance, *, forbidden=(), jurors=None):
    return Instance(
        instance.applications,
        instance.jurors if jurors is None else jurors,
        instance.reviews_per_application,
        instance.affinity,
        instance.forbidden | frozenset(forbidden),
        instance.fixed,
    )


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6), st.booleans())
def test_a_conflict_moves_only_the_conflicting_pair(seed, fair):
    instance = random_instance(seed, applications=20, jurors=6, k=2)
    instance = with_changes(instance, jurors=dict.fromkeys(instance.jurors, 12))
    before = solve(instance, fair=fair)
    conflict = before.pairs[len(before.pairs) // 2]
    after, change = resolve(with_changes(instance, forbidden=[conflict]), before.pairs, fair=fair)
    check_invariants(with_changes(instance, forbidden=[conflict]), after)
    assert change.removed == (conflict,)
    assert set(before.pairs) - {conflict} <= set(after.pairs)
    # 6 jurors x 12 places for 20 files x 2 reviews: there is room for the replacement.
    assert [a for _, a in change.added].count(conflict[1]) == 1
    assert set(after.pairs) == (set(before.pairs) - {conflict}) | set(change.added)
    assert conflict not in after.pairs


def test_submitted_reviews_stay_even_when_now_forbidden_or_their_juror_left():
    instance = Instance(
        applications=(1, 2, 3),
        jurors={10: 2, 20: 2, 30: 2},
        reviews_per_application=1,
        affinity={(10, 1): 3, (20, 2): 3, (30, 3): 3},
    )
    before = solve(instance)
    assert before.pairs == ((10, 1), (20, 2), (30, 3))
    # Juror 10 declares a conflict on file 1 after submitting; juror 30 leaves the jury
    # without having submitted; juror 20 leaves after submitting.
    after_instance = Instance(
        applications=(1, 2, 3),
        jurors={10: 2},
        reviews_per_application=1,
        affinity=instance.affinity,
        forbidden=frozenset({(10, 1)}),
    )
    after, change = resolve(after_instance, before.pairs, keep=[(10, 1), (20, 2)])
    assert set(after.pairs) == {(10, 1), (20, 2), (10, 3)}
    assert change.removed == ((30, 3),)
    assert change.added == ((10, 3),)
    assert after.status == "optimal"


def test_a_withdrawn_juror_frees_places_that_others_refill():
    instance = Instance(
        applications=(1, 2, 3, 4),
        jurors={10: 2, 20: 2, 30: 2},
        reviews_per_application=1,
        affinity={(10, 1): 2, (10, 2): 2, (20, 3): 2, (20, 4): 2, (30, 1): 1, (30, 2): 1},
    )
    before = solve(instance)
    after, change = resolve(with_changes(instance, jurors={10: 0, 20: 2, 30: 2}), before.pairs)
    assert change.removed == ((10, 1), (10, 2))
    assert change.added == ((30, 1), (30, 2))
    assert {(20, 3), (20, 4)} <= set(after.pairs)


def test_a_lowered_capacity_drops_only_the_excess():
    instance = Instance(
        applications=(1, 2, 3),
        jurors={10: 3, 20: 0},
        reviews_per_application=1,
        affinity={(10, 1): 1, (10, 2): 3, (10, 3): 2},
    )
    before = solve(instance)
    assert len(before.pairs) == 3
    after, change = resolve(with_changes(instance, jurors={10: 2, 20: 1}), before.pairs)
    # The least expert pair leaves juror 10 and juror 20 takes that file.
    assert change.removed == ((10, 1),)
    assert change.added == ((20, 1),)
    assert after.status == "optimal"


# --- The greedy baseline ---------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_greedy_respects_the_rules_and_never_beats_the_solver(instance):
    quick = greedy(instance)
    if not fixed_fit(instance):
        assert quick.status == "infeasible"
        return
    check_invariants(instance, quick)
    exact = solve(instance)
    assert figures(instance, quick.pairs)[:2] <= figures(instance, exact.pairs)[:2]
