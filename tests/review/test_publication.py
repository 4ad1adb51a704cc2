"""Publishing a call's decisions: once, all together, letters held, outcomes carried on."""

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qmi.accounts.models import Organisation
from qmi.calls.models import Application, Call
from qmi.core.models import AuditEntry
from qmi.mail.models import Notification, OutgoingEmail
from qmi.programmes.models import EditionCommune, TrainingEligibility
from qmi.review.models import Decision, LetterTemplate, Phase, Publication
from qmi.review.services import decisions, grid, publication, scores
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CommuneFactory,
    CriterionFactory,
    EditionCommuneFactory,
    JurorFactory,
    OrganisationFactory,
    ReviewPhaseFactory,
    UserFactory,
    metropolis_user,
    review_of,
    staff_user,
)
from tests.utils import count_queries, member_of, pdf_text

pytestmark = pytest.mark.django_db


def complete_file(call, organisation=None, **fields):
    return ApplicationFactory(
        call=call,
        status=Application.Status.COMPLETE,
        submitted_at=timezone.now(),
        **({"organisation": organisation} if organisation else {}),
        **fields,
    )


def commune_file(call, name):
    organisation = OrganisationFactory(
        name=f"Ville de {name}",
        kind=Organisation.Kind.COMMUNE,
        commune=CommuneFactory(name=name),
    )
    return complete_file(call, organisation)


def stage(application, outcome, by, rationale="Motivé."):
    return decisions.stage_decision(
        application=application, outcome=outcome, rationale=rationale, by=by
    )


@pytest.fixture
def projects_call():
    return CallFactory(kind=Call.Kind.PROJECTS)


def test_publishing_applies_every_decision_at_once_and_holds_the_letters(projects_call):
    operator = staff_user()
    chosen = complete_file(projects_call)
    refused = complete_file(projects_call)
    members = [member_of(chosen.organisation), member_of(chosen.organisation)]
    member_of(refused.organisation)
    stage(chosen, "selected", operator, rationale="Équipe solide.")
    stage(refused, "not_selected", operator)
    phase = ReviewPhaseFactory(call=projects_call, status=Phase.Status.OPEN)

    done = publication.publish_decisions(call=projects_call, by=operator)

    assert done.published_by == operator
    assert set(Decision.objects.values_list("published_at", flat=True)) == {done.published_at}
    phase.refresh_from_db()
    assert phase.status == Phase.Status.CLOSED
    letter = Decision.objects.get(application=chosen)
    assert chosen.reference in letter.letter_body
    assert chosen.organisation.name in letter.letter_body
    assert "est retenu" in letter.letter_body
    # One e-mail per member, all held until staff read them; the notifications are there.
    held = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.HELD)
    assert held.count() == 3
    assert {e.to for e in held if e.subject == letter.letter_subject} == {m.email for m in members}
    assert Notification.objects.filter(recipient=members[0]).exists()
    entry = AuditEntry.objects.get(action="decisions_published")
    assert entry.changes["Retenu"] == [None, 1]


def test_publishing_twice_is_refused(projects_call):
    operator = staff_user()
    stage(complete_file(projects_call), "selected", operator)
    publication.publish_decisions(call=projects_call, by=operator)
    with pytest.raises(ValidationError) as error:
        publication.publish_decisions(call=projects_call, by=operator)
    assert "déjà publiées" in error.value.messages[0]
    assert Publication.objects.count() == 1
    assert OutgoingEmail.objects.count() == 0  # the file's organisation has no member


def test_every_complete_file_needs_a_decision_before_publishing(projects_call):
    operator = staff_user()
    stage(complete_file(projects_call), "selected", operator)
    forgotten = complete_file(projects_call)
    with pytest.raises(ValidationError) as error:
        publication.publish_decisions(call=projects_call, by=operator)
    assert (
        f"1 dossier complet n'a pas encore de décision : {forgotten.reference}"
        in (error.value.messages[0])
    )
    assert not Publication.objects.exists()
    assert not Decision.objects.filter(published_at__isnull=False).exists()


def test_a_call_without_complete_file_has_nothing_to_publish(projects_call):
    with pytest.raises(ValidationError) as error:
        publication.publish_decisions(call=projects_call, by=staff_user())
    assert "aucun dossier complet" in error.value.messages[0]


def test_who_publishes_depends_on_the_call(projects_call):
    ami = CallFactory(kind=Call.Kind.EXPRESSION_OF_INTEREST)
    operator, metropolis = staff_user(), metropolis_user()
    stage(complete_file(ami), "selected", operator)
    stage(complete_file(projects_call), "selected", operator)
    for outsider in (operator, UserFactory()):
        with pytest.raises(PermissionDenied):
            publication.publish_decisions(call=ami, by=outsider)
    for outsider in (metropolis, UserFactory()):
        with pytest.raises(PermissionDenied):
            publication.publish_decisions(call=projects_call, by=outsider)
    publication.publish_decisions(call=ami, by=metropolis)
    publication.publish_decisions(call=projects_call, by=operator)
    assert Publication.objects.count() == 2


def test_the_amis_outcomes_feed_the_edition_and_the_training():
    ami = CallFactory(kind=Call.Kind.EXPRESSION_OF_INTEREST)
    metropolis = metropolis_user()
    chosen = commune_file(ami, "Argenteuil")
    waiting = commune_file(ami, "Sceaux")
    refused = commune_file(ami, "Bagneux")
    already = commune_file(ami, "Montreuil")
    EditionCommuneFactory(edition=ami.edition, commune=already.organisation.commune)
    mayor = member_of(chosen.organisation)
    stage(chosen, "selected", metropolis)
    stage(waiting, "waiting_list", metropolis)
    stage(refused, "not_selected", metropolis)
    stage(already, "selected", metropolis)
    # Inadmissible files were not complete: they get no decision and no training.
    ApplicationFactory(
        call=ami, status=Application.Status.INADMISSIBLE, submitted_at=timezone.now()
    )

    publication.publish_decisions(call=ami, by=metropolis)

    in_edition = set(
        EditionCommune.objects.filter(edition=ami.edition).values_list("commune__name", flat=True)
    )
    assert in_edition == {"Argenteuil", "Montreuil"}
    trained = dict(
        TrainingEligibility.objects.filter(edition=ami.edition).values_list(
            "commune__name", "selected"
        )
    )
    assert trained == {"Argenteuil": True, "Sceaux": False, "Bagneux": False, "Montreuil": True}
    email = OutgoingEmail.objects.get(to=mayor.email)
    workspace = EditionCommune.objects.get(edition=ami.edition, commune__name="Argenteuil")
    assert reverse("programmes:workspace", args=[workspace.pk]) in email.body
    assert "formation" in email.body


def test_the_projects_laureates_are_the_selected_files(projects_call, client):
    operator = staff_user()
    chosen = complete_file(projects_call)
    refused = complete_file(projects_call)
    stage(chosen, "selected", operator)
    stage(refused, "not_selected", operator)
    page = html.unescape(client.get(projects_call.get_absolute_url()).content.decode())
    assert "Lauréats" not in page and chosen.organisation.name not in page

    publication.publish_decisions(call=projects_call, by=operator)

    page = html.unescape(client.get(projects_call.get_absolute_url()).content.decode())
    assert "Lauréats" in page
    assert chosen.organisation.name in page
    assert refused.organisation.name not in page


def test_scores_and_phases_are_locked_once_published(projects_call):
    operator = staff_user()
    phase = ReviewPhaseFactory(call=projects_call, status=Phase.Status.OPEN)
    criterion = CriterionFactory(phase=phase)
    application = complete_file(projects_call)
    juror = JurorFactory(call=projects_call)
    review = review_of(phase, application, juror)
    stage(application, "selected", operator)
    publication.publish_decisions(call=projects_call, by=operator)
    posted = {str(criterion.pk): {"value": "3", "comment": ""}}
    with pytest.raises(ValidationError) as error:
        scores.save_review(review=review, scores=posted, by=juror.user)
    assert "pas ouverte" in error.value.messages[0]
    # Even with its phase forced open again, a published file's scores do not move.
    Phase.objects.filter(pk=phase.pk).update(status=Phase.Status.OPEN)
    with pytest.raises(ValidationError) as error:
        scores.save_review(review=review, scores=posted, by=juror.user)
    assert "décision sur ce dossier est publiée" in error.value.messages[0]
    Phase.objects.filter(pk=phase.pk).update(status=Phase.Status.CLOSED)
    with pytest.raises(ValidationError) as error:
        grid.move_phase(phase=phase, status=Phase.Status.OPEN, by=operator)
    assert "ne rouvrent plus" in error.value.messages[0]
    with pytest.raises(ValidationError):
        stage(application, "not_selected", operator)


def test_letter_templates_use_known_placeholders_only(projects_call):
    operator = staff_user()
    with pytest.raises(ValidationError) as error:
        publication.save_letter_template(
            call=projects_call,
            outcome="selected",
            subject="Bravo [organisation]",
            body="Cher [nom du maire], votre dossier [dossier]…",
            by=operator,
        )
    assert "[nom du maire]" in error.value.message_dict["body"][0]
    with pytest.raises(ValidationError) as error:
        publication.save_letter_template(
            call=projects_call, outcome="selected", subject="", body="", by=operator
        )
    assert set(error.value.message_dict) == {"subject", "body"}
    publication.save_letter_template(
        call=projects_call,
        outcome="selected",
        subject="Lauréat : [organisation]",
        body="Le dossier [dossier] est retenu.\n\nMotif : [motivation]",
        by=operator,
    )
    application = complete_file(projects_call)
    stage(application, "selected", operator, rationale="Impact fort.")
    publication.publish_decisions(call=projects_call, by=operator)
    decision = Decision.objects.get()
    assert decision.letter_subject == f"Lauréat : {application.organisation.name}"
    assert decision.letter_body == (
        f"Le dossier {application.reference} est retenu.\n\nMotif : Impact fort."
    )
    # The text is frozen: a later change of the template cannot happen, nor change it.
    with pytest.raises(ValidationError):
        publication.save_letter_template(
            call=projects_call, outcome="selected", subject="x", body="y", by=operator
        )
    assert LetterTemplate.objects.get().subject == "Lauréat : [organisation]"


def test_the_applicant_sees_the_decision_and_downloads_the_letter(projects_call, client):
    operator = staff_user()
    application = complete_file(projects_call)
    member = member_of(application.organisation)
    stage(application, "waiting_list", operator)
    client.force_login(member)
    page_url = reverse("calls:application", args=[application.pk])
    letter_url = reverse("review:letter", args=[application.pk])
    assert "Décision" not in html.unescape(client.get(page_url).content.decode()).split("<h2")[-1]
    assert client.get(letter_url).status_code == 404  # staged is not published

    publication.publish_decisions(call=projects_call, by=operator)

    page = html.unescape(client.get(page_url).content.decode())
    assert "Liste d'attente" in page and letter_url in page
    response = client.get(letter_url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert application.reference in text and "liste d'attente" in text
    # Another organisation guessing the id gets nothing; anonymous visitors log in first.
    client.force_login(UserFactory())
    assert client.get(letter_url).status_code == 404
    client.logout()
    assert client.get(letter_url).status_code == 302


def test_staff_publish_from_the_page_then_send_the_held_emails(projects_call, staff_client):
    operator = staff_user()
    application = complete_file(projects_call)
    member_of(application.organisation)
    stage(application, "selected", operator)
    decisions_url = reverse("review:decisions", args=[projects_call.pk])
    unconfirmed = staff_client.post(reverse("review:publish", args=[projects_call.pk]), follow=True)
    assert "Cochez la case de confirmation" in html.unescape(unconfirmed.content.decode())
    assert not Publication.objects.exists()
    published = staff_client.post(
        reverse("review:publish", args=[projects_call.pk]), {"confirm": "yes"}, follow=True
    )
    page = html.unescape(published.content.decode())
    assert "Les décisions sont publiées" in page
    assert "Envoyer le courriel en attente" in page
    again = staff_client.post(
        reverse("review:publish", args=[projects_call.pk]), {"confirm": "yes"}, follow=True
    )
    assert "déjà publiées" in html.unescape(again.content.decode())
    assert "Publier les décisions" not in staff_client.get(decisions_url).content.decode()

    sent = staff_client.post(reverse("review:outbox", args=[projects_call.pk]), follow=True)
    assert "1 courriel part." in html.unescape(sent.content.decode())
    assert not OutgoingEmail.objects.filter(status=OutgoingEmail.Status.HELD).exists()
    assert AuditEntry.objects.filter(object_id=str(OutgoingEmail.objects.get().pk)).exists()


def test_the_metropolis_reads_but_does_not_publish_the_call_for_projects(projects_call, client):
    operator = staff_user()
    stage(complete_file(projects_call), "selected", operator)
    client.force_login(metropolis_user())
    page = html.unescape(
        client.get(reverse("review:decisions", args=[projects_call.pk])).content.decode()
    )
    assert "publiées par l'opérateur" in page
    refused = client.post(reverse("review:publish", args=[projects_call.pk]), {"confirm": "yes"})
    assert refused.status_code == 403
    assert not Publication.objects.exists()
    letters_url = reverse("review:letters", args=[projects_call.pk])
    assert client.get(letters_url).status_code == 200
    refused = client.post(letters_url, {"outcome": "selected", "subject": "x", "body": "y"})
    assert refused.status_code == 403


def test_a_refused_letter_keeps_what_was_typed(projects_call, staff_client):
    url = reverse("review:letters", args=[projects_call.pk])
    refused = staff_client.post(
        url, {"outcome": "not_selected", "subject": "Réponse", "body": "Hélas [inconnu]."}
    )
    assert refused.status_code == 422
    page = html.unescape(refused.content.decode())
    assert "Champ inconnu : [inconnu]" in page and "Hélas [inconnu]." in page
    assert not LetterTemplate.objects.exists()


def test_the_outbox_page_query_count_does_not_grow(staff_client):
    operator = staff_user()

    def published_call(files):
        call = CallFactory(kind=Call.Kind.PROJECTS)
        for _ in range(files):
            application = complete_file(call)
            member_of(application.organisation)
            stage(application, "selected", operator)
        publication.publish_decisions(call=call, by=operator)
        return reverse("review:outbox", args=[call.pk])

    one = count_queries(staff_client, published_call(1))
    twenty = count_queries(staff_client, published_call(20))
    assert one.queries == twenty.queries
    assert html.unescape(twenty.content.decode()).count("<details>") == 20


def test_the_edition_page_lists_the_communes_eligible_for_the_training(staff_client):
    ami = CallFactory(kind=Call.Kind.EXPRESSION_OF_INTEREST)
    metropolis = metropolis_user()
    url = reverse("programmes:edition", args=[ami.edition.pk])
    assert "à la publication des décisions de l'AMI" in html.unescape(
        staff_client.get(url).content.decode()
    )
    stage(commune_file(ami, "Clichy"), "not_selected", metropolis)
    stage(commune_file(ami, "Vanves"), "selected", metropolis)
    publication.publish_decisions(call=ami, by=metropolis)
    page = html.unescape(staff_client.get(url).content.decode())
    training = page.split('id="training-title"')[1]
    assert "2 communes au dossier d'AMI complet" in training
    assert "Clichy" in training and "Vanves" in training


def test_a_nul_character_is_refused_with_a_message(projects_call):
    with pytest.raises(ValidationError) as error:
        publication.save_letter_template(
            call=projects_call, outcome="selected", subject="Oui\x00", body="x", by=staff_user()
        )
    assert "caractère invisible" in error.value.message_dict["subject"][0]
    assert not LetterTemplate.objects.exists()
