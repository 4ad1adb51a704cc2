"""Labels of a call's applications and private notes: the services, their checks and audit."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

import qmi
from qmi.calls.models import LABEL_PALETTE, Application, ApplicationLabel, Label, StaffNote
from qmi.calls.services import labels
from qmi.core.audit import entries_for
from tests.factories import ApplicationFactory, CallFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db


def _luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_palette_colour_passes_wcag_aa_and_is_in_the_stylesheet():
    css = (Path(qmi.__file__).parent / "static/qmi/css/calls-labels.css").read_text()
    assert set(LABEL_PALETTE) == set(Label.Colour.values)
    for name, (background, text) in LABEL_PALETTE.items():
        lighter, darker = sorted((_luminance(background), _luminance(text)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, name
        assert f".qmi-label-{name} {{ background: {background}; color: {text}; }}" in css


def test_create_rename_delete_a_label_are_audited_on_the_call():
    call, staff = CallFactory(), staff_user()
    label = labels.create_label(call=call, by=staff, name=" À relire ", colour="red")
    assert (label.name, label.colour) == ("À relire", "red")
    labels.update_label(label=label, by=staff, name="Prioritaire", colour="green")
    label.refresh_from_db()
    assert (label.name, label.colour) == ("Prioritaire", "green")
    application = ApplicationFactory(call=call)
    labels.add_label(application=application, label=label, by=staff)
    labels.delete_label(label=label, by=staff)
    assert not Label.objects.exists() and not ApplicationLabel.objects.exists()
    notes = [entry.note for entry in entries_for(call).order_by("pk")]
    assert notes == [
        "Étiquette ajoutée : « À relire »",
        "Étiquette modifiée : « Prioritaire »",
        "Étiquette supprimée : « Prioritaire »",
    ]
    assert entries_for(call).get(action="updated").changes == {
        "name": ["À relire", "Prioritaire"],
        "colour": ["red", "green"],
    }
    assert all(entry.actor == staff for entry in entries_for(call))


def test_label_names_are_unique_per_call_case_insensitively_but_not_across_calls():
    call, staff = CallFactory(), staff_user()
    first = labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    with pytest.raises(ValidationError):
        labels.create_label(call=call, by=staff, name="jury", colour="red")
    with pytest.raises(ValidationError):
        labels.create_label(call=call, by=staff, name="  ", colour="red")
    labels.create_label(call=CallFactory(), by=staff, name="Jury", colour="red")
    # Renaming to its own name (only the colour changes) is fine.
    labels.update_label(label=first, by=staff, name="Jury", colour="pink")


def test_only_operator_staff_may_manage_labels_and_notes():
    call = CallFactory()
    application = ApplicationFactory(call=call)
    someone = UserFactory()
    with pytest.raises(PermissionDenied):
        labels.create_label(call=call, by=someone, name="X", colour="blue")
    label = labels.create_label(call=call, by=staff_user(), name="X", colour="blue")
    with pytest.raises(PermissionDenied):
        labels.add_label(application=application, label=label, by=someone)
    with pytest.raises(PermissionDenied):
        labels.add_note(application=application, by=someone, body="Hmm")


def test_add_and_remove_a_label_record_who_when_and_audit_once():
    call, staff = CallFactory(), staff_user()
    application = ApplicationFactory(call=call)
    label = labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    assert labels.add_label(application=application, label=label, by=staff) is True
    assert labels.add_label(application=application, label=label, by=staff) is False
    link = ApplicationLabel.objects.get()
    assert link.added_by == staff and link.added_at is not None
    assert labels.remove_label(application=application, label=label, by=staff) is True
    assert labels.remove_label(application=application, label=label, by=staff) is False
    entries = list(entries_for(application).order_by("pk"))
    assert [e.note for e in entries] == [
        "Étiquette ajoutée : « Jury »",
        "Étiquette retirée : « Jury »",
    ]
    assert entries[0].changes == {"labels": [[], ["Jury"]]}
    assert entries[1].changes == {"labels": [["Jury"], []]}


def test_a_label_of_another_call_cannot_be_put_on_an_application():
    staff = staff_user()
    application = ApplicationFactory()
    other = labels.create_label(call=CallFactory(), by=staff, name="Ailleurs", colour="blue")
    with pytest.raises(ValidationError):
        labels.add_label(application=application, label=other, by=staff)
    with pytest.raises(ValidationError):
        labels.bulk_add_label(
            call=application.call, application_ids=[application.pk], label=other, by=staff
        )


def test_bulk_add_labels_the_calls_applications_once_each_with_one_entry_each():
    call, staff = CallFactory(), staff_user()
    first = ApplicationFactory(call=call, reference="B-1")
    second = ApplicationFactory(call=call, reference="B-2")
    stranger = ApplicationFactory(reference="X-1")  # another call: ignored
    label = labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    labels.add_label(application=second, label=label, by=staff)
    done = labels.bulk_add_label(
        call=call, application_ids=[first.pk, second.pk, stranger.pk], label=label, by=staff
    )
    assert done == ["B-1"]
    assert set(label.applications.values_list("reference", flat=True)) == {"B-1", "B-2"}
    assert entries_for(first).get().note == "Étiquette ajoutée : « Jury »"
    assert entries_for(second).count() == 1
    assert not entries_for(stranger).exists()


def test_filter_by_label():
    call, staff = CallFactory(), staff_user()
    tagged = ApplicationFactory(call=call)
    ApplicationFactory(call=call)
    label = labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    labels.add_label(application=tagged, label=label, by=staff)
    queryset = Application.objects.filter(call=call)
    assert list(labels.filter_by_label(queryset, str(label.pk))) == [tagged]
    assert labels.filter_by_label(queryset, "").count() == 2
    assert labels.filter_by_label(queryset, "abc").count() == 2


def test_notes_are_added_audited_without_their_text_and_deleted_by_their_author_only():
    application, author, colleague = ApplicationFactory(), staff_user(), staff_user()
    note = labels.add_note(application=application, by=author, body="  Budget fragile.  ")
    assert (note.body, note.author) == ("Budget fragile.", author)
    with pytest.raises(ValidationError):
        labels.add_note(application=application, by=author, body="   ")
    with pytest.raises(PermissionDenied):
        labels.delete_note(note=note, by=colleague)
    labels.delete_note(note=note, by=author)
    assert not StaffNote.objects.exists()
    entries = list(entries_for(application).order_by("pk"))
    assert [e.note for e in entries] == ["Note privée ajoutée", "Note privée supprimée"]
    assert all("Budget" not in str(e.changes) for e in entries)
