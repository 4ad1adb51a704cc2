"""The upload checker every app uses (documents, message attachments, templates of the form builder)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qmi.core.files import accept_attribute, check_upload, clean_name
from tests.utils import pdf_bytes


def test_a_pdf_is_accepted_under_our_name_with_its_hash():
    checked = check_upload(SimpleUploadedFile("Budget été.PDF", pdf_bytes()))
    assert checked.name == "Budget_ete.pdf"
    assert checked.content_type == "application/pdf"
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "empty"), (b"MZ" + b"\0" * 100, "executable"), (b"just text", "type")],
)
def test_empty_executable_and_mislabelled_files_are_refused(content, code):
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("facture.pdf", content))
    assert refused.value.code == code


def test_size_limit_is_checked_before_reading():
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("gros.pdf", pdf_bytes()), max_mb=0.0001)
    assert refused.value.code == "too_large"


def test_names_and_accept_hint():
    assert clean_name("../../etc/passwd", "pdf") == "passwd.pdf"
    assert accept_attribute(["image"]).split(",")[:2] == [".jpg", "image/jpeg"]
