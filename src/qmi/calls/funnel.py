"""Funnel figures of calls: who started a file, submitted it, and how it was judged.

Measures, each counted in distinct organisations (an organisation that withdrew
and started again counts once):

- started: every application, withdrawn ones included (a mark of interest);
- submitted: applications with a submission date, withdrawn after submission included;
- complete / inadmissible: applications in that status now.

Breakdowns: by organisation kind, by country (with the share outside France) and
by theme. An application's themes are:

- for a call for projects, the themes of the challenges of the communes ranked in
  its `commune_ranking` answers (every ranked commune, not only the first); an
  application is counted once under each of its themes;
- for a call for expressions of interest, the answer to a single-choice question
  whose choices are all theme names (a commune names the challenge it aims at).

Applications with no theme that way (no answer yet, communes without a themed
challenge) are counted under "no theme", so the theme rows may add up to more or
less than the total.

The daily series counts applications (events, not organisations) started and
submitted on each Paris day, from the call's opening to its closing or today,
missing days filled with 0. A file submitted again after a correction
counts on the day of its latest submission (`Application.submitted_at`).

Every figure for a list of calls comes from a fixed number of queries (aggregates
grouped by call; one light query of the answers that carry themes), whatever the
number of calls or applications.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_countries import countries

from qmi.accounts.models import Membership, Organisation
from qmi.core import versions
from qmi.core.public_cache import CONTENT
from qmi.events.queries import registrations_about
from qmi.programmes.models import Challenge, Theme

from . import charts
from .models import Application, Call, Question

MEASURES = ("started", "submitted", "complete", "inadmissible")
HOME_COUNTRY = "FR"
DASHBOARD_CALLS = 5
# The version of the applications and their organisations (bumped in calls.apps).
APPLICATIONS = "applications"
KEPT_SECONDS = 60 * 60 * 24
Status = Application.Status

STARTED_COLOUR = "#1d3f8f"  # --brand
SUBMITTED_COLOUR = "#17613a"  # --ok


def _zero():
    return dict.fromkeys(MEASURES, 0)


def _share(part, whole):
    return {m: round(100 * part[m] / whole[m]) if whole[m] else None for m in MEASURES}


# Queries ----------------------------------------------------------------------


def _group_rows(call_ids):
    """Distinct organisations per measure, grouped by (call, kind, country): one query."""
    organisation = "organisation"
    return (
        Application.objects.filter(call_id__in=call_ids)
        .values("call_id", "organisation__kind", "organisation__country")
        .annotate(
            started=Count(organisation, distinct=True),
            submitted=Count(organisation, distinct=True, filter=Q(submitted_at__isnull=False)),
            complete=Count(organisation, distinct=True, filter=Q(status=Status.COMPLETE)),
            inadmissible=Count(organisation, distinct=True, filter=Q(status=Status.INADMISSIBLE)),
        )
        .order_by()
    )


def _daily_rows(call_ids, field):
    """{call id: {Paris day: applications}} for a date field: one query."""
    rows = (
        Application.objects.filter(call_id__in=call_ids, **{f"{field}__isnull": False})
        .annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
        .values("call_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = defaultdict(dict)
    for row in rows:
        found[row["call_id"]][row["day"]] = row["n"]
    return found


def theme_questions(calls, theme_names):
    """{call id: (ranking keys, theme-choice keys)}: one query over the calls' forms."""
    by_kind = {call.pk: call.kind for call in calls}
    questions = Question.objects.filter(
        section__revision__call_id__in=list(by_kind),
        kind__in=[Question.Kind.COMMUNE_RANKING, Question.Kind.SINGLE_CHOICE],
    ).values_list("section__revision__call_id", "key", "kind", "config")
    found = defaultdict(lambda: (set(), set()))
    for call_id, key, kind, config in questions:
        if by_kind[call_id] == Call.Kind.PROJECTS and kind == Question.Kind.COMMUNE_RANKING:
            found[call_id][0].add(key)
        elif (
            by_kind[call_id] == Call.Kind.EXPRESSION_OF_INTEREST
            and kind == Question.Kind.SINGLE_CHOICE
        ):
            choices = {str(c).strip() for c in (config or {}).get("choices") or []}
            if choices and choices <= theme_names:
                found[call_id][1].add(key)
    return found


def _theme_rows(calls, themes):
    """{call id: {theme id or None: {measure: set of organisation ids}}}.

    `themes` maps theme names to ids. Three queries at most: the forms' questions,
    the challenges' themes (calls for projects only) and the theme-bearing answers.
    """
    questions = theme_questions(calls, set(themes))
    wanted = [call for call in calls if any(questions.get(call.pk, ()))]
    if not wanted:
        return {}
    ranking_keys = sorted({k for call in wanted for k in questions[call.pk][0]})
    choice_keys = sorted({k for call in wanted for k in questions[call.pk][1]})
    commune_theme = {}
    if ranking_keys:
        commune_theme = dict(
            Challenge.objects.filter(
                edition_commune__edition_id__in={call.edition_id for call in wanted},
                theme__isnull=False,
            ).values_list("edition_commune_id", "theme_id")
        )
    keys = ranking_keys + choice_keys
    # Only the answers that carry a theme are read, never the whole `answers` document.
    extract = {f"k{i}": KeyTransform(key, "answers") for i, key in enumerate(keys)}
    rows = Application.objects.filter(call_id__in=[call.pk for call in wanted]).values(
        "call_id", "organisation_id", "status", "submitted_at", **extract
    )
    found = defaultdict(lambda: defaultdict(lambda: {m: set() for m in MEASURES}))
    for row in rows:
        own_ranking, own_choice = questions[row["call_id"]]
        found_themes = set()
        for i, key in enumerate(keys):
            value = row[f"k{i}"]
            if value in (None, "", []):
                continue
            if key in own_ranking and isinstance(value, list):
                found_themes |= _ranked_themes(value, commune_theme)
            elif key in own_choice and isinstance(value, str) and value.strip() in themes:
                found_themes.add(themes[value.strip()])
        for theme in found_themes or {None}:
            _count_organisation(found[row["call_id"]][theme], row)
    return found


def _ranked_themes(ranking, commune_theme):
    """Themes of the challenges of the ranked communes (EditionCommune ids as text)."""
    found = set()
    for item in ranking:
        try:
            theme = commune_theme.get(int(item))
        except (TypeError, ValueError):
            continue
        if theme:
            found.add(theme)
    return found


def _count_organisation(bucket, row):
    """Add the row's organisation to the measures its application reached."""
    bucket["started"].add(row["organisation_id"])
    if row["submitted_at"] is not None:
        bucket["submitted"].add(row["organisation_id"])
    if row["status"] == Status.COMPLETE:
        bucket["complete"].add(row["organisation_id"])
    elif row["status"] == Status.INADMISSIBLE:
        bucket["inadmissible"].add(row["organisation_id"])


# Assembly ---------------------------------------------------------------------


def _series_days(call, started, submitted, today):
    """Every Paris day from opening to closing (or today), widened to days with data."""
    first = timezone.localtime(call.opens_at).date()
    last = min(timezone.localtime(call.closes_at).date(), today)
    seen = [*started, *submitted]
    if seen:
        first, last = min(first, *seen), max(last, *seen)
    if last < first:
        return []
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def _chart(call, days):
    chart_id = f"funnel-chart-{call.pk}"
    started = [d["started"] for d in days]
    submitted = [d["submitted"] for d in days]
    if days:
        counts = {"started": sum(started), "submitted": sum(submitted)}
        description = " ".join(
            [
                _("Du %(first)s au %(last)s :")
                % {
                    "first": date_format(days[0]["day"], "j F Y"),
                    "last": date_format(days[-1]["day"], "j F Y"),
                },
                ngettext(
                    "%(started)s dossier commencé et",
                    "%(started)s dossiers commencés et",
                    counts["started"],
                )
                % counts,
                ngettext("%(submitted)s déposé ;", "%(submitted)s déposés ;", counts["submitted"])
                % counts,
                _("au plus %(max)s en un jour.") % {"max": max(started + submitted)},
            ]
        )
    else:
        description = _("Aucun jour d'ouverture pour l'instant.")
    return {
        "id": chart_id,
        "title": _("Dossiers commencés et déposés par jour — %(call)s") % {"call": call.title},
        "description": description,
        "days": [d["day"] for d in days],
        "series": [
            charts.Series(_("Dossiers commencés"), started, STARTED_COLOUR, "series-started"),
            charts.Series(
                _("Dossiers déposés"), submitted, SUBMITTED_COLOUR, "series-submitted", "6 3"
            ),
        ],
    }


def render_chart(chart, *, standalone=False):
    return charts.line_chart(
        chart_id=chart["id"],
        title=chart["title"],
        description=chart["description"],
        days=chart["days"],
        series=chart["series"],
        day_label=lambda day: date_format(day, "MONTH_DAY_FORMAT"),
        standalone=standalone,
    )


def call_funnels(calls, *, today=None, with_chart=True):
    """{call pk: funnel} for the given calls, in a fixed number of queries.

    A funnel: total, abroad and abroad_share (percent, None when nothing to divide),
    kinds, countries and themes (rows of label + measures), days (day, started,
    submitted) and, with `with_chart`, the SVG chart.
    """
    calls = list(calls)
    if not calls:
        return {}
    today = today or timezone.localdate()
    ids = [call.pk for call in calls]
    kind_labels = dict(Organisation.Kind.choices)
    funnels = {
        call.pk: {
            "call": call,
            "total": _zero(),
            "abroad": _zero(),
            "kinds": {},
            "countries": {},
            "themes": [],
        }
        for call in calls
    }
    for row in _group_rows(ids):
        funnel = funnels[row["call_id"]]
        kind_code, country = row["organisation__kind"], row["organisation__country"]
        kind = funnel["kinds"].setdefault(
            kind_code, {"label": kind_labels.get(kind_code, kind_code), **_zero()}
        )
        place = funnel["countries"].setdefault(
            country, {"code": country, "label": countries.name(country) or country, **_zero()}
        )
        for measure in MEASURES:
            funnel["total"][measure] += row[measure]
            kind[measure] += row[measure]
            place[measure] += row[measure]
            if country != HOME_COUNTRY:
                funnel["abroad"][measure] += row[measure]

    themes = list(Theme.objects.values_list("pk", "name"))  # ordered by (order, name)
    rank = {pk: index for index, (pk, _name) in enumerate(themes)}
    names = dict(themes)
    for call_id, by_theme in _theme_rows(calls, {name: pk for pk, name in themes}).items():
        rows = [
            {
                "label": names[theme] if theme else _("Sans thème déterminé"),
                "theme_id": theme,
                **{m: len(organisations) for m, organisations in measures.items()},
            }
            for theme, measures in by_theme.items()
        ]
        rows.sort(key=lambda r: rank.get(r["theme_id"], len(rank)))
        funnels[call_id]["themes"] = rows

    starts, submissions = _daily_rows(ids, "created_at"), _daily_rows(ids, "submitted_at")
    for call in calls:
        funnel = funnels[call.pk]
        funnel["abroad_share"] = _share(funnel["abroad"], funnel["total"])
        funnel["kinds"] = sorted(funnel["kinds"].values(), key=lambda k: k["label"])
        funnel["countries"] = sorted(
            funnel["countries"].values(), key=lambda c: (-c["started"], c["label"])
        )
        started, submitted = starts.get(call.pk, {}), submissions.get(call.pk, {})
        funnel["days"] = [
            {"day": day, "started": started.get(day, 0), "submitted": submitted.get(day, 0)}
            for day in _series_days(call, started, submitted, today)
        ]
        if with_chart:
            funnel["chart"] = render_chart(_chart(call, funnel["days"]))
    return funnels


def call_funnel(call, **options):
    return call_funnels([call], **options)[call.pk]


def _kept(key, compute):
    """Computed once per language and day, until an application or a call changes.

    The figures are read on every view of the dashboard and of a call's page, and
    change only when someone applies, submits or is examined (core.versions).
    """
    key = f"{key}:{get_language()}:{timezone.localdate().isoformat()}"
    return versions.remember(key, (APPLICATIONS, CONTENT), compute, KEPT_SECONDS)


def kept_call_funnel(call):
    return _kept(f"call-funnel:{call.pk}", lambda: call_funnel(call))


def recent_call_funnels(limit=DASHBOARD_CALLS):
    """Funnels of the most recent published or closed calls, newest first (the dashboard's)."""
    calls = list(
        Call.objects.filter(status__in=[Call.Status.PUBLISHED, Call.Status.CLOSED])
        .select_related("edition")
        .order_by("-opens_at", "-pk")[:limit]
    )
    funnels = call_funnels(calls)
    return [funnels[call.pk] for call in calls]


# Figures kept for the staff's pages ------------------------------------------------


def kept_status_counts(call_ids):
    """{call pk: {status: count}} for these calls, kept until an application changes.

    One grouped query when computed; the staff's lists read it on every view.
    """
    call_ids = sorted(set(call_ids))

    def compute():
        counts = {pk: dict.fromkeys(Application.Status.values, 0) for pk in call_ids}
        rows = (
            Application.objects.filter(call_id__in=call_ids)
            .order_by()
            .values_list("call_id", "status")
            .annotate(n=Count("pk"))
        )
        for call_id, status, count in rows:
            counts[call_id][status] = count
        return counts

    key = "call-status-counts:" + ",".join(map(str, call_ids))
    return versions.remember(key, (APPLICATIONS,), compute, KEPT_SECONDS)


def kept_countries(call):
    """The countries of a call's applicants (the list's filter), kept like the counts."""

    def compute():
        return list(
            Application.objects.filter(call=call)
            .order_by()
            .values_list("organisation__country", flat=True)
            .distinct()
        )

    return versions.remember(f"call-countries:{call.pk}", (APPLICATIONS,), compute, KEPT_SECONDS)


def funnel_versions():
    """What the funnels are computed from: a page may keep them until these change."""
    return versions.current(APPLICATIONS, CONTENT)


# The chart alone -----------------------------------------------------------------


def chart_svg(call):
    """The daily chart of `call` as a standalone SVG document (no HTML page around it)."""
    funnel = call_funnel(call, with_chart=False)
    return render_chart(_chart(call, funnel["days"]), standalone=True)


# Information sessions (qmi.events) ------------------------------------------------


def registrants_who_started(call):
    """How many distinct registrant e-mails (all the call's sessions) belong to people who are
    members of an organisation with an application to this call. One query.

    A registrant is matched to a person by the account they were logged in with,
    or by their e-mail address.
    """
    applied = Membership.objects.filter(
        Q(user=OuterRef("user")) | Q(user__email__iexact=OuterRef("email")),
        organisation__in=Application.objects.filter(call=call).values("organisation"),
    )
    return (
        registrations_about(call)
        .filter(Exists(applied))
        .aggregate(count=Count("email", distinct=True))["count"]
    )
