"""One slug rule for every person named in the knowledge base, and the time every block records."""
import re

import pytest

from reconcile.provenance import now, slug


@pytest.mark.parametrize(("typed", "expected"), [
    ("Jane Doe", "jane-doe"), ("  jane--doe ", "jane-doe"), ("José Müller", "josé-müller"),
    ("李明", "李明"), ("Jose\u0301", "josé"), ("o'brien", "o-brien"), ("***", ""),
])
def test_slug_keeps_letters_of_any_script_and_dashes_the_rest(typed, expected):
    assert slug(typed) == expected


def test_now_is_an_xsd_datetime_in_utc_to_the_second():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", now())
