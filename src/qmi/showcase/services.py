"""Changes to the public site's pages, each checked and audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qmi.calls.html import clean_html
from qmi.core.audit import save_with_audit
from qmi.core.permissions import require

from .models import SitePage

SITE_PAGE_FIELDS = ["title", "body"]


@transaction.atomic
def update_site_page(*, page, by, title, body):
    """Save a page's title and body; the body keeps only the tags `clean_html` allows."""
    require(by, "showcase.change_sitepage")
    body = clean_html(body)
    if not body:
        raise ValidationError(
            {"body": _("Il ne reste aucun texte une fois les balises non permises retirées.")}
        )
    current = SitePage.objects.select_for_update().get(pk=page.pk)
    return save_with_audit(
        current, fields=SITE_PAGE_FIELDS, values={"title": title.strip(), "body": body}, by=by
    )
