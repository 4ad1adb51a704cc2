"""Experts invited to a call's jury by e-mail: staff invite and revoke, the invitee accepts.

The invitation page is public: its token is the secret, and the invitee may have no
account yet (they sign up or log in, come back here, then accept).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.accounts.views import sign_in_context
from qmi.calls.models import Call
from qmi.core.forms import apply_errors

from ..forms import ExpertInvitationForm
from ..models import JurorInvitation
from ..services import invitations
from .staff import MANAGE, overview_page


def _call(pk):
    return get_object_or_404(Call.objects.select_related("edition"), pk=pk)


@backoffice_required(permission=MANAGE)
@require_POST
def invite(request, pk):
    call = _call(pk)
    form = ExpertInvitationForm(request.POST, prefix="expert")
    if form.is_valid():
        try:
            invitation = invitations.invite_expert(
                call=call,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                capacity=form.cleaned_data["capacity"],
                themes=form.cleaned_data["themes"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("L'invitation est envoyée à %(email)s.") % {"email": invitation.email},
            )
            return redirect(reverse("review:overview", kwargs={"pk": call.pk}) + "#invitations")
    return overview_page(request, call, invitation_form=form, status=422)


@backoffice_required(permission=MANAGE)
@require_POST
def revoke(request, pk, invitation_pk):
    call = _call(pk)
    invitation = get_object_or_404(JurorInvitation, pk=invitation_pk, call=call)
    try:
        invitations.revoke_expert_invitation(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("L'invitation de %(email)s est révoquée.") % {"email": invitation.email},
        )
    return redirect(reverse("review:overview", kwargs={"pk": call.pk}) + "#invitations")


def accept(request, token):
    invitation = (
        JurorInvitation.objects.select_related("call", "invited_by", "juror")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise Http404
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            invitations.accept_expert_invitation(invitation=invitation, by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            invitation.refresh_from_db()
        else:
            messages.success(
                request,
                _("Vous faites partie du jury de « %(call)s ». Vos dossiers à évaluer sont ici.")
                % {"call": invitation.call.title},
            )
            return redirect("review:queue")
    user = request.user
    return render(
        request,
        "review/invitation.html",
        {
            "invitation": invitation,
            "status": invitations.status_of(invitation),
            "statuses": invitations.Status,
            "error": error,
            "is_juror": invitation.juror is not None and invitation.juror.user_id == user.pk,
            **sign_in_context(request, invitation.email),
        },
        status=400 if error else 200,
    )
