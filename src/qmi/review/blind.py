"""What a juror reads of a file in a phase where applicants' identities are hidden.

Free-text answers (short and long texts, addresses) are shown only through the copy staff
prepared with identifying details taken out (RedactedCopy); e-mail addresses, web
addresses, telephone numbers and documents are never shown; choices, numbers, dates and
rankings of communes are shown as they are: they say what the project is, not who.
"""

from qmi.calls.models import Question

REDACTED_KINDS = {Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT, Question.Kind.ADDRESS}
NEVER_SHOWN = {Question.Kind.EMAIL, Question.Kind.URL, Question.Kind.PHONE, Question.Kind.DOCUMENT}


def blind_sections(sections, copy):
    """`sections` (calls.exports.answer_sections) as a juror of a blind phase may read them."""
    answers = copy.answers if copy is not None else {}
    for item in sections:
        for row in item["rows"]:
            kind = row["question"].kind
            if kind in NEVER_SHOWN:
                row.update(hidden="never", documents=[], text="", items=[])
            elif kind in REDACTED_KINDS:
                redacted = answers.get(row["question"].key)
                if redacted is None:
                    row.update(hidden="pending", text="", items=[])
                else:
                    row.update(text=redacted, empty=not redacted.strip())
    return sections
