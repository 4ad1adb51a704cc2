"""The form builder, its preview and publication, and call duplication (operator staff only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.core.files import families_label
from qmi.core.forms import apply_errors

from .. import queries
from ..forms.builder import DuplicateCallForm, QuestionForm, SectionForm, TemplateUploadForm
from ..models import Call, Question, Section
from ..services import builder as builder_services


def _call(pk):
    return get_object_or_404(Call.objects.select_related("edition"), pk=pk)


def _section(call, section_pk):
    return get_object_or_404(
        Section.objects.select_related("revision"), pk=section_pk, revision__call=call
    )


def _question(call, question_pk):
    return get_object_or_404(
        Question.objects.select_related("section__revision"),
        pk=question_pk,
        section__revision__call=call,
    )


def _error_message(request, error):
    for message in error.messages:
        messages.error(request, message)


def _to_builder(call, anchor=""):
    response = redirect("calls:builder", pk=call.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _condition_sources(call, section, question):
    earlier = builder_services.earlier_questions(
        section.revision, section=section, question=question
    )
    return builder_services.condition_sources(call, earlier)


def _sources_by_key(call, sections):
    """Every question of the shown revision by key, and the "who applies" pseudo-question."""
    found = {q.key: q for section in sections for q in section.questions.all()}
    source = builder_services.organisation_kind_source(call)
    found[source.key] = source
    return found


def _summary(question, sources_by_key):
    """Short description of a question's settings, for the builder's list."""
    config = question.config or {}
    items = [*_answer_limits_summary(config), *_document_summary(config)]
    if config.get("max_ranked"):
        items.append(_("%(count)s communes au plus") % {"count": config["max_ranked"]})
    if question.template_file:
        items.append(_("modèle joint"))
    if question.condition_key:
        condition = builder_services.describe_condition(question, sources_by_key)
        items.append(_("si « %(source)s » = « %(value)s »") % condition)
    return items


def _answer_limits_summary(config):
    """Lengths, choices and number bounds of a typed answer."""
    items = []
    if config.get("max_length"):
        items.append(_("%(count)s caractères au plus") % {"count": config["max_length"]})
    if config.get("max_chars"):
        items.append(_("%(count)s caractères au plus") % {"count": config["max_chars"]})
    if config.get("choices"):
        items.append(" / ".join(config["choices"]))
    if config.get("min") is not None:
        items.append(_("minimum %(value)s") % {"value": config["min"]})
    if config.get("max") is not None:
        items.append(_("maximum %(value)s") % {"value": config["max"]})
    if config.get("unit"):
        items.append(config["unit"])
    return items


def _document_summary(config):
    """Accepted types, size limit and number of files of a document question."""
    items = []
    if config.get("accepted"):
        items.append(families_label(config["accepted"]))
    if config.get("max_size_mb"):
        items.append(_("%(size)s Mo au plus") % {"size": config["max_size_mb"]})
    if config.get("multiple"):
        items.append(_("plusieurs fichiers"))
    return items


@backoffice_required(permission="calls.manage_calls")
def builder(request, pk):
    call = _call(pk)
    revision = builder_services.revision_shown(call)
    sections = queries.sections_of(revision) if revision else []
    sources = _sources_by_key(call, sections)
    for section in sections:
        for question in section.questions.all():
            question.summary = _summary(question, sources)
    context = {
        "call": call,
        "revision": revision,
        "sections": sections,
        "published": call.current_revision,
        "has_draft": revision is not None and not revision.is_published,
        "question_count": sum(len(s.questions.all()) for s in sections),
    }
    return render(request, "calls/builder/builder.html", context)


@backoffice_required(permission="calls.manage_calls")
def section_form(request, pk, section_pk=None):
    call = _call(pk)
    section = _section(call, section_pk) if section_pk else None
    initial = {"title": section.title, "description": section.description} if section else None
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if section is None:
                section = builder_services.add_section(
                    call=call, by=request.user, **form.cleaned_data
                )
                messages.success(request, _("La section a été ajoutée."))
            else:
                section = builder_services.update_section(
                    section=section, by=request.user, **form.cleaned_data
                )
                messages.success(request, _("La section a été enregistrée."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _to_builder(call, f"section-{section.pk}")
    return render(
        request, "calls/builder/section_form.html", {"call": call, "section": section, "form": form}
    )


@backoffice_required(permission="calls.manage_calls")
@require_POST
def section_delete(request, pk, section_pk):
    call = _call(pk)
    try:
        builder_services.delete_section(section=_section(call, section_pk), by=request.user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("La section et ses questions ont été supprimées."))
    return _to_builder(call)


@backoffice_required(permission="calls.manage_calls")
@require_POST
def section_move(request, pk, section_pk):
    call = _call(pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404
    try:
        section = builder_services.move_section(
            section=_section(call, section_pk), by=request.user, direction=direction
        )
    except ValidationError as error:
        _error_message(request, error)
        return _to_builder(call)
    return _to_builder(call, f"section-{section.pk}")


@backoffice_required(permission="calls.manage_calls")
def question_form(request, pk, section_pk=None, question_pk=None):
    call = _call(pk)
    question = _question(call, question_pk) if question_pk else None
    section = question.section if question else _section(call, section_pk)
    form = QuestionForm(
        request.POST or None, sources=_condition_sources(call, section, question), question=question
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = builder_services.save_question(
                section=section, question=question, by=request.user, **form.values()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("La question « %(label)s » a été enregistrée.") % {"label": saved.label},
            )
            return _to_builder(call, f"question-{saved.pk}")
    context = {
        "call": call,
        "section": section,
        "question": question,
        "form": form,
        "template_form": TemplateUploadForm()
        if question and question.kind == Question.Kind.DOCUMENT
        else None,
    }
    return render(request, "calls/builder/question_form.html", context)


@backoffice_required(permission="calls.manage_calls")
@require_POST
def question_delete(request, pk, question_pk):
    call = _call(pk)
    try:
        builder_services.delete_question(question=_question(call, question_pk), by=request.user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("La question a été supprimée."))
    return _to_builder(call)


@backoffice_required(permission="calls.manage_calls")
@require_POST
def question_move(request, pk, question_pk):
    call = _call(pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404
    try:
        question = builder_services.move_question(
            question=_question(call, question_pk), by=request.user, direction=direction
        )
    except ValidationError as error:
        _error_message(request, error)
        return _to_builder(call)
    return _to_builder(call, f"question-{question.pk}")


@backoffice_required(permission="calls.manage_calls")
@require_POST
def question_template(request, pk, question_pk):
    """Upload (or, with `remove`, take away) the model file of a document question."""
    call = _call(pk)
    question = _question(call, question_pk)
    if request.POST.get("remove"):
        question = builder_services.remove_template(question=question, by=request.user)
        messages.success(request, _("Le modèle a été retiré."))
        return redirect("calls:builder_question_edit", pk=call.pk, question_pk=question.pk)
    form = TemplateUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            question = builder_services.upload_template(
                question=question, uploaded=form.cleaned_data["template"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le modèle a été enregistré."))
            return redirect("calls:builder_question_edit", pk=call.pk, question_pk=question.pk)
    context = {
        "call": call,
        "section": question.section,
        "question": question,
        "form": QuestionForm(
            sources=_condition_sources(call, question.section, question), question=question
        ),
        "template_form": form,
    }
    return render(request, "calls/builder/question_form.html", context, status=400)


@backoffice_required
def question_template_download(request, pk, question_pk):
    question = _question(_call(pk), question_pk)
    if not question.template_file:
        raise Http404
    name = question.template_file.name.rsplit("/", 1)[-1].split("-", 1)[-1]
    return FileResponse(question.template_file.open("rb"), as_attachment=True, filename=name)


@backoffice_required
def preview(request, pk):
    call = _call(pk)
    revision = builder_services.revision_shown(call)
    sections = queries.sections_of(revision) if revision else []
    communes = list(call.edition.communes.select_related("commune").order_by("commune__name"))
    sources = _sources_by_key(call, sections)
    for section in sections:
        for question in section.questions.all():
            if question.condition_key:
                question.condition = builder_services.describe_condition(question, sources)
            question.families = families_label(question.config.get("accepted") or ["pdf"])
            question.rank_slots = range(1, int(question.config.get("max_ranked") or 3) + 1)
    context = {"call": call, "revision": revision, "sections": sections, "communes": communes}
    return render(request, "calls/builder/preview.html", context)


@backoffice_required(permission="calls.manage_calls")
@require_POST
def publish(request, pk):
    call = _call(pk)
    try:
        revision, moved = builder_services.publish_form(call=call, by=request.user)
    except ValidationError as error:
        _error_message(request, error)
        return _to_builder(call)
    messages.success(
        request,
        ngettext(
            "La révision %(number)s du formulaire est publiée. %(count)s brouillon "
            "utilise désormais cette révision ; les dossiers déposés gardent la leur.",
            "La révision %(number)s du formulaire est publiée. %(count)s brouillons "
            "utilisent désormais cette révision ; les dossiers déposés gardent la leur.",
            moved,
        )
        % {"number": revision.number, "count": moved},
    )
    return redirect("calls:builder_revisions", pk=call.pk)


@backoffice_required(permission="calls.manage_calls")
@require_POST
def discard(request, pk):
    call = _call(pk)
    try:
        published = builder_services.discard_draft(call=call, by=request.user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(
            request,
            _(
                "Les modifications non publiées ont été abandonnées : le formulaire est de "
                "nouveau celui de la révision %(number)s."
            )
            % {"number": published.number},
        )
    return _to_builder(call)


@backoffice_required
def revisions(request, pk):
    call = _call(pk)
    return render(
        request,
        "calls/builder/revisions.html",
        {
            "call": call,
            "rows": builder_services.revision_usage(call),
            "current": call.current_revision,
        },
    )


@backoffice_required(permission="calls.manage_calls")
def duplicate(request, pk):
    source = _call(pk)
    form = DuplicateCallForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            call = builder_services.duplicate_call(
                source=source, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "L'appel « %(title)s » a été créé en préparation. Son formulaire est une copie "
                    "non publiée : relisez-le puis publiez-le."
                )
                % {"title": call.title},
            )
            return redirect("calls:builder", pk=call.pk)
    return render(request, "calls/builder/duplicate.html", {"source": source, "form": form})
