"""Submission.receipt: what the acknowledgement of receipt shows, frozen at submission.

Existing submissions get a receipt built from what is known today. The
submission's own answers, documents (names, sizes, SHA-256), number, date and
form revision are exactly those of the deposit. The organisation's name and
SIRET, the call's title, the submitter's name and the communes' names in a
ranking were never stored with the deposit: their CURRENT values are the best
available for these old rows, so a renaming made before this migration shows
in their receipts. Every submission made afterwards stores its own.

The logic is copied here on purpose (not imported from qmi.calls.receipts) so
that this migration keeps working whatever the app's code becomes.
"""

from django.db import migrations, models


def _visible(question, answers):
    if not question.condition_key:
        return True
    value = answers.get(question.condition_key)
    if isinstance(value, list):
        return question.condition_value in value
    return (value or "") == question.condition_value


def _ranking_labels(EditionCommune, edition_id):
    labels = {}
    for edition_commune in EditionCommune.objects.filter(edition_id=edition_id).select_related(
        "commune"
    ):
        label = edition_commune.commune.name
        challenge = getattr(edition_commune, "challenge", None)
        if challenge is not None:
            label = f"{label} — {challenge.title}"
        labels[str(edition_commune.pk)] = label
    return labels


def _item(question, answers, documents, ranking):
    item = {"key": question.key, "kind": question.kind, "label": question.label}
    if question.kind == "document":
        item["documents"] = [d["name"] for d in documents.get(question.key, [])]
        return item
    value = answers.get(question.key)
    item["value"] = value
    if question.kind == "number" and (question.config or {}).get("unit"):
        item["unit"] = question.config["unit"]
    if question.kind == "commune_ranking" and isinstance(value, list):
        item["ranking_labels"] = {str(v): ranking.get(str(v), str(v)) for v in value}
    return item


def _receipt(submission, Section, EditionCommune, rankings):
    application = submission.application
    call = application.call
    organisation = application.organisation
    answers = submission.answers or {}
    documents = {}
    for document in submission.documents or []:
        documents.setdefault(document.get("key"), []).append(document)
    if call.edition_id not in rankings:
        rankings[call.edition_id] = _ranking_labels(EditionCommune, call.edition_id)
    ranking = rankings[call.edition_id]
    sections = []
    for section in Section.objects.filter(revision_id=submission.revision_id).order_by(
        "order", "pk"
    ):
        questions = section.questions.order_by("order", "pk")
        sections.append(
            {
                "title": section.title,
                "items": [
                    _item(q, answers, documents, ranking)
                    for q in questions
                    if _visible(q, answers)
                ],
            }
        )
    by = submission.submitted_by
    return {
        "version": 1,
        "reference": application.reference,
        "number": submission.number,
        "submitted_at": submission.submitted_at.isoformat(),
        "submitted_by": {"name": by.full_name or by.email, "email": by.email} if by else None,
        "call": {"title": call.title, "kind": call.kind},
        "organisation": {"name": organisation.name, "siret": organisation.siret},
        "documents": [
            {"key": d.get("key"), "name": d["name"], "size": d["size"], "sha256": d["sha256"]}
            for d in submission.documents or []
        ],
        "sections": sections,
    }


def fill_receipts(apps, schema_editor):
    Submission = apps.get_model("calls", "Submission")
    Section = apps.get_model("calls", "Section")
    EditionCommune = apps.get_model("programmes", "EditionCommune")
    rankings = {}
    queryset = Submission.objects.select_related(
        "application__call", "application__organisation", "submitted_by"
    )
    for submission in queryset.iterator(chunk_size=200):
        submission.receipt = _receipt(submission, Section, EditionCommune, rankings)
        submission.save(update_fields=["receipt"])


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0008_remove_messaging"),
        ("programmes", "0001_initial"),
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="receipt",
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.RunPython(fill_receipts, migrations.RunPython.noop),
    ]
