"""A call's public page and its template files: what anonymous visitors see too."""

import datetime

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from qmi.accounts.models import Organisation
from qmi.core import files
from qmi.core.public_cache import public_page
from qmi.events.models import Event
from qmi.events.queries import events_about

from .. import panels, queries
from ..models import Call, Question
from ..queries import get_call_for


def _time_left(call, now):
    left = call.time_left(now)
    if left <= datetime.timedelta(0):
        return ""
    days, hours = left.days, left.seconds // 3600
    if days:
        return ngettext("%(days)s jour", "%(days)s jours", days) % {"days": days} + (
            " " + ngettext("et %(hours)s heure", "et %(hours)s heures", hours) % {"hours": hours}
            if hours
            else ""
        )
    if hours:
        return ngettext("%(hours)s heure", "%(hours)s heures", hours) % {"hours": hours}
    minutes = max(1, left.seconds // 60)
    return ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {"minutes": minutes}


@public_page
def call_detail(request, slug):
    call = get_call_for(request.user, slug)
    now = timezone.now()
    revision = call.current_revision
    documents = []
    if revision is not None:
        for question in queries.questions_of(revision):
            if question.kind != Question.Kind.DOCUMENT:
                continue
            families = question.config.get("accepted") or files.DEFAULT_FAMILIES
            documents.append(
                {
                    "question": question,
                    "families": files.families_label(families),
                    "max_mb": question.config.get("max_size_mb") or files.DEFAULT_MAX_MB,
                }
            )
    kinds = dict(Organisation.Kind.choices)
    context = {
        "call": call,
        "eligible": [kinds.get(kind, kind) for kind in call.eligible_kinds],
        "accepts": call.accepts_submissions(now),
        "upcoming": call.is_upcoming(now),
        "closed": call.status == Call.Status.CLOSED or now > call.closes_at,
        "time_left": _time_left(call, now),
        "sessions": events_about(call, Event.Kind.INFORMATION_SESSION),
        "faq": call.faq.filter(is_published=True),
        "documents": documents,
        "panels": panels.render_panels("public", request, call),
    }
    return render(request, "calls/applicant/call_detail.html", context)


@require_safe
def template_file(request, slug, question_pk):
    """The blank template staff attached to a document question."""
    call = get_call_for(request.user, slug)
    question = get_object_or_404(
        Question, pk=question_pk, section__revision__call=call, kind=Question.Kind.DOCUMENT
    )
    if not question.template_file:
        raise Http404
    name = question.template_file.name.rsplit("/", 1)[-1]
    return attachment(question.template_file.open("rb"), name)


def attachment(handle, filename, content_type=None):
    response = FileResponse(handle, as_attachment=True, filename=filename)
    if content_type:
        response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
