"""Auditions: a shortlist from the ranking, slots as events, the applicant's answer, the panel."""

import datetime
import html
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qmi.accounts.models import Organisation
from qmi.calls.models import Application
from qmi.core.models import AuditEntry
from qmi.events.models import Event
from qmi.mail.models import Notification, OutgoingEmail
from qmi.review.models import Assignment, Audition, Conflict, Review, Score
from qmi.review.services import auditions
from qmi.review.views.auditions import applicant_panel
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CriterionFactory,
    JurorFactory,
    OrganisationFactory,
    ReviewPhaseFactory,
    UserFactory,
    review_of,
    staff_user,
)
from tests.utils import assert_constant_queries, member_of

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def complete_file(call, **fields):
    fields.setdefault("organisation", OrganisationFactory(kind=Organisation.Kind.EXPERIMENTER))
    return ApplicationFactory(
        call=call, status=Application.Status.COMPLETE, submitted_at=timezone.now(), **fields
    )


def in_days(days, hour=14, minute=30):
    """A slot `days` from now at a Paris wall-clock time."""
    day = timezone.localdate(timezone.now(), PARIS) + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def setting():
    """A call with a written phase and an audition phase, a file, its applicant, two jurors."""
    call = CallFactory(title="Appel à expérimenter")
    ReviewPhaseFactory(call=call, title="Lecture des dossiers")
    grid = ReviewPhaseFactory(call=call, title="Auditions")
    CriterionFactory(phase=grid, label="Clarté de la présentation")
    application = complete_file(call)
    return {
        "call": call,
        "grid": grid,
        "application": application,
        "applicant": member_of(application.organisation),
        "jurors": [JurorFactory(call=call), JurorFactory(call=call)],
        "staff": staff_user(),
    }


def shortlisted(setting):
    return auditions.shortlist(
        call=setting["call"], applications=[setting["application"]], by=setting["staff"]
    )[0]


def schedule(setting, audition=None, **changes):
    values = {
        "starts_at": in_days(10),
        "duration_minutes": 45,
        "location": "Paris&Co, salle Seine",
        "link": "",
        "panel": setting["jurors"],
        "phase": setting["grid"],
        "by": setting["staff"],
    }
    values.update(changes)
    return auditions.schedule_audition(audition=audition or shortlisted(setting), **values)


# Shortlist -----------------------------------------------------------------------------


def test_only_complete_files_of_the_call_are_shortlisted_once(setting):
    call, staff = setting["call"], setting["staff"]
    draft = ApplicationFactory(call=call)
    other_call = complete_file(CallFactory())
    for refused in (draft, other_call):
        with pytest.raises(ValidationError) as error:
            auditions.shortlist(call=call, applications=[setting["application"], refused], by=staff)
        assert "Seuls les dossiers complets" in error.value.messages[0]
        assert not Audition.objects.exists()
    created = auditions.shortlist(call=call, applications=[setting["application"]], by=staff)
    assert [a.status for a in created] == [Audition.Status.SHORTLISTED]
    assert auditions.shortlist(call=call, applications=[setting["application"]], by=staff) == []
    assert Audition.objects.count() == 1
    assert AuditEntry.objects.filter(action="audition_shortlisted").count() == 1
    with pytest.raises(PermissionDenied):
        auditions.shortlist(call=call, applications=[setting["application"]], by=UserFactory())


def test_the_ranking_shortlists_the_checked_rows(client, setting):
    client.force_login(setting["staff"])
    url = reverse("review:shortlist_add", args=[setting["call"].pk])
    response = client.post(url, {"applications": [setting["application"].pk], "query": "corrige=1"})
    assert response.status_code == 302
    assert response["Location"].endswith("/classement/?corrige=1")
    assert Audition.objects.filter(application=setting["application"]).exists()
    draft = ApplicationFactory(call=setting["call"])
    client.post(url, {"applications": [draft.pk]})
    assert not Audition.objects.filter(application=draft).exists()


def test_the_ranking_offers_a_checkbox_per_complete_file(client, setting):
    phase = setting["grid"]
    other = complete_file(setting["call"])
    for application in (setting["application"], other):
        review = review_of(phase, application)
        Score.objects.create(review=review, criterion=phase.criteria.get(), value=4)
        Review.objects.filter(pk=review.pk).update(
            status=Review.Status.SUBMITTED, total=Decimal("16")
        )
    shortlisted(setting)
    client.force_login(setting["staff"])
    page = client.get(reverse("review:ranking", args=[setting["call"].pk]), {"phase": phase.pk})
    text = html.unescape(page.content.decode())
    assert f'name="applications" value="{other.pk}"' in text
    assert f'name="applications" value="{setting["application"].pk}"' not in text
    assert "présélectionné" in text
    assert reverse("review:shortlist_add", args=[setting["call"].pk]) in text


def test_a_shortlisted_file_leaves_the_list_only_without_a_slot(setting):
    audition = schedule(setting)
    with pytest.raises(ValidationError) as error:
        auditions.remove_from_shortlist(audition=audition, by=setting["staff"])
    assert "annulez-le" in error.value.messages[0]
    auditions.cancel_audition(audition=audition, by=setting["staff"])
    auditions.remove_from_shortlist(audition=audition, by=setting["staff"])
    assert not Audition.objects.exists()


# Scheduling ------------------------------------------------------------------------------


def _other_call_juror(setting):
    return [JurorFactory()]


def _conflicted_juror(setting):
    juror = setting["jurors"][0]
    Conflict.objects.create(juror=juror, application=setting["application"], reason="Ancien")
    return [juror]


def _member_juror(setting):
    # A juror who belongs to the applying organisation may never hear it.
    juror = JurorFactory(call=setting["call"], user=member_of(setting["application"].organisation))
    return [juror]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"location": "  ", "link": ""}, "location", "Indiquez un lieu ou un lien"),
        ({"duration_minutes": 5}, "duration_minutes", "entre 10 et 240 minutes"),
        ({"duration_minutes": 300}, "duration_minutes", "entre 10 et 240 minutes"),
        ({"duration_minutes": None}, "duration_minutes", "entre 10 et 240 minutes"),
        ({"starts_at": None}, "starts_at", "Indiquez la date et l'heure"),
        ({"panel": []}, "panel", "au moins un juré"),
        ({"panel": _other_call_juror}, "panel", "ne fait pas partie du jury de cet appel"),
        ({"panel": _conflicted_juror}, "panel", "conflit d'intérêts"),
        ({"panel": _member_juror}, "panel", "conflit d'intérêts"),
        ({"phase": "other call"}, "phase", "Choisissez une phase de cet appel"),
        ({"phase": "not scored"}, "phase", "phase notée"),
        ({"link": "pas une adresse"}, "link", "adresse web complète"),
        ({"link": "javascript:alert(1)"}, "link", "adresse web complète"),
        ({"link": "ftp://visio.example/salle"}, "link", "adresse web complète"),
        ({"location": "x" * 301}, "location", "300 caractères au plus"),
    ],
)
def test_a_bad_slot_is_refused_with_a_clear_message(setting, changes, field, message):
    audition = shortlisted(setting)
    if callable(changes.get("panel")):
        changes = {**changes, "panel": changes["panel"](setting)}
    if changes.get("phase") == "other call":
        changes = {**changes, "phase": ReviewPhaseFactory()}
    elif changes.get("phase") == "not scored":
        changes = {**changes, "phase": ReviewPhaseFactory(call=setting["call"], scoring=False)}
    with pytest.raises(ValidationError) as error:
        schedule(setting, audition, **changes)
    assert message in " ".join(error.value.message_dict[field])
    assert not Event.objects.exists()
    assert not Assignment.objects.exists()
    audition.refresh_from_db()
    assert audition.status == Audition.Status.SHORTLISTED


def test_a_past_slot_is_refused(setting):
    with pytest.raises(ValidationError) as error:
        schedule(setting, starts_at=timezone.now() - datetime.timedelta(hours=1))
    assert "à venir" in error.value.message_dict["starts_at"][0]


def test_scheduling_makes_the_event_assigns_the_panel_and_invites_the_applicant(
    setting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        audition = schedule(setting)
    event = audition.event
    assert event.kind == Event.Kind.AUDITION
    assert event.about == setting["application"]
    assert event.starts_at == in_days(10)
    assert event.ends_at - event.starts_at == datetime.timedelta(minutes=45)
    assert event.location == "Paris&Co, salle Seine"
    assert audition.status == Audition.Status.INVITED
    assert audition.invited_by == setting["staff"]
    assert set(audition.panel.all()) == set(setting["jurors"])
    placed = Assignment.objects.filter(phase=setting["grid"], application=setting["application"])
    assert {a.juror for a in placed} == set(setting["jurors"])
    assert {a.source for a in placed} == {Assignment.Source.MANUAL}
    assert Review.objects.filter(assignment__in=placed).count() == 2
    told = Notification.objects.get(recipient=setting["applicant"])
    assert "Invitation à une audition" in told.subject
    assert "14:30" in told.body and "heure de Paris" in told.body
    assert "Paris&Co, salle Seine" in told.body
    email = OutgoingEmail.objects.get(recipient=setting["applicant"])
    assert reverse("calls:application", args=[setting["application"].pk]) in email.body
    for juror in setting["jurors"]:
        assert Notification.objects.filter(
            recipient=juror.user, subject__contains="Jury d'audition"
        ).exists()
    assert AuditEntry.objects.filter(
        action="audition_scheduled", object_id=str(setting["application"].pk)
    ).exists()


def test_a_panel_juror_keeps_an_assignment_they_already_had(setting):
    juror = setting["jurors"][0]
    Assignment.objects.create(
        phase=setting["grid"],
        juror=juror,
        application=setting["application"],
        source=Assignment.Source.SOLVER,
    )
    schedule(setting)
    kept = Assignment.objects.get(phase=setting["grid"], juror=juror)
    assert kept.source == Assignment.Source.SOLVER
    assert Assignment.objects.filter(phase=setting["grid"]).count() == 2


def test_rescheduling_bumps_the_calendar_sequence_and_tells_the_applicant_again(client, setting):
    audition = schedule(setting)
    first = audition.event.pk
    auditions.answer_audition(audition=audition, confirm=True, by=setting["applicant"])
    audition = schedule(
        setting, audition, starts_at=in_days(12, hour=9), link="https://visio.example/a"
    )
    event = Event.objects.get(pk=first)
    assert audition.event_id == first
    assert event.sequence == 1
    assert audition.status == Audition.Status.INVITED
    assert audition.answered_at is None
    subjects = list(
        Notification.objects.filter(recipient=setting["applicant"]).values_list(
            "subject", flat=True
        )
    )
    assert len(subjects) == 2
    assert sum("Audition déplacée" in subject for subject in subjects) == 1
    client.force_login(setting["applicant"])
    ics = client.get(reverse("review:audition_ics", args=[setting["application"].pk]))
    assert b"SEQUENCE:1" in ics.content


# The applicant -------------------------------------------------------------------------


def test_the_calendar_file_is_the_applicant_s_only(client, setting):
    audition = schedule(setting)
    url = reverse("review:audition_ics", args=[setting["application"].pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/compte/login/" in anonymous["Location"]
    client.force_login(setting["applicant"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="audition.ics"' in response["Content-Disposition"]
    body = response.content.decode()
    assert f"UID:qmi-audition-{audition.event.pk}@" in body
    assert "SEQUENCE:0" in body and "Paris&Co" in body
    # Another organisation's member, guessing ids.
    stranger_file = complete_file(setting["call"])
    client.force_login(member_of(stranger_file.organisation))
    assert client.get(url).status_code == 404
    assert client.get(reverse("review:audition_ics", args=[stranger_file.pk])).status_code == 404
    # The applicant's own file without a slot.
    client.force_login(member_of(stranger_file.organisation))
    assert client.get(reverse("review:audition_ics", args=[stranger_file.pk])).status_code == 404


def test_the_applicant_confirms_and_staff_are_told(
    client, setting, django_capture_on_commit_callbacks
):
    audition = schedule(setting)
    client.force_login(setting["applicant"])
    page = client.get(reverse("calls:application", args=[setting["application"].pk]))
    text = html.unescape(page.content.decode())
    assert "Votre audition" in text and "14:30" in text and "audition.ics" in text
    assert "Je demande un autre créneau" in text
    url = reverse("review:audition_answer", args=[setting["application"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"answer": "confirm"}, follow=True)
    assert "Votre créneau d'audition est confirmé." in html.unescape(response.content.decode())
    audition.refresh_from_db()
    assert audition.status == Audition.Status.CONFIRMED
    told = Notification.objects.get(recipient=setting["staff"])
    assert "Audition confirmée" in told.subject
    assert told.url == reverse("review:auditions", args=[setting["call"].pk])


def test_asking_for_another_slot_needs_a_message(client, setting):
    audition = schedule(setting)
    client.force_login(setting["applicant"])
    url = reverse("review:audition_answer", args=[setting["application"].pk])
    refused = client.post(url, {"answer": "other", "message": " "}, follow=True)
    assert "Dites quels créneaux vous conviendraient" in html.unescape(refused.content.decode())
    audition.refresh_from_db()
    assert audition.status == Audition.Status.INVITED
    client.post(url, {"answer": "other", "message": "Le mardi matin plutôt."})
    audition.refresh_from_db()
    assert (audition.status, audition.answer) == (
        Audition.Status.OTHER_SLOT,
        "Le mardi matin plutôt.",
    )
    told = Notification.objects.get(recipient=setting["staff"])
    assert "Autre créneau demandé" in told.subject and "Le mardi matin plutôt." in told.body


def test_only_the_applicant_answers_and_only_before_the_slot(client, setting):
    audition = schedule(setting)
    for outsider in (setting["staff"], setting["jurors"][0].user):
        with pytest.raises(PermissionDenied):
            auditions.answer_audition(audition=audition, confirm=True, by=outsider)
    client.force_login(member_of(complete_file(setting["call"]).organisation))
    url = reverse("review:audition_answer", args=[setting["application"].pk])
    assert client.post(url, {"answer": "confirm"}).status_code == 404
    later = audition.event.starts_at + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        auditions.answer_audition(
            audition=audition, confirm=True, by=setting["applicant"], now=later
        )
    assert "passé" in error.value.messages[0]


def test_the_applicant_panel_costs_one_query_for_a_file_without_audition(
    rf, setting, django_assert_num_queries
):
    request = rf.get("/")
    request.user = setting["applicant"]
    with django_assert_num_queries(1):
        assert applicant_panel(request, setting["application"]) == ""
    shortlisted(setting)  # shortlisted, no slot yet: still nothing to show
    with django_assert_num_queries(1):
        assert applicant_panel(request, setting["application"]) == ""


# Cancelling, notes ------------------------------------------------------------------------


def test_cancelling_removes_the_event_and_tells_the_applicant(client, setting):
    audition = schedule(setting)
    event_pk = audition.event.pk
    auditions.cancel_audition(audition=audition, by=setting["staff"])
    audition.refresh_from_db()
    assert audition.status == Audition.Status.SHORTLISTED and audition.event is None
    assert not Event.objects.filter(pk=event_pk).exists()
    assert Notification.objects.filter(
        recipient=setting["applicant"], subject__contains="Audition annulée"
    ).exists()
    client.force_login(setting["applicant"])
    url = reverse("review:audition_ics", args=[setting["application"].pk])
    assert client.get(url).status_code == 404
    with pytest.raises(ValidationError):
        auditions.cancel_audition(audition=audition, by=setting["staff"])


def test_notes_by_staff_and_the_panel_only(client, setting):
    audition = schedule(setting, panel=setting["jurors"][:1])
    auditions.save_audition_notes(audition=audition, notes="Équipe solide.", by=setting["staff"])
    panelist = setting["jurors"][0].user
    client.force_login(panelist)
    url = reverse("review:audition_juror", args=[audition.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Équipe solide." in html.unescape(page.content.decode())
    review = Review.objects.get(
        assignment__phase=setting["grid"], assignment__juror=setting["jurors"][0]
    )
    assert reverse("review:review", args=[review.pk]) in page.content.decode()
    client.post(url, {"notes": "Démonstration convaincante."})
    audition.refresh_from_db()
    assert audition.notes == "Démonstration convaincante."
    off_panel = setting["jurors"][1].user
    with pytest.raises(PermissionDenied):
        auditions.save_audition_notes(audition=audition, notes="x", by=off_panel)
    client.force_login(off_panel)
    assert client.get(url).status_code == 404
    client.force_login(setting["applicant"])
    assert client.get(url).status_code == 404


# Staff pages -------------------------------------------------------------------------------


def test_the_staff_page_schedules_a_slot_and_keeps_a_refused_form(client, setting):
    audition = shortlisted(setting)
    client.force_login(setting["staff"])
    url = reverse("review:auditions", args=[setting["call"].pk])
    slot = in_days(10)
    data = {
        "audition": audition.pk,
        "date": slot.date().isoformat(),
        "time": "14:30",
        "duration": "45",
        "location": "",
        "link": "",
        "panel": [juror.pk for juror in setting["jurors"]],
        "phase": setting["grid"].pk,
    }
    refused = client.post(url, data)
    assert refused.status_code == 422
    page = html.unescape(refused.content.decode())
    assert "Indiquez un lieu ou un lien de visioconférence." in page
    assert 'value="45"' in page
    assert not Event.objects.exists()
    done = client.post(url, {**data, "link": "https://visio.example/qmi"}, follow=True)
    assert "est envoyé au candidat" in html.unescape(done.content.decode())
    audition.refresh_from_db()
    assert audition.event.starts_at == slot
    assert audition.event.link == "https://visio.example/qmi"


def test_staff_pages_are_404_for_others(client, setting):
    audition = shortlisted(setting)
    call = setting["call"]
    urls = [
        reverse("review:auditions", args=[call.pk]),
        reverse("review:audition_notes", args=[call.pk, audition.pk]),
        reverse("review:audition_remove", args=[call.pk, audition.pk]),
        reverse("review:audition_cancel", args=[call.pk, audition.pk]),
        reverse("review:shortlist_add", args=[call.pk]),
    ]
    for person in (setting["applicant"], setting["jurors"][0].user):
        client.force_login(person)
        for url in urls:
            assert client.post(url).status_code == 404, url
        assert client.get(urls[0]).status_code == 404
    assert Audition.objects.filter(pk=audition.pk).exists()


def test_the_auditions_page_query_count_does_not_grow(client, setting):
    call, staff = setting["call"], setting["staff"]
    schedule(setting)
    second = complete_file(call)
    auditions.shortlist(call=call, applications=[second], by=staff)
    client.force_login(staff)
    url = reverse("review:auditions", args=[call.pk])

    def grow():
        for number in range(18):
            application = complete_file(call)
            audition = auditions.shortlist(call=call, applications=[application], by=staff)[0]
            if number % 2:
                schedule(setting, audition, starts_at=in_days(10, hour=9, minute=number))

    result = assert_constant_queries(client, url, grow=grow)
    assert html.unescape(result.content.decode()).count("Enregistrer les notes") == 20
