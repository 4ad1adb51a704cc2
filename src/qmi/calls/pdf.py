"""The acknowledgement of receipt (accusé de réception) of a submission, as a PDF.

Built with WeasyPrint from an HTML template; everything it shows comes from the
submission's snapshot (answers, documents, form revision), so the PDF of a
submission stays the same whatever happens to the draft afterwards.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .forms.applicant import answers_by_section

PLATFORM_NAME = "Quartiers Métropolitains d'Innovation"


def _no_fetch(url, *args, **kwargs):
    # Nothing in an acknowledgement is fetched from elsewhere (no tracking, no SSRF).
    raise ValueError(f"refused to fetch {url}")


def acknowledgement_context(application, submission):
    documents = {}
    for item in submission.documents:
        documents.setdefault(item.get("key"), []).append(item)
    sections = answers_by_section(
        submission.revision, submission.answers, documents, application.call
    )
    return {
        "platform": PLATFORM_NAME,
        "application": application,
        "call": application.call,
        "organisation": application.organisation,
        "submission": submission,
        "submitted_at": timezone.localtime(submission.submitted_at),
        "sections": sections,
        "documents": submission.documents,
        "title": _("Accusé de réception — %(reference)s") % {"reference": application.reference},
    }


def acknowledgement_pdf(application, submission):
    # WeasyPrint loads Pango and its fonts on import: only a PDF request pays for it.
    from weasyprint import CSS, HTML  # noqa: PLC0415

    context = acknowledgement_context(application, submission)
    html = render_to_string("calls/pdf/acknowledgement.html", context)
    css = render_to_string("calls/pdf/acknowledgement.css")
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=_no_fetch)]
    )
