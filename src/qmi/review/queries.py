"""Reads of a call's review: who may never see which file, and what each file is about.

Exclusions are computed here, in the queries every page and the solver use, so no page
can forget one: a juror never sees a file of their own organisation, of an organisation
staff recorded a link with, or one they declared a conflict on.
"""

from collections import defaultdict

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from qmi.accounts.models import Membership
from qmi.calls.funnel import theme_questions
from qmi.calls.models import Application, Call
from qmi.programmes.models import Challenge, EditionCommune, Theme

from .models import Assignment, Conflict, Juror, JurorInvitation, KnownLink, Phase, Review

# The version of everything review pages show (core.versions; watched in review.apps).
REVIEWS = "reviews"
# Expertise on a commune counts more than on a theme: the call for projects asks each
# commune's agents to read the files that ranked their commune.
COMMUNE_AFFINITY = 2.0
THEME_AFFINITY = 1.0


def reviewed_applications(call):
    """The files a call's jury reviews: the complete ones."""
    return Application.objects.filter(call=call, status=Application.Status.COMPLETE)


def active_jurors(call):
    return Juror.objects.filter(call=call, withdrawn_at__isnull=True).select_related("user")


def excluded_pairs(call, jurors=None):
    """{(juror id, application id)} never to be assigned or shown. Three queries."""
    jurors = list(jurors if jurors is not None else Juror.objects.filter(call=call))
    by_user = defaultdict(list)
    for juror in jurors:
        by_user[juror.user_id].append(juror.pk)
    organisations = defaultdict(set)  # organisation id -> juror ids linked to it
    for user_id, organisation_id in Membership.objects.filter(
        user_id__in=list(by_user)
    ).values_list("user_id", "organisation_id"):
        for juror_id in by_user[user_id]:
            organisations[organisation_id].add(juror_id)
    for user_id, organisation_id in KnownLink.objects.filter(user_id__in=list(by_user)).values_list(
        "user_id", "organisation_id"
    ):
        for juror_id in by_user[user_id]:
            organisations[organisation_id].add(juror_id)
    excluded = set(
        Conflict.objects.filter(juror__call=call).values_list("juror_id", "application_id")
    )
    if organisations:
        for application_id, organisation_id in (
            reviewed_applications(call)
            .filter(organisation_id__in=list(organisations))
            .values_list("pk", "organisation_id")
        ):
            excluded.update(
                (juror_id, application_id) for juror_id in organisations[organisation_id]
            )
    return excluded


def visible_to_juror(juror):
    """Applications of the call this juror may ever open (Q on Application)."""
    own = Membership.objects.filter(user_id=juror.user_id).values("organisation_id")
    linked = KnownLink.objects.filter(user_id=juror.user_id).values("organisation_id")
    declared = Conflict.objects.filter(juror=juror).values("application_id")
    return (
        Q(call_id=juror.call_id)
        & ~Q(organisation_id__in=own)
        & ~Q(organisation_id__in=linked)
        & ~Q(pk__in=declared)
    )


def topics(call, applications):
    """{application id: (edition commune ids, theme ids)}: what each file is about.

    For a call for projects, the communes ranked in its commune ranking and their
    challenges' themes; for a call for expressions of interest, the applying commune
    and the theme named in a theme question. A few queries, whatever the number of files.
    """
    by_name = dict(Theme.objects.values_list("name", "pk"))
    ranking_keys, choice_keys = theme_questions([call], set(by_name))[call.pk]
    commune_theme = dict(
        Challenge.objects.filter(
            edition_commune__edition_id=call.edition_id, theme__isnull=False
        ).values_list("edition_commune_id", "theme_id")
    )
    commune_of_town = dict(
        EditionCommune.objects.filter(edition_id=call.edition_id).values_list("commune_id", "pk")
    )
    found = {}
    keys = sorted(ranking_keys | choice_keys)
    for application in applications.select_related("organisation").only(
        "pk", "answers", "organisation__commune_id"
    ):
        communes, themes = set(), set()
        for key in keys:
            value = application.answers.get(key)
            if key in ranking_keys and isinstance(value, list):
                for item in value:
                    if str(item).isdigit():
                        communes.add(int(item))
            elif key in choice_keys and isinstance(value, str) and value.strip() in by_name:
                themes.add(by_name[value.strip()])
        town = application.organisation.commune_id
        if call.kind == Call.Kind.EXPRESSION_OF_INTEREST and town in commune_of_town:
            communes.add(commune_of_town[town])
        themes |= {commune_theme[c] for c in communes if c in commune_theme}
        found[application.pk] = (communes, themes)
    return found


def expertise(jurors):
    """{juror id: (edition commune ids, theme ids)} in two queries."""
    communes, themes = defaultdict(set), defaultdict(set)
    through = Juror.communes.through
    for juror_id, commune_id in through.objects.filter(
        juror_id__in=[j.pk for j in jurors]
    ).values_list("juror_id", "editioncommune_id"):
        communes[juror_id].add(commune_id)
    through = Juror.themes.through
    for juror_id, theme_id in through.objects.filter(
        juror_id__in=[j.pk for j in jurors]
    ).values_list("juror_id", "theme_id"):
        themes[juror_id].add(theme_id)
    return {juror.pk: (communes[juror.pk], themes[juror.pk]) for juror in jurors}


def affinity(juror_expertise, application_topics):
    """How well a juror's expertise matches a file, and on what (for the explanation)."""
    juror_communes, juror_themes = juror_expertise
    communes, themes = application_topics
    shared_communes = juror_communes & communes
    shared_themes = juror_themes & themes
    score = COMMUNE_AFFINITY * len(shared_communes) + THEME_AFFINITY * len(shared_themes)
    return score, shared_communes, shared_themes


def juror_of(user, call):
    return Juror.objects.filter(call=call, user=user, withdrawn_at__isnull=True).first()


def assignments_of(user):
    """The person's assignments in open phases, each file they may still see, due first."""
    own = Membership.objects.filter(user_id=user.pk).values("organisation_id")
    linked = KnownLink.objects.filter(user_id=user.pk).values("organisation_id")
    conflicted = Conflict.objects.filter(
        juror_id=OuterRef("juror_id"), application_id=OuterRef("application_id")
    )
    return (
        Assignment.objects.filter(
            juror__user=user, juror__withdrawn_at__isnull=True, phase__status=Phase.Status.OPEN
        )
        .exclude(application__organisation_id__in=own)
        .exclude(application__organisation_id__in=linked)
        .exclude(Exists(conflicted))
        .select_related("phase__call", "application__organisation", "review")
        .order_by(
            F("phase__closes_at").asc(nulls_last=True),
            "phase__call_id",
            "phase__order",
            "review__status",
            "application__reference",
        )
    )


def next_for(review):
    """The juror's next file in the phase: not yet submitted, with the fewest reviews so far."""
    assignment = review.assignment
    submitted = (
        Review.objects.filter(
            assignment__phase_id=assignment.phase_id,
            assignment__application_id=OuterRef("application_id"),
            status=Review.Status.SUBMITTED,
        )
        .order_by()
        .values("assignment__application_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        assignments_of(assignment.juror.user)
        .filter(phase_id=assignment.phase_id)
        .exclude(pk=assignment.pk)
        .exclude(review__status=Review.Status.SUBMITTED)
        .annotate(done=Coalesce(Subquery(submitted), 0))
        .order_by("done", "application__reference")
        .first()
    )


def queue(juror, phase):
    """The juror's assignments in the phase with their review, what is due first."""
    return (
        Assignment.objects.filter(phase=phase, juror=juror)
        .filter(application__in=Application.objects.filter(visible_to_juror(juror)))
        .select_related("application__organisation", "review")
        .order_by("review__status", "application__reference")
    )


def get_review_for(user, pk):
    """A review by its id, only for the juror it belongs to (404 for anyone else)."""
    review = get_object_or_404(
        Review.objects.select_related(
            "assignment__phase__call__edition",
            "assignment__juror",
            "assignment__application__organisation",
        ),
        pk=pk,
        assignment__juror__user=user,
        assignment__juror__withdrawn_at__isnull=True,
    )
    juror = review.assignment.juror
    visible = Application.objects.filter(visible_to_juror(juror))
    if not visible.filter(pk=review.assignment.application_id).exists():
        raise Http404
    return review


def open_phase(call):
    return Phase.objects.filter(call=call, status=Phase.Status.OPEN).order_by("order").first()


def addresses_of(user):
    """The addresses a person may accept an invitation for: their own and verified ones."""
    if not user.is_authenticated:
        return set()
    return {user.email.lower()} | {
        address.lower()
        for address in user.emailaddress_set.filter(verified=True).values_list("email", flat=True)
    }


def jury_invitations_for(user):
    """Invitations to a jury still open, sent to one of the person's verified addresses."""
    query = Q()
    for address in addresses_of(user):
        query |= Q(email__iexact=address)
    return (
        JurorInvitation.objects.filter(
            query, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("call")
        .order_by("expires_at")
    )
