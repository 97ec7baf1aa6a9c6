"""The browser phone's page, without a browser: which handsets it opens."""
from __future__ import annotations

import json
import re

import requests


def extra_handsets(html: str) -> list[str]:
    return json.loads(re.search(r"window\.EXTRA_HANDSETS = (.*);</script>", html).group(1))


def test_handsets_in_the_query_are_added_beside_the_three(carrier):
    # A "+" typed in the address bar arrives as a space; a number of digits only gets it back.
    page = requests.get(f"{carrier.api_base_url}/phone/?handsets=client:operator2,client:supervisor,"
                        "+8613900000003", timeout=10)
    assert page.status_code == 200
    assert extra_handsets(page.text) == ["client:operator2", "client:supervisor", "+8613900000003"]
    for pane in ('id="caller"', 'id="operator"', 'id="complainant"', 'id="add-handset"'):
        assert pane in page.text


def test_without_a_query_there_are_three_handsets(carrier):
    page = requests.get(f"{carrier.api_base_url}/phone/", timeout=10)
    assert extra_handsets(page.text) == []
