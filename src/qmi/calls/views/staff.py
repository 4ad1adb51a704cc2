"""Back office of calls: list, page, edit, workflow, sessions, FAQ and the funnel chart.

Operator staff only (404 for everyone else).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.accounts.models import Organisation
from qmi.core.audit import audit_context
from qmi.core.files import sandboxed
from qmi.core.forms import apply_errors
from qmi.core.kept_pages import kept_for_session
from qmi.core.workflow import TransitionNotAllowed
from qmi.events import queries as events
from qmi.events import services as event_services
from qmi.events.models import Event

from .. import funnel
from ..forms.staff import (
    CallForm,
    CallMoveForm,
    FaqForm,
    SessionForm,
)
from ..funnel import kept_call_funnel, kept_status_counts
from ..html import clean_html
from ..models import (
    Application,
    Call,
    FaqEntry,
    FormRevision,
)
from ..queries import call_status_counts
from ..services import calls as call_services
from ..services import faq
from ..tools import tools_for

Status = Application.Status

CALLS_PER_PAGE = 20


@backoffice_required
@kept_for_session
def call_list(request):
    calls = Call.objects.select_related("edition").order_by("-opens_at", "-pk")
    page = Paginator(calls, CALLS_PER_PAGE).get_page(request.GET.get("page"))
    counts = kept_status_counts(call.pk for call in page.object_list)
    for call in page.object_list:
        call.application_total = sum(counts[call.pk].values())
        call.status_counts = [
            (label, counts[call.pk][value])
            for value, label in Status.choices
            if counts[call.pk][value]
        ]
    return render(request, "calls/staff/call_list.html", {"page": page})


@backoffice_required(permission="calls.manage_calls")
def call_form(request, pk=None):
    call = get_object_or_404(Call, pk=pk) if pk else None
    # The form validates a copy: the service must see the stored values to audit the change.
    form = CallForm(request.POST or None, instance=Call.objects.get(pk=pk) if pk else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = call_services.save_call(by=request.user, call=call, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("L'appel a été créé. Préparez maintenant son formulaire.")
                if call is None
                else _("Les modifications ont été enregistrées."),
            )
            return redirect("calls:backoffice_call", pk=saved.pk)
    return render(request, "calls/staff/call_form.html", {"form": form, "call": call})


@backoffice_required
def call_detail(request, pk):
    call = get_object_or_404(Call.objects.select_related("edition"), pk=pk)
    revisions = list(FormRevision.objects.filter(call=call).order_by("-number"))
    published = next((r for r in revisions if r.published_at), None)
    context = {
        "call": call,
        # Sanitised when saved; cleaned again here in case a row came from elsewhere (admin, import).
        "presentation": clean_html(call.presentation),
        "eligible_labels": [
            label for value, label in Organisation.Kind.choices if value in call.eligible_kinds
        ],
        "moves": Call.workflow.available(call, request.user),
        "current_revision": published,
        "draft_revision": next((r for r in revisions if not r.published_at), None),
        "sessions": events.events_about(call, Event.Kind.INFORMATION_SESSION),
        "faq": call.faq.order_by("order", "pk"),
        "funnel": kept_call_funnel(call),
        "status_counts": call_status_counts(call),
        **audit_context(request.user, call),
        "tools": tools_for(request.user, call),
    }
    return render(request, "calls/staff/call_detail.html", context)


@backoffice_required(permission="calls.manage_calls")
@require_POST
def call_move(request, pk):
    call = get_object_or_404(Call, pk=pk)
    form = CallMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ce changement d'état n'est pas possible depuis l'état actuel."))
        return redirect("calls:backoffice_call", pk=call.pk)
    try:
        call = call_services.move_call(
            call=call,
            target=form.cleaned_data["target"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("L'appel est maintenant « %(status)s ».") % {"status": call.get_status_display()},
        )
    return redirect("calls:backoffice_call", pk=call.pk)


def _child_form(request, *, pk, child_pk, model, form_class, save, template, success):
    call = get_object_or_404(Call, pk=pk)
    child = get_object_or_404(model, pk=child_pk, call=call) if child_pk else None
    form = form_class(
        request.POST or None, instance=model.objects.get(pk=child.pk) if child else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            save(call=call, by=request.user, existing=child, values=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("calls:backoffice_call", pk=call.pk)
    return render(request, template, {"form": form, "call": call, "object": child})


@backoffice_required(permission="calls.manage_calls")
def session_form(request, pk, session_pk=None):
    call = get_object_or_404(Call, pk=pk)
    session = (
        events.get_event_about(call, session_pk, Event.Kind.INFORMATION_SESSION)
        if session_pk
        else None
    )
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            event_services.save_event(
                about=call,
                by=request.user,
                event=session,
                kind=Event.Kind.INFORMATION_SESSION,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La réunion d'information a été enregistrée."))
            return redirect("calls:backoffice_call", pk=call.pk)
    return render(
        request, "calls/staff/session_form.html", {"form": form, "call": call, "object": session}
    )


@backoffice_required(permission="calls.manage_calls")
@require_POST
def session_delete(request, pk, session_pk):
    call = get_object_or_404(Call, pk=pk)
    session = events.get_event_about(call, session_pk, Event.Kind.INFORMATION_SESSION)
    told = event_services.cancel_event(event=session, by=request.user)
    messages.success(request, _("La réunion d'information a été supprimée."))
    if told:
        messages.info(
            request,
            ngettext(
                "La personne inscrite a été prévenue de l'annulation par e-mail.",
                "Les %(count)d personnes inscrites ont été prévenues de l'annulation par e-mail.",
                told,
            )
            % {"count": told},
        )
    return redirect("calls:backoffice_call", pk=pk)


@backoffice_required(permission="calls.manage_calls")
def faq_form(request, pk, faq_pk=None):
    return _child_form(
        request,
        pk=pk,
        child_pk=faq_pk,
        model=FaqEntry,
        form_class=FaqForm,
        save=lambda call, by, existing, values: faq.save_faq(
            call=call, by=by, entry=existing, **values
        ),
        template="calls/staff/faq_form.html",
        success=_("La question a été enregistrée."),
    )


@backoffice_required(permission="calls.manage_calls")
@require_POST
def faq_delete(request, pk, faq_pk):
    entry = get_object_or_404(FaqEntry, pk=faq_pk, call_id=pk)
    faq.delete_faq(entry=entry, by=request.user)
    messages.success(request, _("La question a été supprimée."))
    return redirect("calls:backoffice_call", pk=pk)


@backoffice_required(permission="calls.manage_calls")
@require_POST
def faq_toggle(request, pk, faq_pk):
    entry = get_object_or_404(FaqEntry, pk=faq_pk, call_id=pk)
    entry = faq.set_faq_published(entry=entry, by=request.user, published=not entry.is_published)
    messages.success(
        request,
        _("La question est maintenant publiée.")
        if entry.is_published
        else _("La question n'est plus publiée."),
    )
    return redirect("calls:backoffice_call", pk=pk)


@backoffice_required
def funnel_svg(request, pk):
    """The daily chart of a call as a standalone SVG image (staff only, 404 for others)."""
    call = get_object_or_404(Call, pk=pk)
    response = HttpResponse(funnel.chart_svg(call), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return sandboxed(response)
