"""The query page and an entity page in a real browser: Debian's headless Chromium, via Playwright.

Playwright's own browser download cannot work on the CI machines, so this drives /usr/bin/chromium
(``.ci/install-browser.sh``, called by ``make test`` in CI, installs it).  In CI (``CI`` set) the
test fails when it is missing — a browser test that silently does not run proves nothing; on a
developer's machine it is skipped with the command that installs it, so ``make test`` needs no root.

Every request the page makes to anything but the service under test is refused and recorded, so the
test also shows that the editor works with no network (YASGUI is served by the service itself).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.server.conftest import RunningServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 30_000


def test_query_page_runs_examples_and_links_to_entity_pages(server: RunningServer, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        message = (f"{CHROMIUM} is missing: install Debian's chromium with `bash .ci/install-browser.sh` "
                   "(or `make browser`), then run the tests again")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import Route, expect, sync_playwright

    outside: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(server.url + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/*", local_only)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda err: errors.append(str(err)))

            page.goto(server.url + "/")
            expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
            rows = page.locator(".yasr table.dataTable tbody tr")

            # a README example: one click loads and runs it
            page.get_by_role("button", name="Abe Putin meetings").click()
            expect(page.locator(".yasr table.dataTable")).to_contain_text("2019-01-22")
            assert rows.count() > 1
            assert "Every Abe–Putin meeting" in page.evaluate(
                "window.dipkgYasgui.getTab().getQuery()")

            # every row has a "sources" control: it opens the row's sentences, marked, with the
            # article's title and a link to the sentence on the article page
            buttons = page.locator(".yasr table.dataTable tbody button.sources")
            assert buttons.count() == rows.count()
            buttons.first.click()
            opened = page.locator(".yasr tr.sources-row")
            expect(opened.locator("mark").first).to_be_visible()
            assert len(opened.locator("mark").first.inner_text()) > 20
            expect(opened.locator("figcaption a").first).to_have_attribute("href", re.compile(r"^/id/article-"))
            sentence_link = opened.locator("blockquote a").first
            expect(sentence_link).to_have_attribute("href", re.compile(r"^/id/article-[^#]+#\S+$"))
            buttons.first.click()
            expect(opened).to_have_count(0)
            # the table shows plain values (YASR's "Simple view") by default
            assert page.locator(".yasr .tableControls input[type=checkbox]").first.is_checked()

            # the built-in one returns IRIs: they link to this service's entity pages
            page.get_by_role("button", name="Leaders").click()
            links = page.locator(".yasr table.dataTable tbody a[href^='/id/']")
            expect(links.first).to_be_visible()
            assert rows.count() > 10
            href = links.first.get_attribute("href")
            assert href and re.fullmatch(r"/id/[\w-]+", href), href
            links.first.click()
            page.wait_for_url(server.url + href)
            expect(page.locator("h1")).to_be_visible()

            # an entity page: the source sentence is highlighted, in view, and links to its article
            page.goto(server.url + "/id/Shinzo_Abe")
            expect(page.locator("h1")).to_have_text("Shinzo Abe")
            mark = page.locator("figure.source mark").first
            expect(mark).to_be_visible()
            assert len(mark.inner_text()) > 20
            page.locator("figure.source figcaption a").first.click()
            anchor = page.url.split("#", 1)[1]
            expect(page.locator(f"[id='{anchor}']")).to_be_attached()
            expect(page.locator(".article-text mark").first).to_be_visible()

            # a row's sentence link lands on the sentence in its article
            page.goto(server.url + "/")
            page.get_by_role("button", name="Abe Putin meetings").click()
            page.locator(".yasr table.dataTable tbody button.sources").first.click()
            page.locator(".yasr tr.sources-row blockquote a").first.click()
            anchor = page.url.split("#", 1)[1]
            expect(page.locator(f"[id='{anchor}']")).to_be_attached()

            # the provenance page of a resource, in a browser
            page.goto(server.url + "/provenance?iri=https%3A%2F%2Fw3id.org%2Fdipkg%2Fid%2FShinzo_Abe")
            expect(page.locator("h1")).to_have_text("Shinzo Abe")
            expect(page.locator("figure.source mark").first).to_be_visible()

            assert not errors, errors
            assert not outside, f"the pages tried to reach the network: {outside}"
        finally:
            context.close()
