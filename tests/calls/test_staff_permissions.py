"""Only operator staff reach the back office of calls: everyone else gets a 404."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from qmi.calls.models import Application, Document, FaqEntry
from qmi.events.models import Event
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CommuneFactory,
    MembershipFactory,
    commune_member,
    information_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls():
    call = CallFactory()
    application = ApplicationFactory(
        call=call, status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    session = information_session(
        call=call,
        title="Webinaire",
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    faq = FaqEntry.objects.create(call=call, question="Q ?", answer="R.")
    document = Document(
        application=application,
        question_key="lettre",
        name="lettre.pdf",
        content_type="application/pdf",
        size=8,
        sha256="d" * 64,
    )
    document.file.save("lettre.pdf", ContentFile(b"%PDF-1.4"), save=False)
    document.save()
    c, a = call.pk, application.pk
    return application, [
        ("get", "/gestion/appels/"),
        ("get", "/gestion/appels/nouveau/"),
        ("post", "/gestion/appels/nouveau/"),
        ("get", f"/gestion/appels/{c}/"),
        ("get", f"/gestion/appels/{c}/modifier/"),
        ("post", f"/gestion/appels/{c}/modifier/"),
        ("post", f"/gestion/appels/{c}/etat/"),
        ("get", f"/gestion/appels/{c}/reunions/nouvelle/"),
        ("get", f"/gestion/appels/{c}/reunions/{session.pk}/"),
        ("post", f"/gestion/appels/{c}/reunions/{session.pk}/supprimer/"),
        ("get", f"/gestion/appels/{c}/faq/nouvelle/"),
        ("get", f"/gestion/appels/{c}/faq/{faq.pk}/"),
        ("post", f"/gestion/appels/{c}/faq/{faq.pk}/supprimer/"),
        ("post", f"/gestion/appels/{c}/faq/{faq.pk}/publication/"),
        ("get", f"/gestion/appels/{c}/candidatures/"),
        ("get", f"/gestion/appels/{c}/candidatures/export.csv"),
        ("post", f"/gestion/appels/{c}/candidatures/colonnes/"),
        ("post", f"/gestion/appels/{c}/candidatures/action/"),
        ("get", f"/gestion/candidatures/{a}/"),
        ("get", f"/gestion/candidatures/{a}/documents/{document.pk}/apercu/"),
        ("post", f"/gestion/candidatures/{a}/decision/"),
    ]


def _check_all_404(client, urls, application):
    for method, url in urls:
        data = {"decision": "complete", "action": "complete", "selected": [application.pk]}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, (method, url, response.status_code)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert Event.objects.exists() and FaqEntry.objects.exists()


def test_commune_member_gets_404_everywhere(client, urls):
    application, paths = urls
    client.force_login(commune_member(CommuneFactory()))
    _check_all_404(client, paths, application)


def test_experimenter_of_the_application_gets_404_everywhere(client, urls):
    application, paths = urls
    member = MembershipFactory(organisation=application.organisation).user
    client.force_login(member)
    _check_all_404(client, paths, application)


def test_anonymous_is_sent_to_login(client, urls):
    _application, paths = urls
    for method, url in paths:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/compte/" in response["Location"], url


def test_staff_reaches_every_page(staff_client, urls):
    _application, paths = urls
    for method, url in paths:
        if method == "get":
            assert staff_client.get(url).status_code == 200, url
