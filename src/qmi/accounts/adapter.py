from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.conf import settings
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from qmi.core import versions
from qmi.mail.services import send_rendered

from .backends import PEOPLE


def safe_return_url(request, url):
    """`url` if it is a path of this site (never another host), else ""."""
    url = (url or "").strip()
    if len(url) > 500 or not url.startswith("/"):
        return ""
    allowed = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
    return url if allowed else ""


def pop_return_to(user):
    """The page sign-up started from, once: the first log-in uses it and forgets it."""
    url = getattr(user, "return_to", "")
    if url:
        type(user).objects.filter(pk=user.pk).update(return_to="")
        versions.bump(PEOPLE)  # an update() sends no signal
        user.return_to = ""
    return url


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Trop de tentatives de connexion avec un mot de passe erroné. Réessayez dans "
            "quelques minutes, ou recevez un code de connexion par e-mail."
        ),
    }

    # Log-in throttling that a stranger cannot turn against the owner of an address:
    # wrong passwords count per (address, client), so failures from elsewhere never
    # lock the owner out; a ceiling per address across all clients (action
    # "login_failed_account") stops guessing spread over many clients, and even then
    # the owner logs in with a code sent to the address (ACCOUNT_LOGIN_BY_CODE_ENABLED).

    def _get_login_attempts_cache_key(self, request, **credentials):
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        login = (credentials.get("email") or credentials.get("username") or "").lower()
        self._account_rl_usage = ratelimit.consume(
            request, app="allauth.account", action="login_failed_account", key=login
        )
        if not self._account_rl_usage:
            raise self.validation_error("too_many_login_attempts")
        try:
            super().pre_authenticate(request, **credentials)
        except Exception:
            # Refused by the per-client limit: that attempt does not count against the owner.
            self._account_rl_usage.rollback()
            raise

    def _rollback_login_failed_rl_usage(self):
        """A successful log-in takes back its attempt from both limits (see allauth)."""
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_account_rl_usage", None)
        if usage:
            usage.rollback()

    def save_user(self, request, user, form, commit=True):
        """New accounts keep the language they signed up in, and the page they came from."""
        user = super().save_user(request, user, form, commit=False)
        user.language = translation.get_language() or "fr"
        user.return_to = safe_return_url(request, request.POST.get("next"))
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
