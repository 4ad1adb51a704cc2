"""The allocation solver against brute force, its constraints, its reasons and stable matching."""

import itertools
import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from qmi.allocation import solver
from qmi.allocation.solver import Instance

# --- Brute force -------------------------------------------------------------------------


def allocations(instance):
    """Every allocation that keeps the constraints, with its objective."""
    weights = instance.weights()
    laureates, communes = sorted(instance.laureates), sorted(instance.communes)
    for choice in itertools.product(communes, repeat=len(laureates)):
        pairs = list(zip(laureates, choice, strict=True))
        if any(pair not in weights for pair in pairs):
            continue
        if any(pair not in pairs for pair in instance.pins):
            continue
        counts = {c: choice.count(c) for c in communes}
        if any(not low <= counts[c] <= high for c, (low, high) in instance.communes.items()):
            continue
        yield dict(pairs), sum(weights[pair] for pair in pairs)


def brute_force(instance):
    """The best objective over every allocation (None when there is none)."""
    return max((total for _placement, total in allocations(instance)), default=None)


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


# --- Explanations ----------------------------------------------------------------------------


def with_pin(instance, pair):
    return replace(instance, pins=instance.pins | {pair})


def assert_explained(instance, result):
    """Every laureate's explanation holds, each loss against a re-solve with the pair pinned."""
    weights = instance.weights()
    explanations = solver.explain(instance, result)
    assert sorted(explanations) == sorted(result.placement)
    for laureate, explanation in explanations.items():
        commune = result.placement[laureate]
        assert explanation.commune == commune
        assert explanation.points == weights[(laureate, commune)]
        assert explanation.pinned == ((laureate, commune) in instance.pins)
        assert explanation.one_sided == (not instance.mutual(laureate, commune))
        own = instance.laureate_ranks.get(laureate, {})
        expected = sorted(
            (c for c in own if c != commune and (commune not in own or own[c] < own[commune])),
            key=lambda c: (own[c], c),
        )
        assert [better.commune for better in explanation.better] == expected
        for better in explanation.better:
            pair = (laureate, better.commune)
            if better.reason == "forbidden":
                assert pair in instance.forbidden
            elif better.reason == "pinned_elsewhere":
                assert (laureate, commune) in instance.pins
            elif better.reason == "not_wanted":
                assert pair not in weights
            else:
                assert better.reason in ("full", "costly")
                held = list(result.placement.values()).count(better.commune)
                assert (held == instance.communes[better.commune][1]) == (better.reason == "full")
                forced = solver.solve(with_pin(instance, pair))
                if forced.status == "infeasible":
                    assert better.loss is None
                else:
                    assert abs(better.loss - (result.objective - forced.objective)) < 1e-9


@settings(max_examples=150, deadline=None)
@given(instances())
def test_explained_losses_equal_a_re_solve_with_the_pair_pinned(instance):
    result = solver.solve(instance)
    if result.status != "optimal":
        assert solver.explain(instance, result) == {}
        return
    assert_explained(instance, result)


@settings(max_examples=80, deadline=None)
@given(instances(), st.sampled_from(["time_limit", "optimal"]))
def test_a_result_short_of_the_optimum_is_explained_against_it(instance, status):
    # The worst allocation stands for one HiGHS stopped early ("time_limit"), or declared
    # optimal within its tolerance (negative cycles left): its losses may be negative.
    worst = min(allocations(instance), key=lambda found: found[1], default=None)
    if worst is None:
        return
    placement, total = worst
    result = solver.Result(status, placement, round(total, 9), 0.0)
    assert_explained(instance, result)


def displaced():
    """1, 2 and 3 all want A first; A (at most 2) ranks 3 last, B ranks 3 first."""
    return Instance(
        laureates=(1, 2, 3),
        communes={"A": (0, 2), "B": (0, 2)},
        commune_ranks={"A": {1: 1, 2: 2, 3: 3}, "B": {3: 1, 1: 2, 2: 3}},
        laureate_ranks={lau: {"A": 1, "B": 2} for lau in (1, 2, 3)},
    )


def test_a_laureate_kept_out_of_a_full_commune_and_what_forcing_it_costs():
    instance = displaced()
    result = solver.solve(instance)
    # 3 at B: 1 + 5/6 + 3/4 = 31/12; 3 at A instead pushes 2 (or 1) to B: 25/12.
    assert result.placement == {1: "A", 2: "A", 3: "B"}
    explanations = solver.explain(instance, result)
    assert explanations[1].better == () and explanations[2].better == ()
    assert explanations[3] == solver.Explanation(
        commune="B",
        rank=2,
        commune_rank=1,
        points=0.75,
        one_sided=False,
        pinned=False,
        better=(solver.Better("A", 1, "full", ahead=2, loss=0.499999999),),
    )  # 0.5 up to the weights' rounding to 9 decimals
    # With room at A, 3 still goes to B: all three at A is worth 30/12, 1/12 less.
    roomy = replace(instance, communes={"A": (0, 3), "B": (0, 2)})
    (better,) = solver.explain(roomy, solver.solve(roomy))[3].better
    assert better == solver.Better("A", 1, "costly", loss=0.083333333)


def test_forbidden_pinned_and_unwanted_better_communes_are_told_apart():
    instance = displaced()
    forbidden = replace(instance, forbidden=frozenset({(3, "A")}))
    assert solver.explain(forbidden, solver.solve(forbidden))[3].better == (
        solver.Better("A", 1, "forbidden"),
    )
    pinned = replace(instance, pins=frozenset({(3, "B")}))
    explanation = solver.explain(pinned, solver.solve(pinned))[3]
    assert explanation.pinned
    assert explanation.better == (solver.Better("A", 1, "pinned_elsewhere"),)
    unwanted = replace(instance, commune_ranks={"A": {1: 1, 2: 2}, "B": {3: 1, 1: 2, 2: 3}})
    assert solver.explain(unwanted, solver.solve(unwanted))[3].better == (
        solver.Better("A", 1, "not_wanted"),
    )


def test_forcing_a_pair_that_no_allocation_allows_has_no_loss():
    # A is full of pinned laureates: 3 cannot be forced in.
    instance = replace(displaced(), pins=frozenset({(1, "A"), (2, "A")}))
    (better,) = solver.explain(instance, solver.solve(instance))[3].better
    assert better == solver.Better("A", 1, "full", ahead=2, loss=None)


def test_explaining_an_infeasible_result_gives_nothing():
    instance = replace(displaced(), communes={"A": (0, 1), "B": (0, 1)})
    assert solver.explain(instance, solver.solve(instance)) == {}


# --- Relaxation ------------------------------------------------------------------------------


def apply(instance, suggestions):
    """The instance with the suggestions taken: new minima and maxima, one-sided pairs pinned."""
    communes, pins = dict(instance.communes), set(instance.pins)
    for suggestion in suggestions:
        low, high = communes.get(suggestion.get("commune"), (0, 0))
        if suggestion["kind"] == "lower_minimum":
            communes[suggestion["commune"]] = (suggestion["to"], high)
        elif suggestion["kind"] == "raise_maximum":
            communes[suggestion["commune"]] = (low, suggestion["to"])
        elif suggestion["kind"] == "one_sided":
            pins |= set(suggestion["pairs"])
    return replace(instance, communes=communes, pins=frozenset(pins))


def test_relax_lowers_the_one_minimum_nobody_can_meet():
    # A must take 2, but only 1 shares an interest with it.
    instance = Instance(
        laureates=(1, 2, 3, 4),
        communes={"A": (2, 4), "B": (0, 4)},
        commune_ranks={"A": {1: 1}, "B": dict.fromkeys((1, 2, 3, 4), 1)},
        laureate_ranks={1: {"A": 1, "B": 2}, 2: {"B": 1}, 3: {"B": 1}, 4: {"B": 1}},
    )
    suggestions = solver.relax(instance)
    assert suggestions == [{"kind": "lower_minimum", "commune": "A", "from": 2, "to": 1}]
    assert solver.solve(apply(instance, suggestions)).status == "optimal"


def maxima_too_small():
    """1, 2 and 3 share an interest with A only, which takes 2: ``check`` sees nothing."""
    return Instance(
        laureates=(1, 2, 3, 4),
        communes={"A": (0, 2), "B": (0, 3)},
        commune_ranks={"A": {1: 1, 2: 2, 3: 3}, "B": {4: 1}},
        laureate_ranks={1: {"A": 1}, 2: {"A": 1}, 3: {"A": 1}, 4: {"B": 1}},
    )


def test_relax_raises_the_maximum_check_could_not_name():
    instance = maxima_too_small()
    assert solver.check(instance) == []
    assert solver.solve(instance).status == "infeasible"
    suggestions = solver.relax(instance)
    assert suggestions == [{"kind": "raise_maximum", "commune": "A", "from": 2, "to": 3}]
    assert solver.solve(apply(instance, suggestions)).status == "optimal"


def test_relax_accepts_one_one_sided_pair_rather_than_two_capacity_changes():
    # 3 also listed B, which listed nobody but must take 1: accepting (3, B) fixes A's
    # maximum and B's minimum at once.
    instance = replace(
        maxima_too_small(),
        laureates=(1, 2, 3),
        communes={"A": (0, 2), "B": (1, 1)},
        commune_ranks={"A": {1: 1, 2: 2, 3: 3}},
        laureate_ranks={1: {"A": 1}, 2: {"A": 1}, 3: {"A": 1, "B": 2}},
    )
    suggestions = solver.relax(instance)
    assert suggestions == [{"kind": "one_sided", "count": 1, "pairs": [(3, "B")]}]
    assert solver.solve(apply(instance, suggestions)).status == "optimal"


def test_relax_says_when_nothing_needs_changing_and_when_nothing_would_help():
    assert solver.relax(small()) == []
    # Nobody listed 4 and 4 listed nobody.
    lonely = replace(small(), laureates=(1, 2, 3, 4), laureate_ranks={**small().laureate_ranks})
    assert solver.relax(lonely) == [{"kind": "none"}]
    both = frozenset({(1, "Argenteuil")})
    assert solver.relax(replace(small(), pins=both, forbidden=both)) == [{"kind": "none"}]


@settings(max_examples=100, deadline=None)
@given(instances())
def test_relax_suggestions_make_the_instance_solvable(instance):
    suggestions = solver.relax(instance)
    status = solver.solve(instance).status
    assert (suggestions == []) == (status == "optimal")
    if suggestions and suggestions != [{"kind": "none"}]:
        assert solver.solve(apply(instance, suggestions)).status == "optimal"
    assert suggestions == solver.relax(instance)


def fewest_changes(instance):
    """Brute force: the fewest units (a place under a minimum or over a maximum, a one-sided
    pair accepted) any allocation needs, or None when even those cannot help."""
    weights = instance.weights()
    laureates, communes = sorted(instance.laureates), sorted(instance.communes)

    def one_sided(lau, c):
        return (lau, c) not in instance.forbidden and (
            lau in instance.commune_ranks.get(c, {}) or c in instance.laureate_ranks.get(lau, {})
        )

    best = None
    for choice in itertools.product(communes, repeat=len(laureates)):
        pairs = list(zip(laureates, choice, strict=True))
        if any(pair not in weights and not one_sided(*pair) for pair in pairs):
            continue
        if any(pair not in pairs for pair in instance.pins):
            continue
        units = sum(1 for pair in pairs if pair not in weights)
        for commune, (low, high) in instance.communes.items():
            units += max(0, low - choice.count(commune), choice.count(commune) - high)
        best = units if best is None else min(best, units)
    return best


def units(suggestions):
    return sum(
        abs(s["to"] - s["from"]) if "to" in s else s["count"]
        for s in suggestions
        if s["kind"] != "none"
    )


@settings(max_examples=100, deadline=None)
@given(instances())
def test_relax_makes_the_fewest_changes_brute_force_finds(instance):
    fewest = fewest_changes(instance)
    suggestions = solver.relax(instance)
    if fewest is None:
        assert suggestions == [{"kind": "none"}]
    else:
        assert units(suggestions) == fewest


# --- Summary ---------------------------------------------------------------------------------


def test_summary_counts_each_side_s_choices_pins_and_forbidden_pairs():
    instance = Instance(
        laureates=(1, 2, 3, 4),
        communes={"A": (0, 4), "B": (0, 4)},
        commune_ranks={"A": {1: 1, 2: 2, 3: 7}, "B": {4: 3}},
        laureate_ranks={1: {"B": 1, "A": 2}, 2: {"A": 1}, 3: {"B": 1, "A": 3}, 4: {"A": 5}},
        pins=frozenset({(1, "A"), (4, "A")}),
        forbidden=frozenset({(2, "B"), (3, "B"), (4, "A")}),
    )
    placement = {1: "A", 2: "A", 3: "A", 4: "B"}
    assert solver.summary(instance, placement) == {
        "placed": 4,
        # 1: 2nd choice, 2: 1st, 3: 3rd, 4: B unlisted.
        "laureates": {"first": 1, "second": 1, "third": 1, "other": 0, "unranked": 1},
        # A ranks 1 1st, 2 2nd, 3 7th; B ranks 4 3rd.
        "communes": {"first": 1, "second": 1, "third": 1, "other": 1, "unranked": 0},
        "one_sided": 1,
        "pins": 2,
        "pins_held": 1,
        "forbidden": 3,
    }
