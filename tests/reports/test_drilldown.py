"""Every figure links to the cases behind its numerator and denominator."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.reports.pages import tables


def listed(client, url: str) -> set[str]:
    page = tables(client.get(url).get_data(as_text=True))
    return {row[0].text for row in page["figures case-list"].rows if len(row) > 1}


def test_each_figure_links_to_its_numerator_and_denominator(client, sign_in, october):
    sign_in("sup1")
    page = tables(client.get("/console/reports/2026-10").get_data(as_text=True))
    drain = page["departments"].row("2")           # DRAIN is second by disposal rate
    disposal = next(cell for cell in drain if "33.33%" in cell.text)
    (percent, percent_url), (counted, counted_url), (due, due_url) = disposal.links
    assert (percent, counted, due) == ("33.33%", "1", "3")
    assert parse_qs(urlsplit(counted_url).query) == {"view": ["departments"], "key": ["DRAIN"],
                                                      "indicator": ["disposal_rate"], "part": ["numerator"]}
    numbers = october.numbers
    assert listed(client, counted_url) == {numbers["september"]}
    assert listed(client, due_url) == {numbers["story"], numbers["misrouted"], numbers["september"]}
    shortfall = due_url.replace("part=denominator", "part=shortfall")
    assert listed(client, shortfall) == {numbers["story"], numbers["misrouted"]}


def test_the_denominator_list_says_which_cases_counted(client, sign_in, october):
    sign_in("sup1")
    html = client.get("/console/reports/2026-10/cases?view=departments&key=DRAIN&indicator=disposal_rate"
                      "&part=denominator").get_data(as_text=True)
    rows = {row[0].text: row[-1].text for row in tables(html)["figures case-list"].rows}
    assert rows == {october.numbers["story"]: "否", october.numbers["misrouted"]: "否",
                    october.numbers["september"]: "是"}


def test_counts_and_the_total_row_link_to_their_cases(client, sign_in, october):
    sign_in("sup1")
    numbers = october.numbers
    assert listed(client, "/console/reports/2026-10/cases?view=departments&key=all&measure=reported") == {
        numbers["story"], numbers["smooth"], numbers["misrouted"], numbers["unfiled"]}
    assert listed(client, "/console/reports/2026-10/cases?view=departments&key=&measure=voided") == {
        numbers["voided"]}
    assert listed(client, "/console/reports/2026-10/cases?view=hotline&key=DRAIN&indicator=rework_rate"
                          "&part=numerator") == {numbers["story"]}
    assert listed(client, "/console/reports/2026-10/cases?view=channels&key=open311&indicator=satisfaction"
                          "&part=numerator") == {numbers["smooth"]}


def test_every_link_on_the_page_opens(client, sign_in, october):
    sign_in("sup1")
    page = tables(client.get("/console/reports/2026-10").get_data(as_text=True))
    urls = {href for table in page.values() for row in table.rows for cell in row for _, href in cell.links}
    assert len(urls) > 100
    for url in sorted(urls):
        assert client.get(url).status_code == 200, url


def test_an_unknown_row_or_figure_is_not_found(client, sign_in, october):
    sign_in("sup1")
    base = "/console/reports/2026-10/cases?view=departments"
    assert client.get(f"{base}&key=NOPE&indicator=disposal_rate").status_code == 404
    assert client.get(f"{base}&key=DRAIN&indicator=speed").status_code == 404
    assert client.get(f"{base}&key=DRAIN").status_code == 404                       # neither figure nor count
