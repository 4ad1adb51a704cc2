from qmi.accounts.adapter import AccountAdapter

from .queries import landing_url_for


class PortalAccountAdapter(AccountAdapter):
    def get_login_redirect_url(self, request):
        """Straight to the home of the person's role (a `?next=` still wins, allauth sees to it)."""
        return landing_url_for(request.user)
