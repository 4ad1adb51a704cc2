"""Rich text written by staff (a call's presentation), sanitised before it is stored.

Only a few structural tags survive; links keep their address (http, https,
mailto) and get rel="noopener". Scripts and styles are removed with their
content; event handlers and every other attribute are dropped.
"""

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(text):
    """The sanitised form of `text` (safe to render with |safe)."""
    if not text:
        return ""
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        clean_content_tags={"script", "style"},
        strip_comments=True,
    ).strip()
