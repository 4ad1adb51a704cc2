"""A readable word-level diff between two texts, as escaped HTML with <ins> and <del>."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Words keep their trailing spaces so a changed phrase reads as one block.
_TOKENS = re.compile(r"\s+|\S+\s*")


def html_diff(old, new):
    old_tokens = _TOKENS.findall(old or "")
    new_tokens = _TOKENS.findall(new or "")
    parts = []
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old_tokens[a1:a2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(old_tokens[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(new_tokens[b1:b2]))}</ins>")
    return mark_safe("".join(parts))
