"""In headless Chromium (as tests/server/test_browser.py runs it): an entity page's filter by kind
and year works in the page, without a reload; the query editor completes the dataset's own classes
and properties from /api/terms with no network; Wikidata IRIs in results link to the item."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import RunningServer
from tests.server.test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS


@pytest.fixture
def browser_page(server: RunningServer, tmp_path: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page of a Chromium that may reach only the server under test: (page, errors, outside)."""
    if not CHROMIUM.exists():
        message = (f"{CHROMIUM} is missing: install Debian's chromium with `bash .ci/install-browser.sh` "
                   "(or `make browser`), then run the tests again")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import Route, sync_playwright

    outside: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(server.url + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 900})
        try:
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/*", local_only)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda err: errors.append(str(err)))
            yield page, errors, outside
        finally:
            context.close()


def test_the_entity_page_filter_works_without_a_reload(server: RunningServer, browser_page) -> None:
    from playwright.sync_api import expect

    page, errors, outside = browser_page
    page.goto(server.url + "/id/Shinzo_Abe")
    facts = page.locator("li.fact[data-kind]")
    total = facts.count()
    expect(page.locator("section.summary")).to_contain_text(f"{total} facts")
    page.evaluate("window.dipkgNotReloaded = true")  # gone if the page reloads

    page.select_option("#filter-kind", "Meetings")
    visible = page.locator("li.fact[data-kind]:visible")
    meetings = page.locator("li.fact[data-kind='Meetings']").count()
    expect(visible).to_have_count(meetings)
    assert 0 < meetings < total
    assert all(k == "Meetings" for k in visible.evaluate_all("els => els.map(e => e.dataset.kind)"))
    expect(page.locator("#filter-count")).to_have_text(f"{meetings} of {total} facts shown")
    expect(page.locator(".fact-group[data-kind='Quotes']")).to_be_hidden()

    page.select_option("#filter-year", "2016")
    expected = page.locator("li.fact[data-kind='Meetings'][data-year='2016']").count()
    assert 0 < expected < meetings
    expect(visible).to_have_count(expected)
    assert page.url.endswith("/id/Shinzo_Abe?kind=Meetings&year=2016")  # the address says what is shown

    page.select_option("#filter-kind", "")
    page.select_option("#filter-year", "")
    expect(visible).to_have_count(total)
    expect(page.locator(".fact-group[data-kind='Quotes']")).to_be_visible()
    assert page.evaluate("window.dipkgNotReloaded") is True
    assert not errors, errors
    assert not outside, outside
    if os.environ.get("DIPKG_SCREENSHOTS"):
        page.select_option("#filter-kind", "Meetings")
        page.screenshot(path=str(Path(os.environ["DIPKG_SCREENSHOTS"]) / "entity.png"))


def _type_at_end_of_line(page: Any, text: str, line: int) -> None:
    page.evaluate(f"""() => {{ const y = window.dipkgYasgui.getTab().getYasqe();
        y.focus(); y.getDoc().setCursor({{line: {line}, ch: y.getDoc().getLine({line}).length}}); }}""")
    page.keyboard.type(text, delay=60)


def test_the_editor_completes_the_datasets_own_classes_and_properties(server: RunningServer, browser_page) -> None:
    from playwright.sync_api import expect

    page, errors, outside = browser_page
    page.goto(server.url + "/")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    page.evaluate("""() => window.dipkgYasgui.getTab().getYasqe().setValue(
        'PREFIX dip: <https://w3id.org/dipkg/ontology#>\\nSELECT * WHERE {\\n  ?m a \\n}')""")
    _type_at_end_of_line(page, "dip:Mee", 2)
    hints = page.locator(".CodeMirror-hints li")
    expect(hints.first).to_contain_text("dip:Meeting — meeting (")
    assert all(h.startswith("dip:Meeting") for h in hints.all_inner_texts())
    if os.environ.get("DIPKG_SCREENSHOTS"):
        page.locator(".yasqe").scroll_into_view_if_needed()
        page.screenshot(path=str(Path(os.environ["DIPKG_SCREENSHOTS"]) / "query-autocomplete.png"))
    page.keyboard.press("Enter")
    query = page.evaluate("window.dipkgYasgui.getTab().getYasqe().getValue()")
    assert "?m a dip:Meeting" in query

    _type_at_end_of_line(page, " ; dip:partic", 2)
    expect(hints.first).to_contain_text("dip:participant — participant (")
    page.keyboard.press("Enter")
    assert "?m a dip:Meeting ; dip:participant" in page.evaluate("window.dipkgYasgui.getTab().getYasqe().getValue()")
    assert not errors, errors
    assert not outside, f"the editor tried to reach the network: {outside}"


def test_wikidata_iris_in_results_link_to_the_item(server: RunningServer, browser_page) -> None:
    from playwright.sync_api import expect

    page, errors, outside = browser_page
    page.goto(server.url + "/")
    page.get_by_role("button", name="Quotes Wikidata").click()
    link = page.locator(".yasr table.dataTable tbody a.wikidata").first
    expect(link).to_have_attribute("href", "https://www.wikidata.org/wiki/Q4384817")
    expect(link).to_have_attribute("target", "_blank")
    assert not errors, errors
    assert not outside, outside
