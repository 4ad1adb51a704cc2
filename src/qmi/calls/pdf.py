"""The acknowledgement of receipt (accusé de réception) of a submission, as a PDF.

Built with WeasyPrint from an HTML template; everything it shows comes from the
receipt stored in the submission when it was made (`Submission.receipt`, see
`receipts.py`): the organisation's and the call's names of that day, the
answers, the documents and their hashes. Nothing is read from the live objects,
so the PDF of a deposit shows what was true at submission, forever.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .receipts import build_receipt, readable_receipt

PLATFORM_NAME = "Quartiers Métropolitains d'Innovation"


def _no_fetch(url, *args, **kwargs):
    # Nothing in an acknowledgement is fetched from elsewhere (no tracking, no SSRF).
    raise ValueError(f"refused to fetch {url}")


def acknowledgement_context(application, submission):
    # Every submission stores its receipt (submit_application, migration 0009); a row
    # made some other way gets one built from today's facts rather than an error.
    stored = submission.receipt or build_receipt(application=application, submission=submission)
    receipt = readable_receipt(stored)
    return {
        "platform": PLATFORM_NAME,
        "receipt": receipt,
        "submitted_at": timezone.localtime(receipt["submitted_at"]),
        "title": _("Accusé de réception — %(reference)s") % {"reference": receipt["reference"]},
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
