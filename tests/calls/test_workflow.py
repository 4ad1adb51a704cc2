"""The application transition table and the services that move along it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmi.calls import queries
from qmi.calls.models import Application, Question
from qmi.calls.services import applications as services
from qmi.calls.services import examination, revisions
from qmi.core.models import AuditEntry
from qmi.core.workflow import TransitionNotAllowed, transition
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    UserFactory,
    add_question,
    staff_user,
)
from tests.utils import member_of

pytestmark = pytest.mark.django_db
Status = Application.Status


def test_table_allows_exactly_the_documented_moves():
    moves = {(m.source, m.target) for m in Application.workflow.transitions}
    assert moves == {
        (Status.DRAFT, Status.SUBMITTED),
        (Status.CORRECTION_REQUESTED, Status.SUBMITTED),
        (Status.SUBMITTED, Status.CORRECTION_REQUESTED),
        (Status.SUBMITTED, Status.COMPLETE),
        (Status.SUBMITTED, Status.INADMISSIBLE),
        (Status.DRAFT, Status.WITHDRAWN),
        (Status.SUBMITTED, Status.WITHDRAWN),
    }


@pytest.mark.parametrize(
    ("status", "target"),
    [
        (Status.DRAFT, Status.COMPLETE),
        (Status.COMPLETE, Status.SUBMITTED),
        (Status.INADMISSIBLE, Status.COMPLETE),
        (Status.WITHDRAWN, Status.SUBMITTED),
        (Status.CORRECTION_REQUESTED, Status.COMPLETE),
    ],
)
def test_moves_outside_the_table_are_refused(status, target):
    application = ApplicationFactory(
        status=status,
        submitted_at=datetime.datetime.now(datetime.UTC) if status != Status.DRAFT else None,
    )
    staff = staff_user()
    with pytest.raises(TransitionNotAllowed):
        transition(application, workflow=Application.workflow, target=target, by=staff)
    application.refresh_from_db()
    assert application.status == status


def test_examination_moves_are_staff_only():
    application = ApplicationFactory(
        status=Status.SUBMITTED, submitted_at=datetime.datetime.now(datetime.UTC)
    )
    with pytest.raises(PermissionDenied):
        examination.mark_complete(application=application, by=member_of(application.organisation))
    examination.mark_complete(application=application, by=staff_user())
    application.refresh_from_db()
    assert application.status == Status.COMPLETE


def test_withdrawal_is_the_applicants_not_the_staffs():
    application = ApplicationFactory()
    with pytest.raises(PermissionDenied):
        services.withdraw_application(application=application, by=staff_user())
    services.withdraw_application(application=application, by=member_of(application.organisation))
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_inadmissible_needs_a_reason():
    application = ApplicationFactory(
        status=Status.SUBMITTED, submitted_at=datetime.datetime.now(datetime.UTC)
    )
    with pytest.raises(TransitionNotAllowed):
        examination.mark_inadmissible(application=application, by=staff_user(), reason=" ")
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_autosave_saves_and_bumps_the_version():
    call = CallFactory()
    add_question(call, "nom-du-projet")
    application = ApplicationFactory(call=call)
    person = member_of(application.organisation)
    saved = services.autosave(
        application=application, by=person, base_version=0, changes={"nom-du-projet": "Rue Fraîche"}
    )
    assert saved.version == 1
    assert saved.answers == {"nom-du-projet": "Rue Fraîche"}
    assert saved.answers_meta["nom-du-projet"]["by"] == person.pk


def test_autosave_from_a_stale_page_never_overwrites_a_newer_answer():
    call = CallFactory()
    add_question(call, "motivations", Question.Kind.LONG_TEXT)
    application = ApplicationFactory(call=call)
    alice, bob = member_of(application.organisation), member_of(application.organisation)
    services.autosave(
        application=application, by=alice, base_version=0, changes={"motivations": "A"}
    )
    with pytest.raises(services.Conflict) as conflict:
        services.autosave(
            application=application, by=bob, base_version=0, changes={"motivations": "B"}
        )
    assert conflict.value.fields["motivations"]["value"] == "A"
    assert conflict.value.version == 1
    application.refresh_from_db()
    assert application.answers["motivations"] == "A"
    # Bob, having seen version 1, may now keep his text.
    services.autosave(application=application, by=bob, base_version=1, changes={"motivations": "B"})
    application.refresh_from_db()
    assert application.answers["motivations"] == "B"


def test_autosave_by_colleagues_on_different_questions_both_land():
    call = CallFactory()
    add_question(call, "titre")
    add_question(call, "budget", Question.Kind.NUMBER)
    application = ApplicationFactory(call=call)
    alice, bob = member_of(application.organisation), member_of(application.organisation)
    services.autosave(application=application, by=alice, base_version=0, changes={"titre": "T"})
    services.autosave(application=application, by=bob, base_version=0, changes={"budget": "12000"})
    application.refresh_from_db()
    assert application.answers == {"titre": "T", "budget": "12000"}


def test_autosave_ignores_keys_that_are_not_questions_of_the_form():
    call = CallFactory()
    add_question(call, "titre")
    application = ApplicationFactory(call=call)
    services.autosave(
        application=application,
        by=member_of(application.organisation),
        base_version=0,
        changes={"status": "complete", "titre": "T"},
    )
    application.refresh_from_db()
    assert application.answers == {"titre": "T"}
    assert application.status == Status.DRAFT


def test_autosave_is_refused_to_outsiders_and_after_submission():
    call = CallFactory()
    add_question(call, "titre")
    application = ApplicationFactory(call=call)
    with pytest.raises(PermissionDenied):
        services.autosave(
            application=application, by=UserFactory(), base_version=0, changes={"titre": "x"}
        )
    Application.objects.filter(pk=application.pk).update(
        status=Status.SUBMITTED, submitted_at=datetime.datetime.now(datetime.UTC)
    )
    with pytest.raises(PermissionDenied):
        services.autosave(
            application=application,
            by=member_of(application.organisation),
            base_version=0,
            changes={"titre": "x"},
        )


def test_checklist_lists_missing_required_and_malformed_answers_in_form_order():
    call = CallFactory()
    add_question(call, "titre")
    add_question(call, "email", Question.Kind.EMAIL)
    add_question(call, "remarques", Question.Kind.LONG_TEXT, required=False)
    add_question(call, "lettre", Question.Kind.DOCUMENT)
    application = ApplicationFactory(call=call, answers={"email": "pas-une-adresse"})
    items = services.checklist(application)
    assert [item["question"].key for item in items] == ["titre", "email", "lettre"]
    assert "e-mail" in items[1]["problems"][0]


def test_conditional_question_counts_only_when_its_condition_holds():
    call = CallFactory()
    add_question(call, "deja-commercialise", Question.Kind.YES_NO)
    add_question(
        call,
        "clients",
        Question.Kind.LONG_TEXT,
        condition_key="deja-commercialise",
        condition_value="yes",
    )
    application = ApplicationFactory(call=call, answers={"deja-commercialise": "no"})
    assert services.checklist(application) == []
    application.answers = {"deja-commercialise": "yes"}
    assert [i["question"].key for i in services.checklist(application)] == ["clients"]


def test_publishing_a_revision_moves_drafts_and_keeps_answers_by_key():
    call = CallFactory()
    add_question(call, "titre")
    draft = ApplicationFactory(call=call, answers={"titre": "Gardé"})
    submitted = ApplicationFactory(
        call=call, status=Status.SUBMITTED, submitted_at=datetime.datetime.now(datetime.UTC)
    )
    old_revision = call.current_revision
    staff = staff_user()
    new_revision = revisions.editable_revision(call)
    assert new_revision.number == 2
    assert queries.questions_of(new_revision)[0].key == "titre"
    revisions.publish_revision(revision=new_revision, by=staff)
    draft.refresh_from_db()
    submitted.refresh_from_db()
    assert draft.revision == new_revision
    assert draft.answers == {"titre": "Gardé"}
    assert submitted.revision == old_revision
    assert AuditEntry.objects.filter(action="form_published").exists()


def test_start_application_checks_eligibility_and_returns_the_existing_draft():
    call = CallFactory(eligible_kinds=["commune"])
    membership = MembershipFactory()
    with pytest.raises(ValidationError):
        services.start_application(
            call=call, organisation=membership.organisation, by=membership.user
        )
    call.eligible_kinds = ["experimenter"]
    call.save()
    first, created = services.start_application(
        call=call, organisation=membership.organisation, by=membership.user
    )
    again, created_again = services.start_application(
        call=call, organisation=membership.organisation, by=membership.user
    )
    assert created and not created_again
    assert first == again
    assert first.reference == f"{call.reference_prefix}-0001"


def test_start_application_requires_membership():
    call = CallFactory(eligible_kinds=["experimenter"])
    membership = MembershipFactory()
    with pytest.raises(PermissionDenied):
        services.start_application(
            call=call, organisation=membership.organisation, by=UserFactory()
        )


def test_autosave_never_overwrites_an_answer_the_page_had_not_reloaded():
    """Alice saved another question (her page's version moved on) but still shows Q empty."""
    call = CallFactory()
    add_question(call, "q")
    add_question(call, "p")
    application = ApplicationFactory(call=call)
    alice, bob = member_of(application.organisation), member_of(application.organisation)
    services.autosave(application=application, by=bob, base_version=0, changes={"q": "Bob"})
    saved = services.autosave(
        application=application, by=alice, base_version=0, changes={"p": "x"}, originals={"p": ""}
    )
    with pytest.raises(services.Conflict) as conflict:
        services.autosave(
            application=application,
            by=alice,
            base_version=saved.version,
            changes={"q": "Alice"},
            originals={"q": ""},
        )
    assert conflict.value.fields["q"]["value"] == "Bob"
    application.refresh_from_db()
    assert application.answers["q"] == "Bob"


def test_autosave_with_originals_treats_empty_values_alike():
    call = CallFactory()
    add_question(call, "q")
    application = ApplicationFactory(call=call)
    services.autosave(
        application=application,
        by=member_of(application.organisation),
        base_version=0,
        changes={"q": "x"},
        originals={"q": ""},
    )
    application.refresh_from_db()
    assert application.answers["q"] == "x"


def test_autosave_answers_returns_the_conflict_and_saves_nothing():
    call = CallFactory()
    add_question(call, "q")
    application = ApplicationFactory(call=call)
    alice, bob = member_of(application.organisation), member_of(application.organisation)
    services.autosave(application=application, by=bob, base_version=0, changes={"q": "Bob"})
    result = services.autosave_answers(
        application=application, by=alice, changes={"q": "Alice"}, shown={"q": ""}, base_version=0
    )
    assert not result.saved
    assert result.conflict.fields["q"]["value"] == "Bob"
    assert result.shown == {"q": ""}
    assert result.others == []
    application.refresh_from_db()
    assert application.answers["q"] == "Bob"


def test_autosave_answers_keep_mine_overrides_changes_seen_at_the_base_version():
    call = CallFactory()
    add_question(call, "q")
    application = ApplicationFactory(call=call)
    alice, bob = member_of(application.organisation), member_of(application.organisation)
    services.autosave(application=application, by=bob, base_version=0, changes={"q": "Bob"})
    # Alice's page still shows "" but she saw Bob's version 1 in the conflict and keeps hers.
    result = services.autosave_answers(
        application=application,
        by=alice,
        changes={"q": "Alice"},
        shown={"q": ""},
        base_version=1,
        keep_mine=True,
    )
    assert result.saved
    assert result.application.answers["q"] == "Alice"
    assert result.shown == {"q": "Alice"}


def test_autosave_answers_reports_what_colleagues_changed_meanwhile():
    call = CallFactory()
    add_question(call, "mine")
    add_question(call, "theirs")
    add_question(call, "same")
    application = ApplicationFactory(call=call)
    alice, bob = member_of(application.organisation), member_of(application.organisation)
    services.autosave(
        application=application, by=bob, base_version=0, changes={"theirs": "B", "same": "S"}
    )
    result = services.autosave_answers(
        application=application,
        by=alice,
        changes={"mine": "A"},
        # Alice's page shows Bob's "same" already, not his "theirs"; "gone" is no question.
        shown={"mine": "", "theirs": "", "same": "S", "gone": "?"},
        base_version=0,
    )
    assert result.saved
    assert result.shown == {"mine": "A", "theirs": "", "same": "S", "gone": "?"}
    assert [question.key for question in result.others] == ["theirs"]


def test_changed_by_others_ignores_ones_own_changes_and_older_versions():
    call = CallFactory()
    add_question(call, "q")
    application = ApplicationFactory(call=call)
    alice = member_of(application.organisation)
    saved = services.autosave(application=application, by=alice, base_version=0, changes={"q": "A"})
    shown = {"q": ""}
    assert services.changed_by_others(saved, by=alice, base_version=0, shown=shown) == []
    bob = member_of(application.organisation)
    assert services.changed_by_others(saved, by=bob, base_version=1, shown=shown) == []
    assert [
        q.key for q in services.changed_by_others(saved, by=bob, base_version=0, shown=shown)
    ] == ["q"]


def test_autosave_from_a_copy_read_before_a_colleague_saved_keeps_their_answer():
    """The save is written only on the version it was checked on; otherwise checked again."""
    call = CallFactory()
    add_question(call, "titre")
    add_question(call, "budget", Question.Kind.NUMBER)
    application = ApplicationFactory(call=call)
    alice, bob = member_of(application.organisation), member_of(application.organisation)
    read_by_bob = Application.objects.get(pk=application.pk)  # his request read it first
    services.autosave(application=application, by=alice, base_version=0, changes={"titre": "A"})
    saved = services.autosave(
        application=read_by_bob, by=bob, base_version=0, changes={"budget": "12000"}
    )
    assert saved.version == 2
    application.refresh_from_db()
    assert application.answers == {"titre": "A", "budget": "12000"}
    assert application.version == 2


def test_autosave_from_a_copy_read_before_a_colleague_saved_the_same_answer_conflicts():
    call = CallFactory()
    add_question(call, "titre")
    application = ApplicationFactory(call=call)
    alice, bob = member_of(application.organisation), member_of(application.organisation)
    read_by_bob = Application.objects.get(pk=application.pk)
    services.autosave(application=application, by=alice, base_version=0, changes={"titre": "A"})
    with pytest.raises(services.Conflict) as conflict:
        services.autosave(
            application=read_by_bob,
            by=bob,
            base_version=0,
            changes={"titre": "B"},
            originals={"titre": ""},
        )
    assert conflict.value.fields["titre"]["value"] == "A"
    application.refresh_from_db()
    assert application.answers == {"titre": "A"}


def test_autosave_from_a_copy_read_before_submission_is_refused_and_writes_nothing():
    call = CallFactory()
    add_question(call, "titre")
    application = ApplicationFactory(call=call)
    read_before = Application.objects.get(pk=application.pk)
    Application.objects.filter(pk=application.pk).update(
        status=Status.SUBMITTED, submitted_at=datetime.datetime.now(datetime.UTC)
    )
    with pytest.raises(PermissionDenied):
        services.autosave(
            application=read_before,
            by=member_of(application.organisation),
            base_version=0,
            changes={"titre": "x"},
        )
    application.refresh_from_db()
    assert application.answers == {}
    assert application.version == 0
