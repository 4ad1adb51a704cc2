"""The applicant's journey: start an application, autosave, documents, submit, withdraw.

Autosaves are not audited one by one (they happen every few seconds); each
answer records who changed it last and when (`answers_meta`), and every
submission keeps a full snapshot. Every other change leaves an audit entry.
"""

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.accounts.models import Membership
from qmi.core import audit, versions
from qmi.core.dates import MOMENT, format_date
from qmi.core.files import check_upload
from qmi.core.permissions import require as _require
from qmi.core.workflow import transition
from qmi.mail.services import notify
from qmi.programmes.models import EditionCommune

from .. import answers as answer_rules
from ..funnel import APPLICATIONS
from ..models import (
    Application,
    Call,
    Document,
    Question,
    Reminder,
    RequestedDocument,
    Submission,
)
from ..queries import application_members, open_correction, questions_of
from ..receipts import build_receipt

Status = Application.Status
# The states in which the applicant's team may still change the answers (calls.rules).
EDITABLE = (Status.DRAFT, Status.CORRECTION_REQUESTED)


# Applications ----------------------------------------------------------------


def _next_reference(call):
    # The call row is locked by the caller, so two starts cannot take the same number.
    count = Application.objects.filter(call=call).count()
    while True:
        count += 1
        reference = f"{call.reference_prefix}-{count:04d}"
        if not Application.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def start_application(*, call, organisation, by, now=None):
    """Open (or find) the organisation's draft for the call; returns (application, created)."""
    now = now or timezone.now()
    if not Membership.objects.filter(user=by, organisation=organisation).exists():
        raise PermissionDenied
    call = Call.objects.select_for_update().get(pk=call.pk)
    existing = (
        Application.objects.filter(call=call, organisation=organisation)
        .exclude(status=Status.WITHDRAWN)
        .first()
    )
    if existing is not None:
        return existing, False
    if organisation.kind not in call.eligible_kinds:
        raise ValidationError(
            _("Cet appel n'est pas ouvert aux organisations de type « %(kind)s ».")
            % {"kind": organisation.get_kind_display()}
        )
    if not call.accepts_submissions(now):
        raise ValidationError(_("Cet appel n'accepte pas de candidature en ce moment."))
    revision = call.current_revision
    application = Application.objects.create(
        call=call,
        organisation=organisation,
        revision=revision,
        reference=_next_reference(call),
        created_by=by,
    )
    audit.record(obj=application, actor=by, action="created")
    return application, True


@dataclass
class Conflict(Exception):
    """Someone else changed these answers since the page was loaded; nothing was saved."""

    fields: dict
    version: int


def _same(first, second):
    both_empty = answer_rules.is_empty(first) and answer_rules.is_empty(second)
    return both_empty or first == second


def autosave(*, application, by, base_version, changes, originals=None):
    """Save the changed answers unless another person changed one of them meanwhile.

    `originals` holds, per answer, the value the person's page was showing
    before they edited it: a change conflicts when the stored answer is no
    longer that value (someone else changed it) and differs from the new one.
    Without `originals` (e.g. "keep my version"), `base_version` decides: the
    answer conflicts if it was changed after that version. Either way,
    colleagues working on different questions never block each other.

    People type while they fill in, so this is written to cost one statement: the
    answers are compared with `application` as the caller read it, and written only
    if its version is still the stored one (an optimistic lock, no transaction).
    If someone saved in between, everything is checked again on the row read
    under a lock.
    """
    saved = _autosave_once(application, by, base_version, changes, originals)
    if saved is not None:
        return saved
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("revision")
            .get(pk=application.pk)
        )
        return _autosave_once(locked, by, base_version, changes, originals)


def _autosave_once(application, by, base_version, changes, originals):
    """The saved application, or None when its stored version is no longer `application`'s."""
    _require(by, "calls.edit_application", application)
    questions = {q.key: q for q in questions_of(application.revision)}
    cleaned = {
        key: answer_rules.normalise(questions[key], value)
        for key, value in changes.items()
        if key in questions and questions[key].kind != Question.Kind.DOCUMENT
    }
    conflicts = {}
    for key, value in cleaned.items():
        meta = application.answers_meta.get(key) or {}
        stored = application.answers.get(key)
        if originals is not None and key in originals:
            stale = not _same(stored, originals[key])
        else:
            stale = meta.get("v", 0) > base_version
        if stale and not _same(stored, value):
            conflicts[key] = {
                "label": questions[key].label,
                "value": application.answers.get(key),
                "by": meta.get("name", ""),
                "by_id": meta.get("by"),
                "at": meta.get("at", ""),
            }
    if conflicts:
        raise Conflict(fields=conflicts, version=application.version)
    changed = {k: v for k, v in cleaned.items() if application.answers.get(k) != v}
    if not changed:
        return application
    version = application.version + 1
    stamp = timezone.now()
    answers = {**application.answers, **changed}
    answers_meta = {
        **application.answers_meta,
        **{
            key: {"v": version, "by": by.pk, "name": by.get_full_name(), "at": stamp.isoformat()}
            for key in changed
        },
    }
    written = Application.objects.filter(
        pk=application.pk, version=application.version, status__in=EDITABLE
    ).update(answers=answers, answers_meta=answers_meta, version=version, updated_at=stamp)
    if not written:
        return None
    versions.bump(APPLICATIONS)  # update() sends no post_save
    application.answers, application.answers_meta = answers, answers_meta
    application.version, application.updated_at = version, stamp
    return application


@dataclass
class AutosaveResult:
    """What an autosave did, for the page that sent it.

    `conflict` is set when nothing was saved because someone else changed the
    same answer. `shown` is what the page shows once saved (its `original`, with
    the saved answers); `others` the questions colleagues changed meanwhile,
    whose new answer the page does not show yet.
    """

    application: Application
    conflict: Conflict | None = None
    shown: dict = field(default_factory=dict)
    others: list = field(default_factory=list)

    @property
    def saved(self):
        return self.conflict is None


def autosave_answers(*, application, by, changes, shown, base_version, keep_mine=False):
    """Autosave what a page changed; a conflict comes back in the result instead of raising.

    `shown` are the answers the page was showing before the person edited it.
    A change normally conflicts when its stored answer is no longer the one
    shown; with `keep_mine` ("keep my version", after a conflict) only changes
    made after `base_version` count, on purpose. Raises PermissionDenied when
    the application may no longer be edited.
    """
    page = dict(shown)
    try:
        saved = autosave(
            application=application,
            by=by,
            base_version=base_version,
            changes=changes,
            originals=None if keep_mine else dict(shown),
        )
    except Conflict as conflict:
        return AutosaveResult(application=application, conflict=conflict, shown=page)
    for key in changes:
        page[key] = saved.answers.get(key)
    others = changed_by_others(
        saved, by=by, base_version=base_version, shown=page, skip=set(changes)
    )
    return AutosaveResult(application=saved, shown=page, others=others)


def changed_by_others(application, *, by, base_version, shown, skip=()):
    """Questions someone else changed after `base_version` to another answer than `shown`'s."""
    candidates = []
    for key in shown:
        meta = application.answers_meta.get(key) or {}
        if (
            key not in skip
            and meta.get("v", 0) > base_version
            and meta.get("by") != by.pk
            and application.answers.get(key) != shown.get(key)
        ):
            candidates.append(key)
    if not candidates:
        return []
    questions = {q.key: q for q in questions_of(application.revision)}
    return [questions[key] for key in candidates if key in questions]


def current_documents(application):
    return application.documents.filter(removed_at__isnull=True)


@transaction.atomic
def upload_document(*, application, question_key, uploaded, by):
    """Attach a checked file to a document slot.

    The same file (same SHA-256) sent twice to a multi-file slot is refused, not
    stored again: a second copy adds nothing to the file, would be counted twice
    by staff and towards the slot's 20 files, and the person is told under which
    name it is already attached.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    _require(by, "calls.edit_application", application)
    question = next(
        (
            q
            for q in questions_of(application.revision)
            if q.key == question_key and q.kind == Question.Kind.DOCUMENT
        ),
        None,
    )
    config = question.config if question is not None else {}
    if question is None and requested_document(application, question_key) is None:
        raise ValidationError(_("Cette pièce n'est pas demandée par le formulaire."))
    checked = check_upload(
        uploaded,
        families=config.get("accepted"),
        max_mb=config.get("max_size_mb"),
    )
    now = timezone.now()
    if config.get("multiple"):
        _refuse_duplicate(application, question_key, checked.sha256)
    if not config.get("multiple"):
        # A new file replaces the previous one; the old one stays if a submission refers to it.
        current_documents(application).filter(question_key=question_key).update(removed_at=now)
    elif current_documents(application).filter(question_key=question_key).count() >= 20:
        raise ValidationError(_("20 fichiers au plus pour cette pièce."))
    document = Document(
        application=application,
        question_key=question_key,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
        uploaded_at=now,
    )
    document.file.save(
        f"{checked.sha256[:16]}.{checked.name.rsplit('.', 1)[-1]}", uploaded, save=False
    )
    document.save()
    application.version += 1
    application.save(update_fields=["version", "updated_at"])
    return document


def requested_documents(application):
    """The documents the open correction request asks for, while the file is being corrected."""
    if application.status != Status.CORRECTION_REQUESTED:
        return []
    correction = open_correction(application)
    return list(correction.requested_documents.all()) if correction else []


def requested_document(application, key):
    """The requested document whose files go under `key`, if the open correction asks for it."""
    return next(
        (item for item in requested_documents(application) if item.document_key == key), None
    )


def _refuse_duplicate(application, question_key, sha256):
    same = (
        current_documents(application)
        .filter(question_key=question_key, sha256=sha256)
        .order_by("uploaded_at")
        .first()
    )
    if same is not None:
        raise ValidationError(
            _(
                "Ce fichier est déjà joint sous le nom « %(name)s » : il n'a pas été ajouté une seconde fois."
            )
            % {"name": same.name}
        )


@transaction.atomic
def remove_document(*, document, by):
    application = Application.objects.select_for_update().get(pk=document.application_id)
    _require(by, "calls.edit_application", application)
    Document.objects.filter(pk=document.pk).update(removed_at=timezone.now())
    application.version += 1
    application.save(update_fields=["version", "updated_at"])


def ranking_choices(call):
    """What a commune ranking may contain: the communes of the call's edition."""
    return [str(pk) for pk in call.edition.communes.values_list("pk", flat=True)]


def checklist(application):
    """Every visible question that is missing or malformed, in form order, then the
    documents an open correction request asks for that are not attached yet."""
    documents = set(current_documents(application).values_list("question_key", flat=True))
    return _missing(
        application,
        questions_of(application.revision),
        documents,
        ranking_choices(application.call),
    ) + _requested_missing(requested_documents(application), documents)


def _requested_missing(requested, documents):
    """Checklist entries for requested documents without a file (no question, no section)."""
    return [
        {
            "question": SimpleNamespace(key=item.document_key, label=item.label),
            "section": None,
            "requested": True,
            "problems": [_("Pièce demandée par l'équipe, à joindre.")],
        }
        for item in requested
        if item.document_key not in documents
    ]


def checklists(applications):
    """{application pk: its checklist} for several applications in five queries.

    The homes list what each file in progress still lacks; one checklist per file
    would cost queries per row.
    """
    applications = list(applications)
    if not applications:
        return {}
    questions_by_revision = {}
    for question in (
        Question.objects.filter(section__revision_id__in={a.revision_id for a in applications})
        .select_related("section")
        .order_by("section__order", "section__pk", "order", "pk")
    ):
        questions_by_revision.setdefault(question.section.revision_id, []).append(question)
    documents = {}
    for application_id, key in Document.objects.filter(
        application__in=applications, removed_at__isnull=True
    ).values_list("application_id", "question_key"):
        documents.setdefault(application_id, set()).add(key)
    requested = {}
    for item in RequestedDocument.objects.filter(
        correction__application__in=[
            a for a in applications if a.status == Status.CORRECTION_REQUESTED
        ],
        correction__resolved_at__isnull=True,
    ).select_related("correction"):
        requested.setdefault(item.correction.application_id, []).append(item)
    communes = {}
    for edition_id, pk in EditionCommune.objects.filter(
        edition_id__in={a.call.edition_id for a in applications}
    ).values_list("edition_id", "pk"):
        communes.setdefault(edition_id, []).append(str(pk))
    return {
        application.pk: _missing(
            application,
            questions_by_revision.get(application.revision_id, []),
            documents.get(application.pk, set()),
            communes.get(application.call.edition_id, []),
        )
        + _requested_missing(
            requested.get(application.pk, []), documents.get(application.pk, set())
        )
        for application in applications
    }


def _missing(application, questions, documents, choices):
    answers = application.answers
    kind = application.organisation.kind
    missing = []
    for question in questions:
        if not answer_rules.is_visible(question, answers, organisation_kind=kind):
            continue
        if question.kind == Question.Kind.DOCUMENT:
            found = (
                [_("Pièce à joindre.")]
                if question.required and question.key not in documents
                else []
            )
        else:
            found = answer_rules.problems(
                question, answers.get(question.key), ranking_choices=choices
            )
        if found:
            missing.append({"question": question, "section": question.section, "problems": found})
    return missing


@transaction.atomic
def submit_application(*, application, by, now=None):
    """Submit a complete application before the deadline: all or nothing, once."""
    now = now or timezone.now()
    application = Application.objects.select_for_update().get(pk=application.pk)
    _require(by, "calls.submit_application", application)
    if application.status == Status.CORRECTION_REQUESTED:
        # Corrections are usually asked after the closing: their own due date applies.
        correction = open_correction(application)
        if correction is None or now > correction.due_at:
            raise ValidationError(
                _("Le délai de correction est dépassé : le dossier ne peut plus être déposé.")
            )
    elif not application.call.accepts_submissions(now):
        raise ValidationError(
            _("L'appel est clos depuis le %(date)s : le dossier ne peut plus être déposé.")
            % {"date": format_date(application.call.closes_at, MOMENT)}
        )
    if application.status not in (Status.DRAFT, Status.CORRECTION_REQUESTED):
        raise ValidationError(_("Ce dossier a déjà été déposé."))
    if checklist(application):
        raise ValidationError(_("Le dossier est incomplet : complétez les éléments signalés."))
    # The date goes first: a submitted application always has one (database constraint).
    application.submitted_at = now
    application.save(update_fields=["submitted_at", "updated_at"])
    transition(application, workflow=Application.workflow, target=Status.SUBMITTED, by=by)
    application.refresh_from_db()
    documents = [
        {
            "key": d.question_key,
            "name": d.name,
            "size": d.size,
            "sha256": d.sha256,
            "document_id": d.pk,
        }
        for d in current_documents(application).order_by("question_key", "uploaded_at")
    ]
    submission = Submission.objects.create(
        application=application,
        number=application.submissions.count() + 1,
        revision=application.revision,
        submitted_at=now,
        submitted_by=by,
        answers=application.answers,
        documents=documents,
    )
    # The receipt is frozen now: later renamings never change what was acknowledged.
    submission.receipt = build_receipt(application=application, submission=submission)
    submission.save(update_fields=["receipt"])
    # The correction request stays open: staff decide whether this deposit answers it.
    notify(
        recipients=application_members(application),
        template="calls/email/submitted",
        context={"application": application, "submission": submission},
        url=reverse("calls:application", kwargs={"pk": application.pk}),
    )
    return submission


def withdraw_application(*, application, by, note=""):
    if not application.call.accepts_submissions() and application.status == Status.SUBMITTED:
        raise ValidationError(_("Après la clôture, un dossier déposé ne peut plus être retiré."))
    return transition(
        application, workflow=Application.workflow, target=Status.WITHDRAWN, by=by, note=note
    )


def deadline_day(closes_at):
    """The last calendar day (Paris) on which a file can be submitted before `closes_at`.

    A closing at midnight sharp ends the day before: "13 January 00:00" is the end
    of 12 January, as "12 January 23:59:59" is.
    """
    moment = closes_at - datetime.timedelta(microseconds=1)
    return timezone.localdate(moment, timezone.get_default_timezone())


def send_deadline_reminders(*, now=None):
    """E-mail the members of every unsubmitted draft on the J-n days of the deadline, once per n.

    J-n is a calendar day in Europe/Paris, not n × 24 hours: for a call closing on
    12 January (at any hour), J-7 is 5 January and J-2 is 10 January, also across a
    daylight-saving change. Run it regularly (cron: `manage.py send_reminders`,
    hourly); each reminder goes once, during its day, to the drafts that exist then;
    a reminder whose day has passed unsent (the job did not run, or the draft was
    started later) is not sent late.
    """
    now = now or timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    sent = 0
    calls = Call.objects.filter(status=Call.Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now)
    for call in calls:
        days = (deadline_day(call.closes_at) - today).days
        if days not in call.reminder_days:
            continue
        drafts = (
            Application.objects.filter(call=call, status=Status.DRAFT)
            .exclude(reminders__days_before=days)
            .select_related("organisation")
        )
        for application in drafts:
            with transaction.atomic():
                _, created = Reminder.objects.get_or_create(
                    application=application, days_before=days
                )
                if not created:
                    continue
                notify(
                    recipients=application_members(application),
                    template="calls/email/reminder",
                    context={"application": application, "days": days},
                    url=reverse("calls:application", kwargs={"pk": application.pk}),
                )
                sent += 1
    return sent
