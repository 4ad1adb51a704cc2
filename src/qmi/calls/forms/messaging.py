"""Forms of calls' entry points into messaging: a question about a call, a FAQ entry from a thread."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qmi.messaging.forms import AttachmentsField, body_field
from qmi.messaging.services import MAX_SUBJECT_CHARS


class QuestionForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Au nom de"), queryset=None, empty_label=None)
    subject = forms.CharField(label=_("Objet"), max_length=MAX_SUBJECT_CHARS)
    body = body_field()
    attachments = AttachmentsField()

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["body"].label = _("Votre question")


class FaqForm(forms.Form):
    message = forms.IntegerField(widget=forms.HiddenInput)
    question = forms.CharField(
        label=_("Question publiée"),
        help_text=_(
            "Reformulez-la sans rien qui permette de reconnaître le candidat (nom, projet, personne)."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    answer = forms.CharField(label=_("Réponse publiée"), widget=forms.Textarea(attrs={"rows": 6}))
