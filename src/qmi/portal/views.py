"""The homes: "Mon espace" for everyone, the back office's front page, one object's trail."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.accounts.access import backoffice_required
from qmi.calls.funnel import funnel_versions, recent_call_funnels
from qmi.core import versions
from qmi.core.audit import entries_for
from qmi.core.forms import apply_errors
from qmi.core.kept_pages import kept_for_session
from qmi.core.public_cache import CONTENT
from qmi.programmes.models import Edition
from qmi.programmes.queries import editions_with_timeline

from . import services
from .forms import DeleteAccountForm
from .home import home_for
from .todo import staff_todo


@login_required
@kept_for_session
def home(request):
    """Each person's home: what waits for them, then their spaces (see portal.home)."""
    return render(request, "portal/home.html", home_for(request.user))


@backoffice_required
@kept_for_session
def backoffice(request):
    editions = editions_with_timeline(Edition.objects.order_by("-number"))
    page = Paginator(editions, 10).get_page(request.GET.get("page"))
    context = {
        "page": page,
        # The editions and the funnels are kept as rendered (see the template) until
        # their data change: the funnels are computed only when the page needs them.
        "content_version": versions.current(CONTENT)[0],
        "funnel_versions": "-".join(map(str, funnel_versions())),
        "today": timezone.localdate().isoformat(),
        "call_funnels": recent_call_funnels,
        "todo": {item.key: item for item in staff_todo()},
    }
    return render(request, "portal/backoffice.html", context)


@backoffice_required
def audit_list(request, content_type, object_id):
    """The whole trail of one object, for operator staff."""
    model = get_object_or_404(ContentType, pk=content_type).model_class()
    if model is None:
        raise Http404
    obj = get_object_or_404(model, pk=object_id)
    page = Paginator(entries_for(obj), 50).get_page(request.GET.get("page"))
    return render(request, "portal/audit_list.html", {"object": obj, "page": page})


# A person's own data -------------------------------------------------------------


@login_required
def personal_data(request):
    """What the platform holds about me: a page that explains, and a JSON download (POST)."""
    if request.method == "POST":
        data = services.export_personal_data(user=request.user, by=request.user)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        filename = f"qmi-mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "portal/personal_data.html")


@login_required
def account_delete(request):
    """Delete my account, after my password; refused with what to do first when it may not."""
    obstacles = services.deletion_obstacles(request.user)
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and not obstacles and form.is_valid():
        user = request.user
        try:
            services.delete_account(user=user, by=user, password=form.cleaned_data["password"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            logout(request)
            messages.success(
                request,
                _("Votre compte a été supprimé. Un e-mail de confirmation vous a été envoyé."),
            )
            return redirect("showcase:home")
    return render(
        request,
        "portal/account_delete.html",
        {"form": form, "obstacles": obstacles},
        status=400 if form.errors or (obstacles and request.method == "POST") else 200,
    )
