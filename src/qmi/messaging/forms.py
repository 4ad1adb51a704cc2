"""Forms of the message threads; the checks that matter live in services."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from qmi.core.files import accept_attribute, families_label

from .models import Thread
from .services import ATTACHMENT_FAMILIES, ATTACHMENT_MAX_MB, MAX_ATTACHMENTS, MAX_BODY_CHARS


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


def _attachments_help():
    return _(
        "Facultatif : %(max)s fichiers au plus, %(mb)s Mo au plus chacun (%(types)s). "
        "En cas d'erreur, choisissez-les à nouveau."
    ) % {
        "max": MAX_ATTACHMENTS,
        "mb": ATTACHMENT_MAX_MB,
        "types": families_label(ATTACHMENT_FAMILIES),
    }


class AttachmentsField(forms.FileField):
    """Zero to MAX_ATTACHMENTS files; each one is checked by the service before storage."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": accept_attribute(ATTACHMENT_FAMILIES)}),
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Pièces jointes"))
        # Built when shown (fields are made at import): in the language of each request.
        kwargs.setdefault("help_text", lazy(_attachments_help, str)())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        cleaned = [super(AttachmentsField, self).clean(item, initial) for item in files if item]
        if len(cleaned) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("%(max)s pièces jointes au plus par message."), params={"max": MAX_ATTACHMENTS}
            )
        return cleaned


def body_field():
    """The message's text, shared by every form that writes a message."""
    return forms.CharField(
        label=_("Votre message"),
        max_length=MAX_BODY_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class ReplyForm(forms.Form):
    body = body_field()
    attachments = AttachmentsField()
    answer_expected = forms.BooleanField(
        label=_("J'attends une réponse du candidat"),
        required=False,
        help_text=_(
            "Cochez si le candidat doit vous répondre : l'échange sera marqué en attente de sa "
            "réponse. Sinon, il n'attend plus personne."
        ),
    )

    def __init__(self, *args, writes_as_operator=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not writes_as_operator:
            del self.fields["answer_expected"]


class AwaitingForm(forms.Form):
    awaiting = forms.ChoiceField(label=_("Qui doit répondre ?"), choices=Thread.Awaiting.choices)
