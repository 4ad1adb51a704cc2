"""What an acknowledgement of receipt shows, frozen at submission.

`build_receipt()` runs inside the submission's transaction and returns a plain
dict stored in `Submission.receipt`: the organisation's name and SIRET, the
call's title and kind, the reference, who submitted, when, the documents with
their hashes, each visible question's label with its answer, and the documents
an open correction request asked for with the files deposited for them. Renaming the
organisation or the call, editing a person's name or a commune's challenge
later changes nothing in the PDF of an earlier deposit.

Answers are kept as values plus what is needed to read them (a number's unit,
the names of ranked communes), not as rendered text, so that "Oui", dates and
"1er choix" follow the reader's language while the facts stay those of the day.
"""

from types import SimpleNamespace

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .forms.applicant import answers_by_section, display_answer, ranking_options
from .models import Call, Question
from .queries import open_correction

RECEIPT_VERSION = 1


def _item(row_item, answers, ranking):
    question = row_item["question"]
    item = {"key": question.key, "kind": question.kind, "label": question.label}
    if question.kind == Question.Kind.DOCUMENT:
        item["documents"] = [document["name"] for document in row_item["documents"]]
        return item
    value = answers.get(question.key)
    item["value"] = value
    if question.kind == Question.Kind.NUMBER and question.config.get("unit"):
        item["unit"] = question.config["unit"]
    if question.kind == Question.Kind.COMMUNE_RANKING and isinstance(value, list):
        item["ranking_labels"] = {str(v): ranking.get(str(v), str(v)) for v in value}
    return item


def build_receipt(*, application, submission):
    """The facts of `submission` as they are now, to be stored once and never recomputed."""
    call = application.call
    organisation = application.organisation
    documents = {}
    for document in submission.documents:
        documents.setdefault(document.get("key"), []).append(document)
    rows = answers_by_section(
        submission.revision,
        submission.answers,
        documents,
        call,
        organisation_kind=organisation.kind,
    )
    needs_ranking = any(
        item["question"].kind == Question.Kind.COMMUNE_RANKING
        for row in rows
        for item in row["items"]
    )
    ranking = dict(ranking_options(call)) if needs_ranking else {}
    by = submission.submitted_by
    requested = _requested(application, documents)
    return {
        "version": RECEIPT_VERSION,
        "reference": application.reference,
        "number": submission.number,
        "submitted_at": submission.submitted_at.isoformat(),
        "submitted_by": {"name": by.get_full_name(), "email": by.email} if by else None,
        "call": {"title": call.title, "kind": call.kind},
        "organisation": {"name": organisation.name, "siret": organisation.siret},
        "documents": [
            {"key": d.get("key"), "name": d["name"], "size": d["size"], "sha256": d["sha256"]}
            for d in submission.documents
        ],
        "sections": [
            {
                "title": row["section"].title,
                "items": [_item(item, submission.answers, ranking) for item in row["items"]],
            }
            for row in rows
        ],
        # Only when a correction asked for documents: earlier receipts stay as they were.
        **({"requested": requested} if requested else {}),
    }


def _requested(application, documents):
    """The documents the open correction request asked for, with the files deposited for each."""
    correction = open_correction(application)
    if correction is None:
        return []
    return [
        {
            "label": item.label,
            "documents": [d["name"] for d in documents.get(item.document_key, [])],
        }
        for item in correction.requested_documents.all()
    ]


def _readable(item):
    """One stored item as the template shows it: a label, and a text or file names."""
    if item.get("kind") == Question.Kind.DOCUMENT:
        return {"label": item["label"], "documents": item.get("documents", []), "text": ""}
    question = SimpleNamespace(
        kind=item.get("kind"), config={"unit": item["unit"]} if item.get("unit") else {}
    )
    text = display_answer(
        question, item.get("value"), ranking_labels=item.get("ranking_labels") or {}
    )
    return {"label": item["label"], "documents": None, "text": text}


def document_groups(receipt):
    """The receipt's files under their document's label, in the form's order.

    Files whose question the receipt does not list (it was not asked of this
    applicant) come last, under « Autres pièces ».
    """
    labels = {
        item["key"]: item["label"]
        for section in receipt["sections"]
        for item in section["items"]
        if item.get("kind") == Question.Kind.DOCUMENT
    }
    order = list(labels)
    groups = {}
    for document in receipt["documents"]:
        key = document.get("key") if document.get("key") in labels else None
        groups.setdefault(key, []).append(document)
    result = [{"label": labels[key], "documents": groups[key]} for key in order if key in groups]
    if None in groups:
        result.append({"label": _("Autres pièces"), "documents": groups[None]})
    return result


def readable_receipt(receipt):
    """The stored receipt with its answers put in words for the template."""
    kind = receipt["call"].get("kind")
    return {
        **receipt,
        "document_groups": document_groups(receipt),
        "call": {
            **receipt["call"],
            "kind_label": Call.Kind(kind).label if kind in Call.Kind.values else kind,
        },
        "submitted_at": parse_datetime(receipt["submitted_at"]),
        "sections": [
            {
                "number": number,
                "title": section["title"],
                "items": [_readable(item) for item in section["items"]],
            }
            for number, section in enumerate(receipt["sections"], start=1)
        ],
    }
