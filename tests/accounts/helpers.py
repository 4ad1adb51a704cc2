"""Small helpers shared by the accounts tests (no mocks: they read real responses)."""

import html as html_lib
import re
from html.parser import HTMLParser


def field_errors(response, field):
    """The errors shown next to `field` in the rendered page (the block with id <field>_error)."""
    html = response.content.decode()
    match = re.search(
        rf'<div class="errorlist" id="id_{field}_error">(.*?)</div>', html, flags=re.S
    )
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def input_described_by(response, field):
    """The aria-describedby of the input/select/textarea named `field`."""
    html = response.content.decode()
    match = re.search(rf'<(?:input|select|textarea)[^>]*\bname="{field}"[^>]*>', html)
    assert match, f"no input named {field}"
    described = re.search(r'aria-describedby="([^"]*)"', match.group(0))
    return described.group(1).split() if described else []


class PageAudit(HTMLParser):
    """Collects what the accessibility and CSP checks need from a page."""

    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.label_for = set()
        self.inputs = []
        self.inline_styles = 0
        self.inline_scripts = 0
        self._in_script = False
        self._script_is_data = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles += 1
        if any(name.startswith("on") for name in attrs):
            self.inline_scripts += 1
        if tag == "h1":
            self.h1 += 1
        elif tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if attrs.get("type") not in ("hidden", "submit", "button"):
                self.inputs.append(attrs)
        elif tag == "script":
            self._in_script = "src" not in attrs
            self._script_is_data = attrs.get("type") == "application/json"
        elif tag == "style":
            self.inline_styles += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and not self._script_is_data and data.strip():
            self.inline_scripts += 1


def audit_page(response):
    parser = PageAudit()
    parser.feed(response.content.decode())
    return parser
