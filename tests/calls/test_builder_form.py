"""The form builder: sections, questions, their checks and their order, on the editable revision."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from qmi.calls.models import FormRevision, Question, Section
from qmi.calls.queries import questions_of
from tests.factories import CallFactory, add_question

pytestmark = pytest.mark.django_db

URL = "/gestion/appels/{pk}/formulaire/"


def tiny_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def question_data(**overrides):
    data = {"kind": "short_text", "label": "Nom du projet", "key": "", "required": "on"}
    data.update(overrides)
    return data


def draft_of(call):
    return call.revisions.get(published_at__isnull=True)


def test_builder_add_section_creates_it_in_a_new_draft_revision(staff_client):
    call = CallFactory()
    published = call.current_revision
    response = staff_client.post(
        URL.format(pk=call.pk) + "sections/nouvelle/",
        {"title": "La commune", "description": "Qui porte la candidature."},
    )
    assert response.status_code == 302
    draft = draft_of(call)
    assert draft.number == published.number + 1
    assert list(draft.sections.values_list("title", "description")) == [
        ("La commune", "Qui porte la candidature.")
    ]
    assert not published.sections.exists()


def test_builder_add_section_without_title_shows_message_and_saves_nothing(staff_client):
    call = CallFactory()
    response = staff_client.post(URL.format(pk=call.pk) + "sections/nouvelle/", {"title": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not Section.objects.filter(revision__call=call).exists()
    assert call.revisions.count() == 1


def test_builder_add_question_suggests_key_from_label(staff_client):
    call = CallFactory()
    add_question(call, "existing")
    section = call.current_revision.sections.get()
    response = staff_client.post(
        URL.format(pk=call.pk) + f"sections/{section.pk}/questions/nouvelle/",
        question_data(label="Nom de l'élu référent", kind="long_text", max_chars="3000"),
    )
    assert response.status_code == 302
    question = Question.objects.get(section__revision=draft_of(call), label="Nom de l'élu référent")
    assert question.key == "nom-de-lelu-referent"
    assert question.config == {"max_chars": 3000}
    assert question.required is True
    # The published revision keeps its single question.
    assert [q.key for q in questions_of(call.current_revision)] == ["existing"]


def test_builder_add_question_keeps_only_settings_of_its_kind(staff_client):
    call = CallFactory()
    section = add_question(call, "a").section
    staff_client.post(
        URL.format(pk=call.pk) + f"sections/{section.pk}/questions/nouvelle/",
        question_data(
            kind="document",
            key="lettre-maire",
            label="Lettre du maire",
            accepted=["pdf", "text"],
            max_size_mb="5",
            multiple="on",
            max_chars="3000",
            choices="a\nb",
        ),
    )
    question = Question.objects.get(section__revision=draft_of(call), key="lettre-maire")
    assert question.config == {"accepted": ["pdf", "text"], "max_size_mb": 5, "multiple": True}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"key": "existing"}, "key", "déjà utilisée par une autre question"),
        ({"key": "Pas Une Clé"}, "key", "lettres minuscules sans accent"),
        ({"kind": "single_choice", "choices": ""}, "choices", "Indiquez les réponses possibles"),
        ({"kind": "single_choice", "choices": "Oui"}, "choices", "au moins deux réponses"),
        ({"kind": "multiple_choice", "choices": "a\nb\na"}, "choices", "apparaît deux fois"),
        (
            {"kind": "number", "min": "10", "max": "2"},
            "max",
            "doit être supérieur ou égal au minimum",
        ),
        ({"kind": "number", "min": "dix"}, "min", "Saisissez un nombre"),
        ({"kind": "document", "accepted": []}, "accepted", "au moins un type de document"),
        ({"condition_key": "inconnue", "condition_value": "x"}, "condition_key", "Aucune question"),
        (
            {"condition_key": "existing", "condition_value": "x"},
            "condition_key",
            "à choix ou oui/non",
        ),
        (
            {"condition_key": "", "condition_value": "oui"},
            "condition_key",
            "Choisissez la question",
        ),
        (
            {"condition_key": "choice", "condition_value": "Peut-être"},
            "condition_value",
            "pas une réponse possible",
        ),
        (
            {"condition_key": "yes-no", "condition_value": "peut-être"},
            "condition_value",
            "« oui » ou « non »",
        ),
    ],
)
def test_builder_question_invalid_shows_message_next_to_field_and_saves_nothing(
    staff_client, data, field, message
):
    call = CallFactory()
    add_question(call, "existing")
    add_question(call, "choice", Question.Kind.SINGLE_CHOICE, config={"choices": ["Oui", "Non"]})
    section = add_question(call, "yes-no", Question.Kind.YES_NO).section
    response = staff_client.post(
        URL.format(pk=call.pk) + f"sections/{section.pk}/questions/nouvelle/", question_data(**data)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    # Nothing half-saved: not even the draft revision the change would have created.
    assert call.revisions.count() == 1
    assert Question.objects.filter(section__revision__call=call).count() == 3


def test_builder_condition_on_later_question_is_refused(staff_client):
    call = CallFactory()
    first = add_question(call, "first")
    later = add_question(call, "later", Question.Kind.YES_NO)
    response = staff_client.post(
        URL.format(pk=call.pk) + f"questions/{first.pk}/",
        question_data(key="first", label="First", condition_key="later", condition_value="oui"),
    )
    assert "placée avant celle-ci" in " ".join(response.context["form"].errors["condition_key"])
    assert later.pk and call.revisions.count() == 1


def test_builder_condition_on_earlier_yes_no_is_stored_as_yes(staff_client):
    call = CallFactory()
    add_question(call, "sold", Question.Kind.YES_NO)
    follow = add_question(call, "where")
    staff_client.post(
        URL.format(pk=call.pk) + f"questions/{follow.pk}/",
        question_data(key="where", label="Où ?", condition_key="sold", condition_value="Oui"),
    )
    question = Question.objects.get(section__revision=draft_of(call), key="where")
    assert (question.condition_key, question.condition_value) == ("sold", "yes")


def test_builder_edit_published_question_creates_revision_and_leaves_published_untouched(
    staff_client,
):
    call = CallFactory()
    question = add_question(call, "name")
    published = call.current_revision
    response = staff_client.post(
        URL.format(pk=call.pk) + f"questions/{question.pk}/",
        question_data(key="name", label="Nouveau libellé", kind="short_text", max_length="80"),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.label == "Name"
    assert question.section.revision == published
    draft = draft_of(call)
    copy = Question.objects.get(section__revision=draft, key="name")
    assert copy.label == "Nouveau libellé"
    assert copy.config == {"max_length": 80}
    assert call.current_revision == published


def test_builder_second_edit_reuses_the_same_draft(staff_client):
    call = CallFactory()
    add_question(call, "a")
    section = call.current_revision.sections.get()
    staff_client.post(URL.format(pk=call.pk) + "sections/nouvelle/", {"title": "Deux"})
    draft = draft_of(call)
    draft_section = draft.sections.get(title=section.title)
    staff_client.post(
        URL.format(pk=call.pk) + f"sections/{draft_section.pk}/questions/nouvelle/",
        question_data(key="b", label="B"),
    )
    assert call.revisions.count() == 2
    assert [q.key for q in questions_of(draft)] == ["a", "b"]


def test_builder_stale_page_on_published_form_is_refused_once_a_draft_exists(staff_client):
    call = CallFactory()
    question = add_question(call, "a")
    staff_client.post(URL.format(pk=call.pk) + "sections/nouvelle/", {"title": "Deux"})
    response = staff_client.post(
        URL.format(pk=call.pk) + f"questions/{question.pk}/", question_data(key="a", label="Changé")
    )
    assert response.status_code == 200
    assert "rechargez-la" in " ".join(response.context["form"].non_field_errors())
    assert not Question.objects.filter(label="Changé").exists()


def test_builder_move_section_swaps_order(staff_client):
    call = CallFactory()
    revision = call.current_revision
    first = Section.objects.create(revision=revision, order=1, title="Un")
    Section.objects.create(revision=revision, order=2, title="Deux")
    staff_client.post(
        URL.format(pk=call.pk) + f"sections/{first.pk}/deplacer/", {"direction": "down"}
    )
    assert list(draft_of(call).sections.order_by("order").values_list("title", flat=True)) == [
        "Deux",
        "Un",
    ]
    assert list(revision.sections.order_by("order").values_list("title", flat=True)) == [
        "Un",
        "Deux",
    ]


def test_builder_move_question_up_down_and_across_sections(staff_client):
    call = CallFactory()
    revision = call.current_revision
    one = Section.objects.create(revision=revision, order=1, title="Un")
    two = Section.objects.create(revision=revision, order=2, title="Deux")
    add_question(call, "a", section=one)
    b = add_question(call, "b", section=one)
    add_question(call, "c", section=two)
    staff_client.post(URL.format(pk=call.pk) + f"questions/{b.pk}/deplacer/", {"direction": "up"})
    draft = draft_of(call)
    assert [q.key for q in questions_of(draft)] == ["b", "a", "c"]
    a = Question.objects.get(section__revision=draft, key="a")
    staff_client.post(URL.format(pk=call.pk) + f"questions/{a.pk}/deplacer/", {"direction": "down"})
    order = [(q.section.title, q.key) for q in questions_of(draft)]
    assert order == [("Un", "b"), ("Deux", "a"), ("Deux", "c")]


def test_builder_move_refused_when_condition_would_look_forward(staff_client):
    call = CallFactory()
    add_question(call, "sold", Question.Kind.YES_NO)
    where = add_question(call, "where", condition_key="sold", condition_value="yes")
    response = staff_client.post(
        URL.format(pk=call.pk) + f"questions/{where.pk}/deplacer/", {"direction": "up"}, follow=True
    )
    assert (
        "dépend de la réponse à une question qui serait placée après elle"
        in response.content.decode()
    )
    assert call.revisions.count() == 1


def test_builder_delete_question_refused_when_another_depends_on_it(staff_client):
    call = CallFactory()
    sold = add_question(call, "sold", Question.Kind.YES_NO)
    add_question(call, "where", condition_key="sold", condition_value="yes")
    response = staff_client.post(
        URL.format(pk=call.pk) + f"questions/{sold.pk}/supprimer/", follow=True
    )
    assert "ne peut pas être supprimée" in response.content.decode()
    assert call.revisions.count() == 1


def test_builder_delete_question_and_section_in_draft(staff_client):
    call = CallFactory()
    a = add_question(call, "a")
    add_question(call, "b")
    staff_client.post(URL.format(pk=call.pk) + f"questions/{a.pk}/supprimer/")
    draft = draft_of(call)
    assert [(q.key, q.order) for q in questions_of(draft)] == [("b", 1)]
    section = draft.sections.get()
    staff_client.post(URL.format(pk=call.pk) + f"sections/{section.pk}/supprimer/")
    assert not draft.sections.exists()
    assert [q.key for q in questions_of(call.current_revision)] == ["a", "b"]


def test_builder_page_lists_sections_and_questions(staff_client):
    call = CallFactory()
    add_question(
        call,
        "motivations",
        Question.Kind.LONG_TEXT,
        label="Vos motivations",
        config={"max_chars": 3000},
    )
    response = staff_client.get(URL.format(pk=call.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Vos motivations" in body and "motivations" in body and "3000 caractères au plus" in body
    # Looking does not create a revision.
    assert call.revisions.count() == 1


def test_builder_question_edit_page_prefills_settings(staff_client):
    call = CallFactory()
    question = add_question(
        call, "theme", Question.Kind.SINGLE_CHOICE, config={"choices": ["Climat", "Sport"]}
    )
    response = staff_client.get(URL.format(pk=call.pk) + f"questions/{question.pk}/")
    assert response.status_code == 200
    assert "Climat\nSport" in response.content.decode()


def test_builder_upload_template_accepts_pdf_and_refuses_other_types(staff_client):
    call = CallFactory()
    question = add_question(call, "lettre", Question.Kind.DOCUMENT, config={"accepted": ["pdf"]})
    url = URL.format(pk=call.pk) + f"questions/{question.pk}/modele/"
    refused = staff_client.post(url, {"template": SimpleUploadedFile("x.pdf", b"hello world")})
    assert refused.status_code == 400
    assert "Type de fichier refusé" in refused.content.decode()
    assert call.revisions.count() == 1
    staff_client.post(url, {"template": SimpleUploadedFile("Modèle lettre.pdf", tiny_pdf())})
    copy = Question.objects.get(section__revision=draft_of(call), key="lettre")
    assert copy.template_file.name.endswith("Modele_lettre.pdf")
    question.refresh_from_db()
    assert not question.template_file
    download = staff_client.get(URL.format(pk=call.pk) + f"questions/{copy.pk}/modele/telecharger/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_builder_template_is_refused_for_a_non_document_question(staff_client):
    call = CallFactory()
    question = add_question(call, "name")
    response = staff_client.post(
        URL.format(pk=call.pk) + f"questions/{question.pk}/modele/",
        {"template": SimpleUploadedFile("m.pdf", tiny_pdf())},
    )
    assert response.status_code == 400
    assert FormRevision.objects.filter(call=call).count() == 1


def test_builder_add_pages_render_with_kind_settings_and_earlier_conditions(staff_client):
    call = CallFactory()
    add_question(call, "sold", Question.Kind.YES_NO, label="Déjà commercialisée ?")
    section = call.current_revision.sections.get()
    assert staff_client.get(URL.format(pk=call.pk) + "sections/nouvelle/").status_code == 200
    assert staff_client.get(URL.format(pk=call.pk) + f"sections/{section.pk}/").status_code == 200
    response = staff_client.get(
        URL.format(pk=call.pk) + f"sections/{section.pk}/questions/nouvelle/"
    )
    body = response.content.decode()
    assert 'data-kinds="single_choice multiple_choice"' in body
    assert '<option value="sold">Déjà commercialisée ? (sold)</option>' in body
    assert "qmi/js/builder.js" in body
    assert " style=" not in body and "<script>" not in body


def test_builder_new_question_preselects_pdf_among_accepted_documents(staff_client):
    call = CallFactory()
    section = add_question(call, "a").section
    page = staff_client.get(URL.format(pk=call.pk) + f"sections/{section.pk}/questions/nouvelle/")
    checked = page.context["form"]["accepted"].value()
    assert checked == ["pdf"]
    assert 'value="pdf" id="id_accepted_0" checked' in page.content.decode()
    # A saved question shows what it accepts, PDF or not.
    text_only = add_question(call, "notes", Question.Kind.DOCUMENT, config={"accepted": ["text"]})
    page = staff_client.get(URL.format(pk=call.pk) + f"questions/{text_only.pk}/")
    assert page.context["form"]["accepted"].value() == ["text"]


def test_builder_condition_value_is_a_list_of_the_source_answers(staff_client):
    call = CallFactory()
    add_question(
        call, "theme", Question.Kind.SINGLE_CHOICE, config={"choices": ["Climat", "Sport"]}
    )
    add_question(call, "sold", Question.Kind.YES_NO, label="Déjà vendue ?")
    follow = add_question(call, "where", condition_key="theme", condition_value="Sport")
    body = staff_client.get(URL.format(pk=call.pk) + f"questions/{follow.pk}/").content.decode()
    value_select = re.search(r'<select name="condition_value".*?</select>', body, re.S).group(0)
    assert '<optgroup label="Theme">' in value_select
    assert '<option value="Sport" selected data-source="theme">Sport</option>' in value_select
    assert '<option value="yes" data-source="sold">oui</option>' in value_select
    assert '<option value="commune" data-source="_type-organisation">Commune</option>' in (
        value_select
    )
    # Typed text is gone: no free field for the expected answer.
    assert 'name="condition_value" type' not in body and "<datalist" not in body
    assert "maxlength" not in value_select


def test_builder_condition_on_the_applicant_kind_is_stored_and_described(staff_client):
    call = CallFactory(eligible_kinds=["commune", "experimenter"])
    follow = add_question(call, "mayor", label="Nom du maire")
    response = staff_client.post(
        URL.format(pk=call.pk) + f"questions/{follow.pk}/",
        question_data(
            key="mayor",
            label="Nom du maire",
            condition_key="_type-organisation",
            condition_value="commune",
        ),
    )
    assert response.status_code == 302
    question = Question.objects.get(section__revision=draft_of(call), key="mayor")
    assert (question.condition_key, question.condition_value) == ("_type-organisation", "commune")
    body = staff_client.get(URL.format(pk=call.pk)).content.decode()
    assert "si « Type d&#x27;organisation qui candidate » = « Commune »" in body
    preview = staff_client.get(URL.format(pk=call.pk) + "apercu/").content.decode()
    assert (
        "Affichée seulement si la réponse à « Type d&#x27;organisation qui candidate » est « Commune »"
        in preview
    )
    staff_client.post(URL.format(pk=call.pk) + "publier/")
    assert call.revisions.get(number=2).is_published


@pytest.mark.parametrize("value", ["partner", "n'importe quoi", ""])
def test_builder_condition_on_a_kind_the_call_does_not_admit_is_refused(staff_client, value):
    call = CallFactory(eligible_kinds=["commune", "experimenter"])
    follow = add_question(call, "mayor")
    response = staff_client.post(
        URL.format(pk=call.pk) + f"questions/{follow.pk}/",
        question_data(key="mayor", condition_key="_type-organisation", condition_value=value),
    )
    assert response.status_code == 200
    assert "condition_value" in response.context["form"].errors
    assert call.revisions.count() == 1


def test_builder_question_key_cannot_take_the_applicant_kind_key(staff_client):
    call = CallFactory()
    section = add_question(call, "a").section
    response = staff_client.post(
        URL.format(pk=call.pk) + f"sections/{section.pk}/questions/nouvelle/",
        question_data(key="_type-organisation"),
    )
    assert "key" in response.context["form"].errors
    assert call.revisions.count() == 1
