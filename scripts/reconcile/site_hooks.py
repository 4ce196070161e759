"""MkDocs hooks that make the theme's HTML valid (checked with the Nu HTML Checker).

Material for MkDocs marks its hidden checkboxes autocomplete="off" (allowed only on
text-like inputs) and, on pages outside the navigation, labels a table-of-contents
toggle that it does not render. Both are fixed in the built page.
"""
from __future__ import annotations

import re

_CHECKBOX_AUTOCOMPLETE = re.compile(r'(<input [^>]*type="checkbox"[^>]*?) autocomplete="off"')
_TOC_LABEL = '<label class="md-nav__title" for="__toc">'


def on_post_page(output: str, page, config) -> str:
    output = _CHECKBOX_AUTOCOMPLETE.sub(r"\1", output)
    if 'id="__toc"' not in output:
        output = output.replace(_TOC_LABEL, '<label class="md-nav__title">')
    return output


def on_post_template(output_content: str, template_name: str, config) -> str:
    """The same fixes for pages built from templates alone, such as 404.html."""
    return on_post_page(output_content, None, config)
