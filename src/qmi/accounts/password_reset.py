"""Password reset that answers the same whatever the address (allauth's form, one refusal less).

allauth refuses an unknown address on the form unless ACCOUNT_PREVENT_ENUMERATION
is on, and that setting would also hide a known address at sign-up, which the
programme's users asked to be told about. Here an unknown address gets the same
page as a known one; allauth then writes to it that no account uses it.
"""

from allauth.account.forms import ResetPasswordForm
from django.core.exceptions import ValidationError


class SameAnswerResetPasswordForm(ResetPasswordForm):
    def clean_email(self):
        try:
            return super().clean_email()
        except ValidationError as error:
            if error.code != "unknown_email":
                raise
            self.users = []
            return self.cleaned_data["email"]
