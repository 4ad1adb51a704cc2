"""Checks on uploaded files, run before anything reaches storage (any app that takes uploads).

The type is read from the file's content, never from its name; the stored name
is built by us. PDFs are opened to refuse broken, encrypted or hostile ones and
active content (JavaScript, launch actions, embedded files). Office files are
ZIP containers: their entries are counted and inflated to refuse bombs and macros.
Whatever the bytes, the answer is a CheckedFile or a ValidationError, never a crash.
"""

import hashlib
import io
import logging
import os
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

logger = logging.getLogger(__name__)

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

# What pypdf may raise on hostile bytes: its own family (PyPdfError: PdfReadError,
# LimitReachedError, ParseError…) and the built-in errors its parsing lets through
# (bad numbers, missing keys, wrong types, recursion, zlib and struct on broken streams).
PARSER_ERRORS = (
    PyPdfError,
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    ArithmeticError,
    RuntimeError,
    AssertionError,
    OSError,
    EOFError,
    MemoryError,
    zlib.error,
    struct.error,
)
# Containers (dictionaries, arrays) walked in search of active content: a 1,000-page
# report holds tens of thousands; a file past this exists to exhaust the server.
PDF_MAX_OBJECTS = 500_000
# Dictionary keys, and action types (/S), that make a PDF run or carry something.
PDF_ACTIVE_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/EmbeddedFiles": "embedded",
    "/EF": "embedded",
}
PDF_ACTIVE_ACTIONS = {"/JavaScript": "javascript", "/Launch": "launch"}
PDF_ACTIVE_LABELS = {
    "javascript": gettext_lazy("du JavaScript"),
    "launch": gettext_lazy("une action qui lance un programme"),
    "embedded": gettext_lazy("des fichiers incorporés"),
}

# Office files (docx, xlsx, odt, ods) are ZIP containers, checked before acceptance.
# A long report or a large workbook holds a few hundred entries; thousands only cost us.
ZIP_MAX_ENTRIES = 2_000
# Pictures inside are already compressed and text parts are small: twice the builder's
# largest upload (100 Mo) is room for any real document, and bounds what staff unpack.
ZIP_MAX_UNCOMPRESSED_MB = 200
# Real XML deflates about 10:1; past 100:1 on a sizeable entry it is padding (zeros).
ZIP_MAX_RATIO = 100
ZIP_RATIO_FROM_BYTES = 1024 * 1024
# Office and OpenDocument macros: VBA projects, Excel 4 macro sheets, Basic and scripts.
ZIP_MACRO_FOLDERS = ("basic/", "scripts/", "xl/macrosheets/")
ZIP_MACRO_FILE = "vbaproject.bin"
ZIP_MACRO_CONTENT_TYPE = b"macroenabled"
ZIP_MIMES = {mime for family in ("text", "spreadsheet") for mime in FAMILIES[family][1]}


@dataclass
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def sandboxed(response, *, policy="default-src 'none'"):
    """Headers for a file the browser shows by itself (a preview, a chart): `policy` plus
    `sandbox`, so nothing in it runs or reaches our origin, and no sniffing of its type."""
    response["Content-Security-Policy"] = f"{policy}; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
    elif mime in ZIP_MIMES:
        _check_container(uploaded)
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


def _broken_pdf():
    return ValidationError(
        _("Ce PDF est illisible ou endommagé : exportez-le à nouveau depuis votre logiciel."),
        code="broken",
    )


def _hostile_pdf():
    return ValidationError(
        _(
            "Ce PDF a une structure anormale (trop d'objets ou trop d'imbrications) : "
            "exportez-le à nouveau depuis votre logiciel."
        ),
        code="broken",
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
        found = pdf_active_content(reader)
    except ValidationError:
        raise
    except (LimitReachedError, RecursionError) as error:
        logger.info("PDF refused as hostile: %r", error)
        raise _hostile_pdf() from error
    except PARSER_ERRORS as error:
        logger.info("PDF refused as unreadable: %r", error)
        raise _broken_pdf() from error
    if found:
        raise ValidationError(
            _(
                "Ce PDF contient du contenu actif (%(found)s) : il est refusé. "
                "Enregistrez-le à nouveau sans scripts ni pièces jointes (par exemple "
                "avec « Imprimer en PDF »), puis déposez-le."
            )
            % {"found": ", ".join(str(PDF_ACTIVE_LABELS[kind]) for kind in sorted(found))},
            code="active",
        )


def pdf_active_content(reader):
    """The kinds of active content reachable from the trailer: {"javascript", "launch", …}.

    Walks every dictionary and array once (no recursion, shared objects seen once),
    stream dictionaries included; /OpenAction, /AA, name trees and annotations all
    end in a /JS key, a /S action type or an /EmbeddedFiles or /EF entry.
    """
    found = set()
    stack = [reader.trailer]
    seen = set()
    walked = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        if not isinstance(node, (DictionaryObject, ArrayObject)):
            continue
        walked += 1
        if walked > PDF_MAX_OBJECTS:
            raise _hostile_pdf()
        if isinstance(node, ArrayObject):
            stack.extend(node)
            continue
        for key, value in node.items():
            found.add(PDF_ACTIVE_KEYS.get(key, ""))
            if key == "/S":
                found.add(PDF_ACTIVE_ACTIONS.get(_resolved(value), ""))
            stack.append(value)
    return found - {""}


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _check_container(uploaded):
    """Refuse an office file whose ZIP is a bomb, is broken or holds macros."""
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise _container_refused(
                    _("il contient plus de %(count)s éléments") % {"count": ZIP_MAX_ENTRIES}
                )
            _refuse_macros(archive, entries)
            total = 0
            for entry in entries:
                total += _inflated_size(data, entry, ZIP_MAX_UNCOMPRESSED_MB * 1024 * 1024 - total)
    except ValidationError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        struct.error,
        *PARSER_ERRORS,
    ) as error:
        logger.info("Office file refused as unreadable: %r", error)
        raise ValidationError(
            _(
                "Ce fichier est illisible ou endommagé : enregistrez-le à nouveau depuis votre logiciel."
            ),
            code="broken",
        ) from error


def _container_refused(reason):
    return ValidationError(
        _("Ce fichier est refusé : %(reason)s. Enregistrez-le à nouveau depuis votre logiciel.")
        % {"reason": reason},
        code="container",
    )


def _refuse_macros(archive, entries):
    names = [entry.filename.lower() for entry in entries]
    macros = any(
        name.startswith(ZIP_MACRO_FOLDERS) or name.endswith(ZIP_MACRO_FILE) for name in names
    )
    if "[content_types].xml" in names and not macros:
        types = archive.open("[Content_Types].xml").read(1024 * 1024).lower()
        macros = ZIP_MACRO_CONTENT_TYPE in types
    if macros:
        raise ValidationError(
            _(
                "Ce fichier contient des macros : il est refusé. Enregistrez-le sans macros "
                "(format .docx, .xlsx, .odt ou .ods ordinaire), puis déposez-le."
            ),
            code="macros",
        )


def _inflated_size(data, entry, room):
    """The real size of `entry` once inflated (not the size it declares), within `room` bytes.

    Reads the entry's raw bytes after its local header and inflates them in bounded
    steps: a lying header, an overlapping entry or a bomb is stopped as soon as it
    goes past the room left or the ratio.
    """
    (signature, name_length, extra_length) = struct.unpack(
        "<4s22xHH", data[entry.header_offset : entry.header_offset + 30]
    )
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    start = entry.header_offset + 30 + name_length + extra_length
    raw = data[start : start + entry.compress_size]
    if entry.compress_type == zipfile.ZIP_STORED:
        size = len(raw)
    elif entry.compress_type == zipfile.ZIP_DEFLATED:
        size = _inflate_within(raw, room, ratio_limit=max(len(raw), 1) * ZIP_MAX_RATIO)
    else:
        raise zipfile.BadZipFile("compression method not used by office files")
    if size > room:
        raise _container_refused(
            _("décompressé, il dépasserait %(max)s Mo") % {"max": ZIP_MAX_UNCOMPRESSED_MB}
        )
    if size > ZIP_RATIO_FROM_BYTES and size > max(len(raw), 1) * ZIP_MAX_RATIO:
        raise _container_refused(
            _("un de ses éléments est anormalement compressé (plus de %(ratio)s fois)")
            % {"ratio": ZIP_MAX_RATIO}
        )
    return size


def _inflate_within(raw, room, *, ratio_limit):
    """Inflate `raw` 1 MB at a time; stop one step past `room` or past the ratio limit."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    pending = raw
    step = 1024 * 1024
    while pending and size <= room and (size <= ZIP_RATIO_FROM_BYTES or size <= ratio_limit):
        size += len(inflater.decompress(pending, step))
        pending = inflater.unconsumed_tail
    return size
