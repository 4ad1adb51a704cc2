"""The ranking as CSV (cells neutralised against formulas) or as an Excel workbook."""

import csv
import io
import tempfile

import xlsxwriter
from django.http import FileResponse, HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from qmi.calls.exports import neutralise


def _number(value, places=2):
    return "" if value is None else f"{value:.{places}f}".replace(".", ",")


def ranking_table(phase, rows, criteria, normalised):
    header = [
        _("Rang"),
        _("Dossier"),
        _("Organisation"),
        _("Évaluations"),
        _("Moyenne / 20"),
        _("Médiane / 20"),
        _("Écart-type"),
    ]
    if normalised:
        header.append(_("Corrigée de la sévérité / 20"))
    header += [criterion.label for criterion in criteria] + [_("Désaccord")]
    table = [header]
    for rank, row in enumerate(rows, start=1):
        figures = row.figures
        line = [
            str(rank),
            row.application.reference,
            row.application.organisation.name if phase.identities_shown else "",
            str(figures.count),
            _number(figures.mean),
            _number(figures.median),
            _number(figures.stdev),
        ]
        if normalised:
            line.append(_number(figures.normalised))
        line += [_number(row.criteria.get(criterion.pk)) for criterion in criteria]
        line.append(_("oui") if figures.disagreement else "")
        table.append(line)
    return table


def csv_response(filename, table):
    """A table as CSV for French spreadsheets: BOM, semicolons, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for line in table:
        writer.writerow([neutralise(cell) for cell in line])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def ranking_export(call, phase, rows, criteria, kind, normalised):
    table = ranking_table(phase, rows, criteria, normalised)
    stem = f"classement-{slugify(call.slug)}-{slugify(phase.title)}"
    if kind == "csv":
        return csv_response(f"{stem}.csv", table)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — FileResponse closes it
    try:
        workbook = xlsxwriter.Workbook(handle, {"strings_to_formulas": False})
        sheet = workbook.add_worksheet(_("Classement")[:31])
        bold = workbook.add_format({"bold": True})
        for number, line in enumerate(table):
            for column, cell in enumerate(line):
                sheet.write_string(number, column, cell, bold if number == 0 else None)
        sheet.freeze_panes(1, 0)
        workbook.close()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{stem}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response
