"""Checks on uploaded files, run before anything reaches storage (any app that takes uploads).

The type is read from the file's content, never from its name; the stored name
is built by us; PDFs are opened to refuse broken or encrypted ones.
"""

import hashlib
import io
import os
import unicodedata
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.errors import PdfReadError

# Families an applicant may be asked for, with the MIME types that belong to each.
FAMILIES = {
    "pdf": (gettext_lazy("PDF"), {"application/pdf": "pdf"}),
    "image": (gettext_lazy("image JPEG ou PNG"), {"image/jpeg": "jpg", "image/png": "png"}),
    "text": (
        gettext_lazy("document Word ou OpenDocument"),
        {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
            "application/vnd.oasis.opendocument.text": "odt",
        },
    ),
    "spreadsheet": (
        gettext_lazy("tableur Excel ou OpenDocument"),
        {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
            "application/vnd.oasis.opendocument.spreadsheet": "ods",
        },
    ),
}
DEFAULT_FAMILIES = ["pdf"]
DEFAULT_MAX_MB = 10
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")


@dataclass
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def families_label(families):
    return ", ".join(str(FAMILIES[family][0]) for family in families if family in FAMILIES)


def accept_attribute(families):
    """The <input accept> hint: extensions and MIME types of the allowed families."""
    values = []
    for family in families:
        for mime, extension in FAMILIES.get(family, ("", {}))[1].items():
            values += [f".{extension}", mime]
    return ",".join(values)


def clean_name(original, extension):
    """A safe, readable file name: no path, no control characters, our extension."""
    base = os.path.basename(original or "").rsplit(".", 1)[0]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = get_valid_filename(base.replace(" ", "_"))[:80].strip("._-") or "document"
    return f"{base}.{extension}"


def check_upload(uploaded, *, families=None, max_mb=None):
    """Return what to store about `uploaded`, or raise a ValidationError saying why not."""
    families = [family for family in (families or DEFAULT_FAMILIES) if family in FAMILIES]
    limit = int(float(max_mb or DEFAULT_MAX_MB) * 1024 * 1024)
    if uploaded.size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if uploaded.size > limit:
        raise ValidationError(
            _("Le fichier fait %(size)s Mo ; la limite est de %(max)s Mo.")
            % {
                "size": f"{uploaded.size / 1024 / 1024:.1f}".replace(".", ","),
                "max": max_mb or DEFAULT_MAX_MB,
            },
            code="too_large",
        )
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    if head.startswith(EXECUTABLE_SIGNATURES):
        raise ValidationError(
            _("Ce fichier est un programme, pas un document : il est refusé."), code="executable"
        )
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    allowed = {m: ext for family in families for m, ext in FAMILIES[family][1].items()}
    if mime not in allowed:
        raise ValidationError(
            _(
                "Type de fichier refusé : attendu %(expected)s. Le contenu du fichier ne correspond pas."
            )
            % {"expected": families_label(families)},
            code="type",
        )
    if mime == "application/pdf":
        _check_pdf(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedFile(
        name=clean_name(uploaded.name, allowed[mime]),
        content_type=mime,
        size=uploaded.size,
        sha256=digest.hexdigest(),
    )


def _check_pdf(uploaded):
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "Ce PDF est protégé par un mot de passe : enregistrez-le sans protection puis déposez-le à nouveau."
                ),
                code="encrypted",
            )
        if len(reader.pages) == 0:
            raise ValidationError(_("Ce PDF ne contient aucune page."), code="broken")
    except ValidationError:
        raise
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        OSError,
        RecursionError,
    ) as error:
        raise ValidationError(
            _("Ce PDF est illisible ou endommagé : exportez-le à nouveau depuis votre logiciel."),
            code="broken",
        ) from error
