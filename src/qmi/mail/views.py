from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import services
from .models import Notification


@login_required
def notification_list(request):
    page = Paginator(request.user.notifications.all(), 25).get_page(request.GET.get("page"))
    return render(request, "mail/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk):
    # Only the recipient's own notifications are reachable: others are a 404.
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(notification=notification, by=request.user)
    target = notification.url or reverse("mail:notifications")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("mail:notifications")
    return HttpResponseRedirect(target)


@login_required
@require_POST
def notification_read_all(request):
    count = services.mark_all_read(by=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marquée comme lue.",
            "%(count)d notifications marquées comme lues.",
            count,
        )
        % {"count": count},
    )
    return HttpResponseRedirect(reverse("mail:notifications"))
