from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from .access import second_factor_redirect
from .models import Invitation, Membership, Organisation, User
from .second_factor import second_factor_satisfied


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_demo", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "is_demo", "language"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personne"), {"fields": ["full_name", "language", "is_demo"]}),
        (
            _("Accès"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "legal_form", "country", "siret", "is_demo"]
    list_filter = ["kind", "legal_form", "is_demo"]
    search_fields = ["name", "siret"]
    raw_id_fields = ["commune"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "organisation__name"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]
    readonly_fields = ["token"]


def admin_has_permission(request):
    """The admin, like every staff tool, needs the second factor verified in this session."""
    user = request.user
    return user.is_active and user.is_staff and second_factor_satisfied(user)


def admin_login(request, extra_context=None):
    """The admin has no log-in form of its own: the platform's (rate-limited, with TOTP) serves.

    A visitor goes to the platform's log-in page and comes back; a staff member whose session
    lacks the second factor goes to TOTP set-up or re-authentication; anyone else gets a 404.
    """
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url, login_url=reverse("account_login"))
    if admin_has_permission(request):
        return redirect(next_url)
    if request.user.is_active and request.user.is_staff:
        return second_factor_redirect(request, next_url)
    raise Http404


admin.site.login = admin_login
admin.site.has_permission = admin_has_permission
