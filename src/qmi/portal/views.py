"""The homes: "Mon espace" for everyone, the back office's front page, one object's trail."""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from qmi.accounts.access import backoffice_required
from qmi.calls.funnel import recent_call_funnels
from qmi.core.audit import entries_for
from qmi.programmes.models import Edition
from qmi.programmes.queries import editions_with_timeline

from .home import home_for
from .todo import staff_todo


@login_required
def home(request):
    """Each person's home: what waits for them, then their spaces (see portal.home)."""
    return render(request, "portal/home.html", home_for(request.user))


@backoffice_required
def backoffice(request):
    editions = editions_with_timeline(Edition.objects.order_by("-number"))
    page = Paginator(editions, 10).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "call_funnels": recent_call_funnels(),
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
