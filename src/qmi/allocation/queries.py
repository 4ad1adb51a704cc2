"""Reads the allocation's pages and services share: laureates, both sides' preferences, the
solver's instance and its snapshot. Each is a few queries, whatever the number of laureates.
"""

import hashlib
import json

from django.db.models import Avg, Q
from django.http import Http404

from qmi.accounts.models import Membership, Organisation, User
from qmi.accounts.rules import memberships_of
from qmi.calls.models import Application, Question
from qmi.calls.queries import questions_of
from qmi.programmes.models import CommuneRole
from qmi.programmes.rules import is_member_of_commune
from qmi.review.models import Decision, Review

from . import solver
from .models import Allocation, AllocationCommune, CommuneWish, LaureateRanking, PairRule

LAUREATE_OUTCOME = Decision.Outcome.SELECTED


def laureates(call):
    """The call's applications whose decision, staged or published, is « Retenu »."""
    return Application.objects.filter(call=call, review_decision__outcome=LAUREATE_OUTCOME)


def announced_laureates(call):
    """The laureates who know it: their « Retenu » is published. Until then a laureate's side
    of the allocation stays closed to it (staged decisions are staff only)."""
    return laureates(call).filter(review_decision__published_at__isnull=False)


def waiting_list(call):
    return Application.objects.filter(
        call=call, review_decision__outcome=Decision.Outcome.WAITING_LIST
    )


def ranking_keys(call):
    """The keys of the call's commune-ranking questions, in form order (the first counts)."""
    revision = call.current_revision
    if revision is None:
        return []
    return [q.key for q in questions_of(revision) if q.kind == Question.Kind.COMMUNE_RANKING]


def original_ranking(application, keys):
    """[edition commune id] from the application's answers, best first (duplicates dropped)."""
    for key in keys:
        value = application.answers.get(key)
        if isinstance(value, list):
            seen = []
            for item in value:
                if str(item).isdigit() and int(item) not in seen:
                    seen.append(int(item))
            return seen
    return []


def sheet(application, questions):
    """What a commune sees of every laureate: title, summary, themes.

    A form has no "title" or "summary" role for its questions, so they are found by the
    keys the forms of calls for projects use (« solution-nom », « solution-description »,
    « solution-themes »); the organisation's name stands in for a missing title.
    """
    title = summary = ""
    themes = []
    for question in questions:
        value = application.answers.get(question.key)
        if not value:
            continue
        if not title and question.kind == Question.Kind.SHORT_TEXT and "nom" in question.key:
            title = str(value)
        elif (
            not summary
            and question.kind == Question.Kind.LONG_TEXT
            and ("description" in question.key or "resume" in question.key)
        ):
            summary = str(value)
        elif (
            not themes
            and question.kind == Question.Kind.MULTIPLE_CHOICE
            and ("theme" in question.key)
        ):
            themes = [str(item) for item in value] if isinstance(value, list) else []
    return {"title": title or application.organisation.name, "summary": summary, "themes": themes}


def communes_of(allocation):
    return list(
        allocation.communes.select_related("edition_commune__commune").order_by(
            "edition_commune__commune__name"
        )
    )


def commune_team(edition_commune):
    """The commune's team for the edition: its named roles and its organisation's members."""
    return User.objects.filter(
        Q(commune_roles__edition_commune=edition_commune)
        | Q(
            pk__in=Membership.objects.filter(
                organisation__kind=Organisation.Kind.COMMUNE,
                organisation__commune_id=edition_commune.commune_id,
            ).values("user_id")
        ),
        is_active=True,
    ).distinct()


def is_commune_team(user, edition_commune):
    """A named role on the commune for the edition, or its workspace's people."""
    if not user.is_authenticated:
        return False
    return is_member_of_commune(user, edition_commune) or (
        CommuneRole.objects.filter(edition_commune=edition_commune, user=user).exists()
    )


def is_agent_referent(user, edition_commune):
    return (
        user.is_authenticated
        and CommuneRole.objects.filter(
            edition_commune=edition_commune,
            user=user,
            role=CommuneRole.Role.AGENT_REFERENT,
        ).exists()
    )


def communes_for(user, allocation):
    """The allocation's communes whose team the person is in."""
    if not user.is_authenticated:
        return []
    own = {
        commune_id
        for _org, kind, _role, commune_id in memberships_of(user)
        if kind == Organisation.Kind.COMMUNE and commune_id
    }
    named = set(CommuneRole.objects.filter(user=user).values_list("edition_commune_id", flat=True))
    return [
        commune
        for commune in communes_of(allocation)
        if commune.edition_commune.commune_id in own or commune.edition_commune_id in named
    ]


def get_commune_for(user, pk):
    """The allocation commune, or 404 for anyone outside its team and the operator."""
    commune = (
        AllocationCommune.objects.select_related(
            "allocation__call__edition", "edition_commune__commune"
        )
        .filter(pk=pk)
        .first()
    )
    if commune is None or not user.has_perm("allocation.view_wishes", commune):
        raise Http404
    return commune


def rankings_in_force(allocation, applications, keys):
    """{application id: ([edition commune id], answered row or None)}."""
    answered = {
        row.application_id: row
        for row in LaureateRanking.objects.filter(
            allocation=allocation, application__in=[a.pk for a in applications]
        )
    }
    served = set(allocation.communes.values_list("edition_commune_id", flat=True))
    found = {}
    for application in applications:
        row = answered.get(application.pk)
        ranking = row.ranking if row is not None else original_ranking(application, keys)
        found[application.pk] = ([c for c in ranking if c in served], row)
    return found


def jury_totals(applications):
    """{application id: mean of its submitted review totals (on 20)}."""
    return {
        row["assignment__application_id"]: row["mean"]
        for row in Review.objects.filter(
            assignment__application__in=applications, status=Review.Status.SUBMITTED
        )
        .values("assignment__application_id")
        .annotate(mean=Avg("total"))
    }


def snapshot(allocation):
    """Everything a run is computed from, as plain JSON, names included (five queries)."""
    call = allocation.call
    keys = ranking_keys(call)
    apps = list(
        laureates(call)
        .select_related("organisation")
        .only("pk", "reference", "answers", "organisation__name")
        .order_by("reference")
    )
    communes = communes_of(allocation)
    by_edition_commune = {c.edition_commune_id: c for c in communes}
    rankings = rankings_in_force(allocation, apps, keys)
    wishes = {}
    for wish in CommuneWish.objects.filter(commune__allocation=allocation).values_list(
        "commune_id", "application_id", "rank"
    ):
        wishes.setdefault(wish[0], {})[wish[1]] = wish[2]
    totals = jury_totals([a.pk for a in apps])
    refs = {a.pk: a.reference for a in apps}
    names = {c.pk: c.edition_commune.commune.name for c in communes}
    rules = list(
        PairRule.objects.filter(allocation=allocation)
        .order_by("pk")
        .values_list("application_id", "commune_id", "kind", "note")
    )
    return {
        "params": {
            "alpha": allocation.alpha,
            "jury_weight": allocation.jury_weight,
            "one_sided_penalty": allocation.one_sided_penalty,
        },
        "laureates": [
            {
                "id": a.pk,
                "reference": a.reference,
                "organisation": a.organisation.name,
                "jury": round(totals[a.pk], 4) if totals.get(a.pk) is not None else None,
                "ranking": [
                    by_edition_commune[c].edition_commune.commune.name for c in rankings[a.pk][0]
                ],
            }
            for a in apps
        ],
        "communes": [
            {
                "id": c.pk,
                "name": names[c.pk],
                "minimum": c.minimum,
                "maximum": c.maximum,
                "wishes": {
                    refs[app_id]: rank
                    for app_id, rank in sorted(wishes.get(c.pk, {}).items())
                    if app_id in refs
                },
            }
            for c in communes
        ],
        "pins": sorted(
            [refs[a], names[c], note] for a, c, kind, note in rules if kind == "pin" and a in refs
        ),
        "forbids": sorted(
            [refs[a], names[c], note]
            for a, c, kind, note in rules
            if kind == "forbid" and a in refs
        ),
    }


def digest(data):
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


def instance_from(data):
    """The solver's instance from a snapshot: laureates by reference, communes by name."""
    params = data["params"]
    weight = params.get("jury_weight") or 0.0
    return solver.Instance(
        laureates=tuple(item["reference"] for item in data["laureates"]),
        communes={c["name"]: (c["minimum"], c["maximum"]) for c in data["communes"]},
        commune_ranks={c["name"]: dict(c["wishes"]) for c in data["communes"]},
        laureate_ranks={
            item["reference"]: {name: i + 1 for i, name in enumerate(item["ranking"])}
            for item in data["laureates"]
        },
        alpha=params.get("alpha", solver.ALPHA),
        pins=frozenset((ref, name) for ref, name, _note in data["pins"]),
        forbidden=frozenset((ref, name) for ref, name, _note in data["forbids"]),
        one_sided_penalty=params.get("one_sided_penalty"),
        tie_break={
            item["reference"]: round(weight * item["jury"] / 20, 9)
            for item in data["laureates"]
            if weight and item["jury"] is not None
        },
    )


def wish_counts(allocation):
    """{allocation commune id: number of laureates it listed}."""
    counts = dict.fromkeys(allocation.communes.values_list("pk", flat=True), 0)
    for commune_id in CommuneWish.objects.filter(commune__allocation=allocation).values_list(
        "commune_id", flat=True
    ):
        counts[commune_id] += 1
    return counts


def listed_by(allocation, commune, keys):
    """Ids of the laureates whose ranking in force lists the commune: all a commune learns."""
    apps = list(laureates(allocation.call).only("pk", "answers"))
    rankings = rankings_in_force(allocation, apps, keys)
    return {pk for pk, (ranking, _row) in rankings.items() if commune.edition_commune_id in ranking}


def allocation_of(call):
    return Allocation.objects.filter(call=call).first()


def visible_allocations(user):
    """Allocations where the person has something to do: their commune's or their ranking."""
    if not user.is_authenticated:
        return Allocation.objects.none()
    own = [org for org, _kind, _role, _commune in memberships_of(user)]
    communes = [
        c for _org, kind, _r, c in memberships_of(user) if kind == Organisation.Kind.COMMUNE
    ]
    return Allocation.objects.filter(
        Q(communes__edition_commune__team__user=user)
        | Q(communes__edition_commune__commune_id__in=communes)
        | Q(
            call__applications__organisation_id__in=own,
            call__applications__review_decision__outcome=LAUREATE_OUTCOME,
        )
    ).distinct()


def members_by_organisation(organisation_ids):
    """{organisation id: [active member]} for the letters and reminders."""
    found = {}
    for membership in (
        Membership.objects.filter(organisation__in=organisation_ids, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ):
        found.setdefault(membership.organisation_id, []).append(membership.user)
    return found


def home_items(user):
    """What waits for the person in allocations (« Mon espace »), in three queries.

    A commune's team: each open or published allocation serving its commune. A laureate's
    team: its ranking to confirm while the window is open, then its commune.
    """
    if not user.is_authenticated:
        return []
    own = [org for org, _kind, _role, _commune in memberships_of(user)]
    towns = [c for _o, kind, _r, c in memberships_of(user) if kind == Organisation.Kind.COMMUNE]
    named = list(CommuneRole.objects.filter(user=user).values_list("edition_commune_id", flat=True))
    items = []
    for commune in (
        AllocationCommune.objects.filter(
            Q(edition_commune_id__in=named) | Q(edition_commune__commune_id__in=towns)
        )
        .select_related("allocation__call", "edition_commune__commune")
        .order_by("allocation__closes_at")[:10]
    ):
        items.append({"kind": "commune", "commune": commune, "allocation": commune.allocation})
    if own:
        for application in (
            laureates_of_organisations(own)
            .filter(call__allocation__isnull=False)
            .select_related("call__allocation", "organisation")
            .order_by("-call__allocation__closes_at")[:10]
        ):
            items.append(
                {
                    "kind": "laureate",
                    "application": application,
                    "allocation": application.call.allocation,
                }
            )
    return items


def laureates_of_organisations(organisation_ids):
    """Their applications whose « Retenu » is published (a staged one is staff only)."""
    return Application.objects.filter(
        organisation_id__in=organisation_ids,
        review_decision__outcome=LAUREATE_OUTCOME,
        review_decision__published_at__isnull=False,
    )
