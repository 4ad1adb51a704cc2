"""The allocation solver against brute force, its constraints, its reasons and stable matching."""

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from qmi.allocation import solver
from qmi.allocation.solver import Instance

# --- Brute force -------------------------------------------------------------------------


def brute_force(instance):
    """The best objective over every allocation (None when there is none)."""
    weights = instance.weights()
    laureates, communes = sorted(instance.laureates), sorted(instance.communes)
    best = None
    for choice in itertools.product(communes, repeat=len(laureates)):
        pairs = list(zip(laureates, choice, strict=True))
        if any(pair not in weights for pair in pairs):
            continue
        if any(pair not in pairs for pair in instance.pins):
            continue
        counts = {c: choice.count(c) for c in communes}
        if any(not low <= counts[c] <= high for c, (low, high) in instance.communes.items()):
            continue
        total = sum(weights[pair] for pair in pairs)
        best = total if best is None else max(best, total)
    return best


@st.composite
def instances(draw):
    n_laureates = draw(st.integers(1, 8))
    n_communes = draw(st.integers(1, 3))
    laureates = tuple(range(1, n_laureates + 1))
    communes = {}
    for number in range(n_communes):
        low = draw(st.integers(0, 3))
        communes[f"C{number}"] = (low, low + draw(st.integers(0, 4)))
    commune_ranks = {
        c: {lau: draw(st.integers(1, 4)) for lau in laureates if draw(st.booleans())}
        for c in communes
    }
    laureate_ranks = {
        lau: {c: draw(st.integers(1, 3)) for c in communes if draw(st.booleans())}
        for lau in laureates
    }
    pairs = [(lau, c) for lau in laureates for c in communes]
    forbidden = frozenset(p for p in pairs if draw(st.integers(0, 9)) == 0)
    pins = frozenset(p for p in pairs if p not in forbidden and draw(st.integers(0, 14)) == 0)
    penalty = draw(st.sampled_from([None, 0.25]))
    return Instance(
        laureates=laureates,
        communes=communes,
        commune_ranks=commune_ranks,
        laureate_ranks=laureate_ranks,
        pins=pins,
        forbidden=forbidden,
        one_sided_penalty=penalty,
    )


@settings(max_examples=150, deadline=None)
@given(instances())
def test_the_solver_finds_the_brute_force_optimum_and_the_flow_agrees(instance):
    expected = brute_force(instance)
    result = solver.solve(instance)
    if expected is None:
        assert result.status == "infeasible" and result.reasons
        return
    assert result.status == "optimal", result.reasons
    assert abs(result.objective - expected) < 1e-6
    flow = solver.solve_flow(instance)
    assert flow.status == "optimal"
    assert abs(flow.objective - expected) < 1e-6
    # Every constraint holds.
    weights = instance.weights()
    assert sorted(result.placement) == sorted(instance.laureates)
    assert all(pair in weights for pair in result.placement.items())
    assert all(result.placement[lau] == c for lau, c in instance.pins)
    for commune, (low, high) in instance.communes.items():
        assert low <= list(result.placement.values()).count(commune) <= high


def test_points_follow_the_rank_and_ties_share_them():
    assert solver.points({"a": 1, "b": 2, "c": 2, "d": 4}) == {
        "a": 1.0,
        "b": 0.75,
        "c": 0.75,
        "d": 0.25,
    }
    assert solver.points({}) == {}


def small():
    return Instance(
        laureates=(1, 2, 3),
        communes={"Argenteuil": (1, 2), "Sucy-en-Brie": (1, 2)},
        commune_ranks={"Argenteuil": {1: 1, 2: 2, 3: 3}, "Sucy-en-Brie": {1: 1, 2: 2, 3: 1}},
        laureate_ranks={
            1: {"Argenteuil": 1, "Sucy-en-Brie": 2},
            2: {"Argenteuil": 1, "Sucy-en-Brie": 2},
            3: {"Sucy-en-Brie": 1},
        },
    )


def test_a_hand_computed_allocation():
    result = solver.solve(small())
    assert result.status == "optimal"
    # 1 and 2 both want Argenteuil first; 3 only wants Sucy-en-Brie.
    assert result.placement == {1: "Argenteuil", 2: "Argenteuil", 3: "Sucy-en-Brie"}
    # Argenteuil: 1 → 1, 2 → 2/3; laureates 1 and 2 get their first choice; 3 → 1 and 1.
    assert abs(result.objective - (0.5 * 1 + 0.5 * 1 + 0.5 * 2 / 3 + 0.5 * 1 + 1.0)) < 1e-9


def test_shuffled_inputs_give_the_same_allocation():
    rng = random.Random(7)
    laureates = list(range(1, 31))
    communes = {f"Commune {n}": (6, 8) for n in range(4)}
    commune_ranks = {c: {lau: rng.randint(1, 10) for lau in laureates} for c in communes}
    laureate_ranks = {lau: {c: rng.randint(1, 2) for c in communes} for lau in laureates}
    first = solver.solve(Instance(tuple(laureates), communes, commune_ranks, laureate_ranks))
    for _ in range(3):
        rng.shuffle(laureates)
        shuffled = dict(rng.sample(list(communes.items()), len(communes)))
        again = solver.solve(Instance(tuple(laureates), shuffled, commune_ranks, laureate_ranks))
        assert again.placement == first.placement


def test_pins_and_forbidden_pairs_hold():
    instance = small()
    pinned = Instance(**{**instance.__dict__, "pins": frozenset({(1, "Sucy-en-Brie")})})
    assert solver.solve(pinned).placement[1] == "Sucy-en-Brie"
    forbidden = Instance(**{**instance.__dict__, "forbidden": frozenset({(2, "Argenteuil")})})
    assert solver.solve(forbidden).placement[2] == "Sucy-en-Brie"


# --- Reasons ---------------------------------------------------------------------------------


def test_minima_above_the_laureates_are_named():
    instance = Instance(
        laureates=tuple(range(11)),
        communes={"Argenteuil": (6, 8), "Sucy-en-Brie": (6, 8)},
        commune_ranks={},
        laureate_ranks={},
    )
    reasons = solver.solve(instance).reasons
    assert "11 lauréats pour 2 communes qui doivent en accueillir au moins 12." in reasons


def test_maxima_below_the_laureates_and_a_laureate_nobody_may_take():
    everyone = dict.fromkeys(("A", "B"), 1)
    instance = Instance(
        laureates=(1, 2, 3, 4, 5),
        communes={"A": (0, 2), "B": (0, 2)},
        commune_ranks={"A": {1: 1, 2: 1, 3: 1, 4: 1}, "B": {1: 1, 2: 1, 3: 1, 4: 1}},
        laureate_ranks={lau: dict(everyone) for lau in (1, 2, 3, 4, 5)},
    )
    reasons = solver.check(instance)
    assert "5 lauréats pour 2 communes qui peuvent en accueillir au plus 4." in reasons
    assert any(r.startswith("Le lauréat 5 n'a aucune commune possible") for r in reasons)


def test_a_group_of_communes_short_of_laureates_sharing_their_interest():
    # 12 laureates for minima of 10 in all, but only 5 are interested in A or B (minima 4+4).
    laureates = tuple(range(1, 13))
    interested = set(range(1, 6))
    communes = {"Argenteuil": (4, 8), "Sucy-en-Brie": (4, 8), "Issy": (2, 8)}
    commune_ranks = {
        "Argenteuil": dict.fromkeys(interested, 1),
        "Sucy-en-Brie": dict.fromkeys(interested, 1),
        "Issy": dict.fromkeys(laureates, 1),
    }
    laureate_ranks = {
        lau: ({"Argenteuil": 1, "Sucy-en-Brie": 1, "Issy": 2} if lau in interested else {"Issy": 1})
        for lau in laureates
    }
    reasons = solver.check(Instance(laureates, communes, commune_ranks, laureate_ranks))
    assert reasons == [
        "Argenteuil et Sucy-en-Brie doivent accueillir au moins 8 projets ; seuls 5 lauréats "
        "ont un intérêt commun avec elles."
    ]


def test_pins_over_a_maximum_and_a_pair_both_pinned_and_forbidden():
    instance = small()
    pins = frozenset({(1, "Argenteuil"), (2, "Argenteuil"), (3, "Argenteuil")})
    reasons = solver.check(Instance(**{**instance.__dict__, "pins": pins}))
    assert "3 lauréats fixés à Argenteuil, qui en accueille au plus 2." in reasons
    both = frozenset({(1, "Argenteuil")})
    reasons = solver.check(Instance(**{**instance.__dict__, "pins": both, "forbidden": both}))
    assert "Le lauréat 1 est à la fois fixé et interdit à Argenteuil." in reasons


# --- Stable matching -------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(instances())
def test_deferred_acceptance_never_leaves_a_blocking_pair(instance):
    placement = solver.deferred_acceptance(instance)
    assert solver.blocking_pairs(instance, placement) == []
    for commune, (_low, high) in instance.communes.items():
        assert list(placement.values()).count(commune) <= high
    for laureate, commune in placement.items():
        assert laureate in instance.commune_ranks.get(commune, {})
        assert commune in instance.laureate_ranks.get(laureate, {})


def test_blocking_pairs_and_communes_under_their_minimum_are_found():
    instance = small()
    # 1 and 2 kept away from Argenteuil, which wants both and has room; 3 sent where it
    # did not ask to go, while Sucy-en-Brie ranks it above 2.
    placement = {1: "Sucy-en-Brie", 2: "Sucy-en-Brie", 3: "Argenteuil"}
    assert set(solver.blocking_pairs(instance, placement)) == {
        (1, "Argenteuil"),
        (2, "Argenteuil"),
        (3, "Sucy-en-Brie"),
    }
    assert solver.under_minimum(instance, {1: "Argenteuil"}) == {"Sucy-en-Brie": 0}
