"""Publishing a call's decisions: the letters' templates, the publication, the held e-mails;
and what the applicant and the public see once they are published.

Staff pages are read by the programme's staff; only those who publish the call's
decisions (the Métropole for the AMI, the operator for the call for projects) act on them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from qmi.accounts.access import backoffice_required
from qmi.calls.models import Application, Call
from qmi.calls.queries import get_application_for
from qmi.core.forms import parse_id
from qmi.mail.models import OutgoingEmail

from .. import letters
from ..models import Decision, Publication
from ..services import publication as service

STAFF = "review.stage_decisions"


def _call(pk):
    return get_object_or_404(Call.objects.select_related("edition"), pk=pk)


def _require_publisher(request, call):
    if not request.user.has_perm(service.PUBLISH, call):
        raise PermissionDenied(
            _(
                "L'AMI est publié par l'équipe de la Métropole, l'appel à expérimenter par l'opérateur."
            )
        )


@backoffice_required(permission=STAFF)
def letters_page(request, pk):
    """The letter of each outcome, with the placeholders it may use and a sample filled in."""
    call = _call(pk)
    templates = letters.templates_of(call)
    own = set(call.letter_templates.values_list("outcome", flat=True))
    posted, errors = {}, {}
    if request.method == "POST":
        _require_publisher(request, call)
        outcome = request.POST.get("outcome", "")
        posted = {
            "outcome": outcome,
            "subject": request.POST.get("subject", ""),
            "body": request.POST.get("body", ""),
        }
        try:
            service.save_letter_template(call=call, by=request.user, **posted)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            messages.success(request, _("Le modèle de courrier est enregistré."))
            return redirect("review:letters", pk=call.pk)
    published = Publication.objects.filter(call=call).first()
    forms = []
    for outcome, label in Decision.Outcome.choices:
        mine = posted.get("outcome") == outcome
        subject, body = templates[outcome]
        forms.append(
            {
                "outcome": outcome,
                "label": label,
                "subject": posted["subject"] if mine else subject,
                "body": posted["body"] if mine else body,
                "own": outcome in own,
                "errors": errors if mine else {},
            }
        )
    return render(
        request,
        "review/staff/letters.html",
        {
            "call": call,
            "forms": forms,
            "placeholders": [(f"[{name}]", text) for name, text in letters.PLACEHOLDERS.items()],
            "published": published,
            "can_publish": request.user.has_perm(service.PUBLISH, call),
        },
        status=422 if errors else 200,
    )


@backoffice_required(permission=STAFF)
@require_POST
def publish(request, pk):
    call = _call(pk)
    _require_publisher(request, call)
    if request.POST.get("confirm") != "yes":
        messages.error(
            request,
            _("Cochez la case de confirmation : la publication ne peut pas être annulée."),
        )
        return redirect("review:decisions", pk=call.pk)
    try:
        service.publish_decisions(call=call, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("review:decisions", pk=call.pk)
    messages.success(
        request,
        _(
            "Les décisions sont publiées. Les courriels sont en attente : "
            "relisez-les, puis envoyez-les."
        ),
    )
    return redirect("review:outbox", pk=call.pk)


@backoffice_required(permission=STAFF)
def outbox(request, pk):
    """The call's decision e-mails: held until staff have read them, then sent."""
    call = _call(pk)
    if request.method == "POST":
        _require_publisher(request, call)
        chosen = parse_id(request.POST.get("email"))
        emails = None
        if chosen is not None:
            emails = [get_object_or_404(service.held_letters(call), pk=chosen)]
        try:
            sent = service.send_letters(call=call, by=request.user, emails=emails)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                ngettext("%(count)s courriel part.", "%(count)s courriels partent.", len(sent))
                % {"count": len(sent)},
            )
        return redirect("review:outbox", pk=call.pk)
    emails = service.held_letters(call).select_related("recipient").order_by("subject", "to", "pk")
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    counts = dict(
        emails.order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return render(
        request,
        "review/staff/outbox.html",
        {
            "call": call,
            "page": page,
            "held": counts.get(OutgoingEmail.Status.HELD, 0)
            + counts.get(OutgoingEmail.Status.FAILED, 0),
            "sent": counts.get(OutgoingEmail.Status.SENT, 0),
            "publication": Publication.objects.filter(call=call)
            .select_related("published_by")
            .first(),
            "can_publish": request.user.has_perm(service.PUBLISH, call),
        },
    )


# The applicant's side ----------------------------------------------------------------


def _published_decision(application):
    return (
        Decision.objects.filter(application=application, published_at__isnull=False)
        .select_related("application__organisation", "application__call__edition")
        .first()
    )


@login_required
@require_safe
def letter(request, pk):
    """The decision letter (PDF) of a file, for its organisation's members and staff."""
    application = get_application_for(request.user, pk)
    decision = _published_decision(application)
    if decision is None:
        raise Http404
    response = HttpResponse(letters.letter_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-{application.reference}.pdf"'
    return response


def applicant_panel(request, application):
    """The published decision on the applicant's file page ("" until it is published)."""
    if application.status != Application.Status.COMPLETE:
        return ""
    decision = _published_decision(application)
    if decision is None:
        return ""
    return render_to_string(
        "review/applicant/_decision.html",
        {
            "decision": decision,
            "application": application,
            "ami": application.call.kind == Call.Kind.EXPRESSION_OF_INTEREST,
        },
        request=request,
    )


LAUREATES_SHOWN = 200


def public_panel(request, call):
    """The call's laureates on its public page, once its decisions are published."""
    publication = Publication.objects.filter(call=call).first()
    if publication is None:
        return ""
    laureates = list(
        Decision.objects.filter(
            application__call=call,
            outcome=Decision.Outcome.SELECTED,
            published_at__isnull=False,
        )
        .select_related("application__organisation")
        .order_by("application__organisation__name")[:LAUREATES_SHOWN]
    )
    return render_to_string(
        "review/public/_laureates.html",
        {"call": call, "publication": publication, "laureates": laureates},
        request=request,
    )
