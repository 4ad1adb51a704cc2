from qmi.accounts.adapter import AccountAdapter, pop_return_to

from .queries import landing_url_for


class PortalAccountAdapter(AccountAdapter):
    def get_login_redirect_url(self, request):
        """Back to where sign-up started, else the home of the person's role.

        A `?next=` still wins (allauth sees to it); the page sign-up started from is
        kept with the account, so verifying the address in another browser and
        logging in there still returns to the call.
        """
        return pop_return_to(request.user) or landing_url_for(request.user)
