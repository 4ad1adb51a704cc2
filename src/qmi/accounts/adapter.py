from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from qmi.mail.services import send_rendered


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """New accounts keep the language they signed up in, for their e-mails."""
        user = super().save_user(request, user, form, commit=False)
        user.language = translation.get_language() or "fr"
        if commit:
            user.save()
        return user

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's e-mails are signed with the platform's address, not the request's host."""
        context = {**context, "qmi_site_url": settings.SITE_URL}
        return super().render_mail(template_prefix, email, context, headers=headers)

    def format_email_subject(self, subject):
        # The outbox adds the platform's prefix to every e-mail when it sends it.
        return str(subject)

    def send_mail(self, template_prefix, email, context):
        """Verification, reset and security e-mails leave through the outbox like every other."""
        message = self.render_mail(template_prefix, email, context)
        send_rendered(
            to=email,
            subject=message.subject,
            body=message.body,
            template=template_prefix,
            language=translation.get_language(),
            # Verification links, reset links and log-in codes are keys to an account.
            sensitive=True,
        )
