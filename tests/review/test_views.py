"""The review pages as staff and jurors use them: who may, what bad input gets, query counts."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from qmi.accounts.models import Organisation
from qmi.calls.models import Application, Question
from qmi.portal.queries import landing_url_for
from qmi.review.models import Assignment, Conflict, Criterion, Juror, Phase, Review
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CriterionFactory,
    DocumentFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    ReviewPhaseFactory,
    UserFactory,
    add_question,
    review_of,
)
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db


def complete_file(call, **fields):
    return ApplicationFactory(
        call=call, status=Application.Status.COMPLETE, submitted_at=timezone.now(), **fields
    )


@pytest.fixture
def phase():
    call = CallFactory()
    add_question(call, "projet", Question.Kind.SHORT_TEXT, label="Nom du projet")
    phase = ReviewPhaseFactory(call=call)
    CriterionFactory(phase=phase, label="Pertinence", weight=2, scale_max=5)
    CriterionFactory(phase=phase, label="Équipe", weight=1, scale_max=5, required=False)
    return phase


@pytest.fixture
def review(phase):
    return review_of(phase, complete_file(phase.call, answers={"projet": "Bancs frais"}))


def scores(review, first, second="", action=None):
    criteria = list(review.assignment.phase.criteria.order_by("order"))
    data = {
        f"score-{criteria[0].pk}": first,
        f"score-{criteria[1].pk}": second,
        "comment": "Solide",
    }
    if action:
        data["action"] = action
    return data


# Staff ------------------------------------------------------------------------------


def test_staff_build_the_grid_and_bad_input_keeps_what_was_typed(staff_client, phase):
    url = reverse("review:criterion_add", args=[phase.call.pk, phase.pk])
    refused = staff_client.post(
        url,
        {
            "new-label": "Impact attendu",
            "new-weight": "lourd",
            "new-scale_min": "0",
            "new-scale_max": "5",
        },
    )
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "Le poids est un nombre" in page
    assert 'value="Impact attendu"' in page
    assert not Criterion.objects.filter(label="Impact attendu").exists()
    created = staff_client.post(
        url,
        {
            "new-label": "Impact attendu",
            "new-weight": "1,5",
            "new-scale_min": "0",
            "new-scale_max": "10",
            "new-level_labels": "0 = Nul\n10 = Remarquable",
            "new-required": "on",
        },
    )
    assert created.status_code == 302
    criterion = Criterion.objects.get(label="Impact attendu")
    assert criterion.level_labels == {"0": "Nul", "10": "Remarquable"}
    page = staff_client.get(
        reverse("review:phase", args=[phase.call.pk, phase.pk])
    ).content.decode()
    assert "Impact attendu" in page and "noté de 0 à 10" in page
    assert "Σ poids des critères notés" in page


def test_a_phase_opens_only_with_a_criterion_that_counts(staff_client):
    phase = ReviewPhaseFactory(status=Phase.Status.PREPARING)
    url = reverse("review:phase_move", args=[phase.call.pk, phase.pk])
    response = staff_client.post(url, {"status": "open"}, follow=True)
    assert "Ajoutez au moins un critère" in response.content.decode()
    phase.refresh_from_db()
    assert phase.status == Phase.Status.PREPARING
    CriterionFactory(phase=phase)
    staff_client.post(url, {"status": "open"})
    phase.refresh_from_db()
    assert phase.status == Phase.Status.OPEN


def test_staff_add_a_juror_by_address_and_assign(staff_client, phase):
    complete_file(phase.call)
    expert = UserFactory(email="experte@ademe.example")
    response = staff_client.post(
        reverse("review:juror_add", args=[phase.call.pk]),
        {"juror-email": "experte@ademe.example", "juror-kind": "expert", "juror-capacity": "5"},
    )
    assert response.status_code == 302
    unknown = staff_client.post(
        reverse("review:juror_add", args=[phase.call.pk]),
        {
            "juror-email": "personne@nulle-part.example",
            "juror-kind": "expert",
            "juror-capacity": "5",
        },
    )
    assert unknown.status_code == 422
    assert "Aucun compte actif" in unknown.content.decode()
    assert 'value="personne@nulle-part.example"' in unknown.content.decode()  # kept as typed
    page = staff_client.post(
        reverse("review:assign", args=[phase.call.pk, phase.pk]), {"objective": "fair"}, follow=True
    ).content.decode()
    assert "1 attribution ajoutée." in page
    assert Assignment.objects.get(phase=phase).juror.user == expert
    compared = staff_client.get(
        reverse("review:overview", args=[phase.call.pk]) + f"?comparer={phase.pk}"
    )
    assert "Dossier le moins bien servi" in compared.content.decode()


def test_the_overview_query_count_does_not_grow_with_the_jury(staff_client, phase):
    def grow():
        for _ in range(18):
            juror = JurorFactory(call=phase.call)
            review_of(phase, complete_file(phase.call), juror)

    JurorFactory(call=phase.call)
    assert_constant_queries(
        staff_client, reverse("review:overview", args=[phase.call.pk]), grow=grow
    )


def test_nobody_but_operator_staff_reaches_the_review_back_office(client, phase):
    url = reverse("review:overview", args=[phase.call.pk])
    for person in (UserFactory(), JurorFactory(call=phase.call).user):
        client.force_login(person)
        assert client.get(url).status_code == 404


# Jurors ------------------------------------------------------------------------------


def test_a_juror_sees_the_file_beside_the_grid(client, review):
    client.force_login(review.assignment.juror.user)
    queue = client.get(reverse("review:queue")).content.decode()
    assert "0 / 1 évaluations déposées" in queue
    assert reverse("review:review", args=[review.pk]) in queue
    page = client.get(reverse("review:review", args=[review.pk])).content.decode()
    assert "Nom du projet" in page and "Bancs frais" in page
    assert "Pertinence" in page and 'name="score-' in page and "Sans objet" in page


def test_each_change_is_kept_as_a_draft_and_a_bad_score_is_answered(client, review):
    client.force_login(review.assignment.juror.user)
    url = reverse("review:review", args=[review.pk])
    saved = client.post(url, scores(review, "4"), HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    assert "Brouillon enregistré" in saved.content.decode()
    assert "16,00 / 20" in saved.content.decode() or "16.00 / 20" in saved.content.decode()
    wrong = client.post(url, scores(review, "9"), HTTP_HX_REQUEST="true")
    assert wrong.status_code == 200  # htmx swaps only 2xx: the problem shows in the status
    assert 'role="alert"' in wrong.content.decode()
    assert "se note de 0 à 5" in wrong.content.decode()
    review.refresh_from_db()
    assert review.scores.get(criterion__label="Pertinence").value == 4


def test_submitting_without_a_required_score_keeps_what_was_typed(client, review):
    client.force_login(review.assignment.juror.user)
    url = reverse("review:review", args=[review.pk])
    response = client.post(url, scores(review, "", "3", action="submit"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Notez encore : Pertinence." in page
    assert 'value="3" checked' in page
    assert Review.objects.get(pk=review.pk).status == Review.Status.DRAFT
    done = client.post(url, scores(review, "5", "na", action="submit"))
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert str(review.total) == "20.00"


def test_save_and_next_goes_to_the_file_with_the_fewest_reviews(client, phase, review):
    juror = review.assignment.juror
    crowded = complete_file(phase.call)
    quiet = complete_file(phase.call)
    mine_crowded = review_of(phase, crowded, juror)
    mine_quiet = review_of(phase, quiet, juror)
    for _ in range(2):
        other = review_of(phase, crowded)
        Review.objects.filter(pk=other.pk).update(status=Review.Status.SUBMITTED)
    client.force_login(juror.user)
    response = client.post(
        reverse("review:review", args=[review.pk]), scores(review, "3", action="next")
    )
    assert response["Location"] == reverse("review:review", args=[mine_quiet.pk])
    assert mine_crowded.pk != mine_quiet.pk


def test_another_persons_review_is_404_whatever_their_role(client, review, staff):
    for person in (UserFactory(), staff, JurorFactory(call=review.assignment.phase.call).user):
        client.force_login(person)
        assert client.get(reverse("review:review", args=[review.pk])).status_code == 404
        assert (
            client.post(reverse("review:review", args=[review.pk]), scores(review, "1")).status_code
            == 404
        )
    assert not review.scores.exists()


def test_a_juror_reads_the_files_documents_and_only_those(client, review):
    application = review.assignment.application
    document = DocumentFactory(application=application, question_key="projet")
    elsewhere = DocumentFactory()
    client.force_login(review.assignment.juror.user)
    assert client.get(reverse("review:document", args=[review.pk, document.pk])).status_code == 200
    assert client.get(reverse("review:document", args=[review.pk, elsewhere.pk])).status_code == 404


def test_a_conflict_declared_on_the_page_takes_the_file_out_of_the_queue(client, review):
    juror = review.assignment.juror
    client.force_login(juror.user)
    refused = client.post(reverse("review:conflict", args=[review.pk]), {"reason": ""})
    assert refused.status_code == 422
    response = client.post(
        reverse("review:conflict", args=[review.pk]),
        {"reason": "J'ai conseillé cette équipe."},
        follow=True,
    )
    assert "Conflit d'intérêts noté" in html.unescape(response.content.decode())
    assert Conflict.objects.filter(juror=juror).exists()
    assert client.get(reverse("review:review", args=[review.pk])).status_code == 404


def test_the_queue_query_count_does_not_grow(client, phase, review):
    juror = review.assignment.juror

    def grow():
        for _ in range(19):
            review_of(phase, complete_file(phase.call), juror)

    client.force_login(juror.user)
    result = assert_constant_queries(client, reverse("review:queue"), grow=grow)
    assert "0 / 20 évaluations déposées" in result.content.decode()


def test_a_juror_from_the_applicants_organisation_never_sees_its_file(client, phase):
    organisation = OrganisationFactory()
    application = complete_file(phase.call, organisation=organisation)
    juror = JurorFactory(call=phase.call)
    MembershipFactory(user=juror.user, organisation=organisation)
    review = review_of(phase, application, juror)  # even if placed by mistake
    client.force_login(juror.user)
    assert client.get(reverse("review:review", args=[review.pk])).status_code == 404
    assert (
        reverse("review:review", args=[review.pk])
        not in client.get(reverse("review:queue")).content.decode()
    )


def test_an_expert_who_only_reviews_lands_on_the_queue_and_others_see_a_card(client, review):
    expert = review.assignment.juror.user
    MembershipFactory(user=expert, organisation=OrganisationFactory(kind=Organisation.Kind.PARTNER))
    assert landing_url_for(expert) == reverse("review:queue")
    agent = JurorFactory(call=review.assignment.phase.call).user
    MembershipFactory(
        user=agent, organisation=OrganisationFactory(kind=Organisation.Kind.EXPERIMENTER)
    )
    review_of(
        review.assignment.phase,
        complete_file(review.assignment.phase.call),
        Juror.objects.get(user=agent),
    )
    assert landing_url_for(agent) == reverse("portal:home")
    client.force_login(agent)
    home = client.get(reverse("portal:home")).content.decode()
    assert "Dossiers à évaluer" in home and "1 évaluation à rendre sur 1" in home


def test_staff_give_checked_files_to_a_juror_and_take_one_back(staff_client, phase):
    first, second = complete_file(phase.call), complete_file(phase.call)
    juror = JurorFactory(call=phase.call, capacity=5)
    url = reverse("review:assignments", args=[phase.call.pk, phase.pk])
    response = staff_client.post(
        url, {"juror": juror.pk, "applications": [first.pk, second.pk]}, follow=True
    )
    assert "2 dossiers attribués" in html.unescape(response.content.decode())
    assert Assignment.objects.filter(phase=phase, juror=juror).count() == 2
    assignment = Assignment.objects.get(phase=phase, juror=juror, application=first)
    staff_client.post(reverse("review:unassign", args=[phase.call.pk, phase.pk, assignment.pk]))
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    kept = Assignment.objects.get(phase=phase, juror=juror, application=second)
    Review.objects.filter(assignment=kept).update(status=Review.Status.SUBMITTED)
    refused = staff_client.post(
        reverse("review:unassign", args=[phase.call.pk, phase.pk, kept.pk]), follow=True
    )
    assert "Une évaluation déposée ne se retire pas." in html.unescape(refused.content.decode())
    assert Assignment.objects.filter(pk=kept.pk).exists()


def test_a_file_of_the_jurors_own_organisation_is_refused_by_name(staff_client, phase):
    organisation = OrganisationFactory()
    own = complete_file(phase.call, organisation=organisation)
    juror = JurorFactory(call=phase.call)
    MembershipFactory(user=juror.user, organisation=organisation)
    response = staff_client.post(
        reverse("review:assignments", args=[phase.call.pk, phase.pk]),
        {"juror": juror.pk, "applications": [own.pk]},
        follow=True,
    )
    page = html.unescape(response.content.decode())
    assert f"ne peut pas évaluer le dossier {own.reference} : conflit d'intérêts" in page
    assert not Assignment.objects.filter(juror=juror).exists()
    empty = staff_client.post(
        reverse("review:assignments", args=[phase.call.pk, phase.pk]),
        {"juror": juror.pk},
        follow=True,
    )
    assert "cochez au moins un dossier" in html.unescape(empty.content.decode())


def test_the_assignments_page_query_count_does_not_grow(staff_client, phase):
    juror = JurorFactory(call=phase.call, capacity=100)

    def grow():
        for _ in range(19):
            review_of(phase, complete_file(phase.call), juror)

    review_of(phase, complete_file(phase.call), juror)
    result = assert_constant_queries(
        staff_client, reverse("review:assignments", args=[phase.call.pk, phase.pk]), grow=grow
    )
    assert result.content.decode().count('name="applications"') == 20


def test_in_a_phase_open_to_all_files_a_juror_takes_up_any_file_but_their_own(client, phase):
    Phase.objects.filter(pk=phase.pk).update(scope=Phase.Scope.ALL)
    juror = JurorFactory(call=phase.call)
    own_organisation = OrganisationFactory()
    MembershipFactory(user=juror.user, organisation=own_organisation)
    free = complete_file(phase.call)
    own = complete_file(phase.call, organisation=own_organisation)
    client.force_login(juror.user)
    queue = client.get(reverse("review:queue")).content.decode()
    url = reverse("review:phase_files", args=[phase.pk])
    assert url in queue
    listing = client.get(url).content.decode()
    assert free.reference in listing and own.reference not in listing
    taken = client.post(url, {"file": free.pk})
    review = Review.objects.get(assignment__juror=juror, assignment__application=free)
    assert taken["Location"] == reverse("review:review", args=[review.pk])
    assert client.post(url, {"file": own.pk}).status_code == 302
    assert not Assignment.objects.filter(juror=juror, application=own).exists()
    assert client.post(url, {"file": "9" * 40}).status_code == 404


def test_a_phase_for_assigned_files_only_has_no_open_list(client, phase):
    juror = JurorFactory(call=phase.call)
    client.force_login(juror.user)
    assert client.get(reverse("review:phase_files", args=[phase.pk])).status_code == 404
    client.force_login(UserFactory())
    Phase.objects.filter(pk=phase.pk).update(scope=Phase.Scope.ALL)
    assert client.get(reverse("review:phase_files", args=[phase.pk])).status_code == 404
