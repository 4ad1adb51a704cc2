"""The upload checker every app uses (documents, message attachments, templates of the form builder)."""

import contextlib
import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from qmi.core import files
from qmi.core.files import FAMILIES, accept_attribute, check_upload, clean_name
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


# Hostile PDFs, written byte by byte ----------------------------------------------------


def raw_pdf(*objects, trailer=b""):
    """A PDF made of `objects` (bodies of objects 1, 2, …; 1 is the catalog), with its xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, trailer, xref)
    )
    return out.getvalue()


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>"


def _refused(content, name="document.pdf", **options):
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile(name, content), **options)
    return refused.value


def test_a_hand_written_pdf_is_accepted():
    """The builder below makes PDFs the checker accepts: what it refuses next is the trap."""
    assert check_upload(SimpleUploadedFile("a.pdf", raw_pdf(CATALOG, PAGES, PAGE))).size > 0


def test_a_page_tree_with_200000_kids_is_refused_not_a_500():
    kids = b" 3 0 R" * 200_000
    content = raw_pdf(CATALOG, b"<< /Type /Pages /Kids [%s] /Count 200000 >>" % kids, PAGE)
    error = _refused(content)
    assert error.code == "broken" and "structure anormale" in error.messages[0]


def test_a_40_level_page_tree_sharing_its_nodes_is_refused_not_a_500():
    levels = 40
    nodes = [
        b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count %d >>" % (n + 3, n + 3, 2 ** (levels - n))
        for n in range(levels)
    ]
    content = raw_pdf(CATALOG, *nodes, b"<< /Type /Page /MediaBox [0 0 72 72] >>")
    assert _refused(content).code == "broken"


def test_deeply_nested_arrays_are_refused_not_a_500():
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /X %s%s >>" % (
        b"[" * 5000,
        b"]" * 5000,
    )
    assert _refused(raw_pdf(CATALOG, PAGES, page)).code == "broken"


def test_a_page_tree_that_loops_is_refused_not_a_500():
    loop = b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"
    assert _refused(raw_pdf(CATALOG, loop)).code == "broken"


JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"


@pytest.mark.parametrize(
    ("objects", "found"),
    [
        pytest.param(
            (b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", PAGES, PAGE, JS_ACTION),
            "du JavaScript",
            id="open-action-javascript",
        ),
        pytest.param(
            (
                b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>",
                PAGES,
                PAGE,
                b"<< /Names [(hello) 5 0 R] >>",
                JS_ACTION,
            ),
            "du JavaScript",
            id="javascript-name-tree",
        ),
        pytest.param(
            (
                CATALOG,
                PAGES,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /AA << /O 4 0 R >> >>",
                b"<< /S /JavaScript /JS 5 0 R >>",
                b"<< /Length 11 >>\nstream\napp.alert()\nendstream",
            ),
            "du JavaScript",
            id="page-additional-action-javascript",
        ),
        pytest.param(
            (
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch "
                b"/F (C:\\\\Windows\\\\System32\\\\calc.exe) >> >>",
                PAGES,
                PAGE,
            ),
            "une action qui lance un programme",
            id="launch-action",
        ),
        pytest.param(
            (
                b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names "
                b"[(a.exe) << /Type /Filespec /F (a.exe) /EF << /F 4 0 R >> >>] >> >> >>",
                PAGES,
                PAGE,
                b"<< /Length 2 >>\nstream\nMZ\nendstream",
            ),
            "des fichiers incorporés",
            id="embedded-files",
        ),
        pytest.param(
            (b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /J#53 (1) >> >>",),
            "du JavaScript",
            id="hex-escaped-name",
        ),
    ],
)
def test_pdfs_with_active_content_are_refused_naming_it(objects, found):
    if len(objects) == 1:
        objects = (*objects, PAGES, PAGE)
    error = _refused(raw_pdf(*objects))
    assert error.code == "active"
    assert found in error.messages[0]


def test_a_pdf_with_a_web_link_is_not_active_content():
    link = (
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://x.fr) >> >>"
    )
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Annots [4 0 R] >>"
    assert check_upload(SimpleUploadedFile("a.pdf", raw_pdf(CATALOG, PAGES, page, link)))


@pytest.mark.parametrize("active", ["javascript", "attachment"])
def test_active_content_written_by_pypdf_is_refused(active):
    """The same traps as an ordinary tool writes them (compressed, with its own layout)."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    if active == "javascript":
        writer.add_open_action(JavaScript("app.alert('x');"))
    else:
        writer.add_attachment("notes.txt", b"hello")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert _refused(buffer.getvalue()).code == "active"


# Fuzzing: whatever the bytes, an answer or a reason, never a crash ---------------------

VALID_PDF = pdf_bytes()


def _fuzz(content):
    with contextlib.suppress(ValidationError):
        check_upload(SimpleUploadedFile("fuzz.pdf", content), families=list(FAMILIES))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=4096).map(lambda tail: b"%PDF-1." + tail),
        st.integers(min_value=0, max_value=len(VALID_PDF)).map(lambda n: VALID_PDF[:n]),
        st.lists(
            st.tuples(st.integers(0, len(VALID_PDF) - 1), st.integers(0, 255)),
            min_size=1,
            max_size=20,
        ).map(lambda edits: bytes(_apply(bytearray(VALID_PDF), edits))),
    )
)
def test_fuzzed_pdfs_are_accepted_or_refused_with_a_reason(content):
    _fuzz(content)


def _apply(data, edits):
    for position, value in edits:
        data[position] = value
    return data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=20),
    st.integers(min_value=0, max_value=10_000),
)
def test_fuzzed_office_files_are_accepted_or_refused_with_a_reason(edits, cut):
    """The first entry's header is kept, so the file still reads as a docx and is opened."""
    data = _docx(extra=[("word/media/image1.png", b"\0" * 5000)])
    kept = 80
    edits = [(kept + position % (len(data) - kept), value) for position, value in edits]
    data = bytes(_apply(bytearray(data), edits))
    _fuzz(data[: max(cut, kept)])


# Office files are ZIP containers -------------------------------------------------------

DOCX_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def _docx(extra=(), types=DOCX_TYPES):
    """A Word file as the checker sees one: [Content_Types].xml first, then word/…."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", "<w:document>Bonjour</w:document>" * 50)
        for name, content in extra:
            if callable(content):
                with archive.open(name, "w") as handle:
                    content(handle)
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


def _odt(extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", "<office:document-content/>")
        for name, content in extra:
            archive.writestr(name, content)
    return buffer.getvalue()


def _zeros(megabytes):
    def write(handle):
        chunk = bytes(1024 * 1024)
        for _ in range(megabytes):
            handle.write(chunk)

    return write


def test_ordinary_office_files_are_accepted():
    docx = check_upload(SimpleUploadedFile("Rapport.docx", _docx()), families=["text"])
    assert docx.name == "Rapport.docx"
    odt = check_upload(SimpleUploadedFile("Rapport.odt", _odt()), families=["text"])
    assert odt.content_type == "application/vnd.oasis.opendocument.text"


def test_a_docx_holding_50_mb_of_zeros_is_refused():
    content = _docx(extra=[("word/media/image1.png", _zeros(50))])
    assert len(content) < 200 * 1024
    error = _refused(content, name="budget.docx", families=["text"])
    assert error.code == "container"
    assert "anormalement compressé" in error.messages[0]


def test_total_uncompressed_size_is_limited(monkeypatch):
    monkeypatch.setattr(files, "ZIP_MAX_UNCOMPRESSED_MB", 1)
    content = _docx(extra=[("word/media/photo.jpg", os.urandom(1024 * 1024))])
    error = _refused(content, name="photo.docx", families=["text"])
    assert error.code == "container" and "1 Mo" in error.messages[0]


def test_too_many_entries_are_refused():
    content = _docx(extra=[(f"word/part{n}.xml", "") for n in range(files.ZIP_MAX_ENTRIES)])
    error = _refused(content, name="parts.docx", families=["text"])
    assert error.code == "container" and "2000" in error.messages[0].replace("\u202f", "")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        pytest.param(
            _docx(extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]), "a.docx", id="vba"
        ),
        pytest.param(
            _docx(types=DOCX_TYPES.replace("document.main", "document.macroEnabled.main")),
            "a.docx",
            id="docm-content-type",
        ),
        pytest.param(
            _odt(extra=[("Basic/Standard/Module1.xml", "<script/>")]), "a.odt", id="odf-basic"
        ),
    ],
)
def test_office_files_with_macros_are_refused(content, name):
    error = _refused(content, name=name, families=["text"])
    assert error.code == "macros"


def test_a_truncated_office_file_is_refused_not_a_500():
    content = _docx(extra=[("word/media/photo.jpg", os.urandom(20_000))])
    assert _refused(content[: len(content) // 2], name="a.docx", families=["text"]).code == "broken"
