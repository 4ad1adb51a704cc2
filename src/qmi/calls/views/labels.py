"""Back office: labels of a call's applications, private staff notes, XLSX and ZIP exports.

Operator staff only (404 for everyone else), like the rest of the back office.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.core.forms import apply_errors, parse_id, parse_ids

from ..exports import applications_xlsx_response, documents_zip_response
from ..forms.staff import LabelForm, NoteForm
from ..models import Application, Call, Label, StaffNote
from ..queries import current_questions, filtered_applications
from ..services import labels as label_services
from .examination import back_to_list


def _filtered_by_label(call, data):
    """The list's filters (shared with the CSV), then the label filter."""
    _form, applications = filtered_applications(call, data)
    return label_services.filter_by_label(applications, data.get("label"))


# Label definitions --------------------------------------------------------------------


@backoffice_required(permission="calls.manage_calls")
def labels(request, pk):
    call = get_object_or_404(Call.objects.select_related("edition"), pk=pk)
    form = LabelForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            label = label_services.create_label(call=call, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request, _("L'étiquette « %(name)s » a été créée.") % {"name": label.name}
            )
            return redirect("calls:labels", pk=call.pk)
    existing = [
        (label, LabelForm(instance=label, prefix=f"label-{label.pk}"))
        for label in call.labels.order_by("name", "pk")
    ]
    return render(
        request,
        "calls/staff/labels.html",
        {"call": call, "form": form, "labels": existing},
    )


@backoffice_required(permission="calls.manage_calls")
@require_POST
def label_edit(request, pk, label_pk):
    label = get_object_or_404(Label.objects.select_related("call"), pk=label_pk, call_id=pk)
    # The form validates a copy: the service must see the stored values to audit the change.
    form = LabelForm(
        request.POST, instance=Label.objects.get(pk=label.pk), prefix=f"label-{label.pk}"
    )
    if form.is_valid():
        try:
            label = label_services.update_label(label=label, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("L'étiquette a été modifiée."))
    else:
        messages.error(request, _("Vérifiez le nom et la couleur de l'étiquette."))
    return redirect("calls:labels", pk=pk)


@backoffice_required(permission="calls.manage_calls")
@require_POST
def label_delete(request, pk, label_pk):
    label = get_object_or_404(Label.objects.select_related("call"), pk=label_pk, call_id=pk)
    try:
        label_services.delete_label(label=label, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("L'étiquette a été supprimée."))
    return redirect("calls:labels", pk=pk)


# Labels on applications ------------------------------------------------------------------


def _label_of(application, value):
    if parse_id(value) is None:
        return None
    return Label.objects.filter(pk=parse_id(value), call_id=application.call_id).first()


@backoffice_required(permission="calls.examine_application")
@require_POST
def application_labels(request, pk):
    """Add (action=add) or remove (action=remove) a label of the call on one application."""
    application = get_object_or_404(Application.objects.select_related("call"), pk=pk)
    label = _label_of(application, request.POST.get("label"))
    action = request.POST.get("action")
    if label is None or action not in ("add", "remove"):
        messages.error(request, _("Choisissez une étiquette."))
        return redirect("calls:backoffice_application", pk=application.pk)
    try:
        if action == "add":
            label_services.add_label(application=application, label=label, by=request.user)
            messages.success(request, _("Étiquette ajoutée : « %(name)s ».") % {"name": label.name})
        else:
            label_services.remove_label(application=application, label=label, by=request.user)
            messages.success(request, _("Étiquette retirée : « %(name)s ».") % {"name": label.name})
    except PermissionDenied:
        raise Http404 from None
    return redirect("calls:backoffice_application", pk=application.pk)


@backoffice_required(permission="calls.examine_application")
@require_POST
def labels_bulk(request, pk):
    """The list's bulk action « ajouter l'étiquette X » to the checked applications."""
    call = get_object_or_404(Call, pk=pk)
    ids = parse_ids(request.POST.getlist("selected"))
    value = request.POST.get("label", "")
    label = call.labels.filter(pk=parse_id(value)).first() if parse_id(value) else None
    if label is None or not ids:
        messages.error(request, _("Cochez au moins un dossier, puis choisissez l'étiquette."))
        return back_to_list(call, request.POST.get("query"))
    try:
        done = label_services.bulk_add_label(
            call=call, application_ids=ids, label=label, by=request.user
        )
    except PermissionDenied:
        raise Http404 from None
    if done:
        messages.success(
            request,
            ngettext(
                "Étiquette « %(name)s » ajoutée à %(count)s dossier : %(refs)s.",
                "Étiquette « %(name)s » ajoutée à %(count)s dossiers : %(refs)s.",
                len(done),
            )
            % {"name": label.name, "count": len(done), "refs": ", ".join(done)},
        )
    else:
        messages.info(request, _("Les dossiers cochés portaient déjà cette étiquette."))
    return back_to_list(call, request.POST.get("query"))


# Private notes ----------------------------------------------------------------------------


@backoffice_required(permission="calls.examine_application")
@require_POST
def note_add(request, pk):
    application = get_object_or_404(Application, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            label_services.add_note(
                application=application, by=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("La note privée a été enregistrée."))
    else:
        messages.error(request, " ".join(form.errors.get("body", [])))
    return redirect("calls:backoffice_application", pk=application.pk)


@backoffice_required(permission="calls.examine_application")
@require_POST
def note_delete(request, pk, note_pk):
    note = get_object_or_404(
        StaffNote.objects.select_related("application"), pk=note_pk, application_id=pk
    )
    try:
        label_services.delete_note(note=note, by=request.user)
    except PermissionDenied:
        # Someone else's note: it exists for staff, but only its author may delete it.
        messages.error(request, _("Seul l'auteur d'une note peut la supprimer."))
    else:
        messages.success(request, _("La note privée a été supprimée."))
    return redirect("calls:backoffice_application", pk=pk)


# Exports ----------------------------------------------------------------------------------


@backoffice_required
def export_xlsx(request, pk):
    call = get_object_or_404(Call.objects.select_related("edition"), pk=pk)
    return applications_xlsx_response(
        call,
        _filtered_by_label(call, request.GET),
        current_questions(call),
        filename=f"candidatures-{call.slug}.xlsx",
    )


@backoffice_required(permission="calls.export_documents")
def export_zip(request, pk):
    call = get_object_or_404(Call, pk=pk)
    return documents_zip_response(
        _filtered_by_label(call, request.GET), filename=f"documents-{call.slug}.zip"
    )
