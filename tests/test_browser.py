"""A real headless Chromium against the built site, served on 127.0.0.1. Required: missing tools fail the run."""
import base64
import functools
import http.server
import json
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ROOT, SITE_BUILDER, builder_difference

pytestmark = pytest.mark.browser

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url(real_site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(real_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER, AXE) if not p.exists()]
    if missing:
        pytest.fail(f"Browser-test tools are missing: {', '.join(missing)}. Run `make browser-tools` "
                    "(apt-get install chromium chromium-driver, npm ci).")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,1000"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def wait(driver, condition, seconds=15):
    return WebDriverWait(driver, seconds).until(condition)


WIDE, PHONE = (1366, 768), (390, 844)
PAGES = ["index.html", "conflicts.html", "matrix.html", "topics/nsaid-avoid-after.html", "sources/004.html",
         "compare.html", "timeline.html"]


@pytest.fixture
def at_width(browser):
    """Set the window to (width, height) for one test; the module's default size comes back after it."""
    def resize(size):
        browser.set_window_size(*size)
        return browser
    yield resize
    browser.set_window_size(1280, 1000)


def viewport_height(browser):
    return browser.execute_script("return window.innerHeight")


def test_the_overview_answers_who_disagrees_on_nsaids_and_who_sells_without_scrolling(at_width, base_url):
    browser = at_width(WIDE)
    browser.get(f"{base_url}/index.html")
    assert "Not medical advice." in browser.find_element(By.CSS_SELECTOR, ".disclaimer").text
    row = browser.find_element(By.CSS_SELECTOR, "tr.finding[data-topic=nsaid-avoid-after]")
    text = row.text
    assert "4 days" in text and "3 weeks" in text and "Vinings FAQ" in text and "Clinic page A" in text
    assert "sells the treatment" in text and "between sources" in text
    bottom = browser.execute_script("return arguments[0].getBoundingClientRect().bottom", row)
    assert bottom <= viewport_height(browser), f"the NSAIDs row ends at {bottom} px, below the fold"


def test_overview_leads_to_every_quote_of_both_sides_in_two_clicks(browser, base_url):
    browser.get(f"{base_url}/index.html")
    card = browser.find_element(By.CSS_SELECTOR, "details.conflict[data-topic=nsaid-avoid-after]")
    assert card.get_attribute("open") is None  # folded below the findings
    card.find_element(By.TAG_NAME, "summary").click()
    sides = card.find_elements(By.CSS_SELECTOR, "div.side")
    assert [side.find_element(By.CSS_SELECTOR, ".side-head").text.split(" · ")[0] for side in sides] == [
        "Side A, coded as 4 days", "Side B, coded as 3 weeks"]  # 004's 4 days against 002's and 004's 3 weeks
    quotes = card.find_elements(By.CSS_SELECTOR, "blockquote.quote")
    assert len(quotes) == 4 and all(q.text.startswith("QUOTE:") or q.text.startswith("Quote:") for q in quotes)
    assert "contradicts itself" in card.text
    if browser.get_window_size()["width"] >= 1000:
        assert sides[0].location["y"] == sides[1].location["y"]  # side by side on a wide screen
    card.find_element(By.LINK_TEXT, "Topic page").click()  # first click: the topic page
    wait(browser, EC.url_contains("topics/nsaid-avoid-after.html"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Avoiding NSAIDs after treatment"
    browser.find_element(By.CSS_SELECTOR, "tr[id='004-nsaid-avoid-after'] a[href*='sources/004.html#']").click()
    wait(browser, EC.url_contains("sources/004.html#004-nsaid-avoid-after"))  # second click: the passage, marked
    pieces = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".source-text mark.is-target"))
    assert "and for 4 days after" in "".join(p.text for p in pieces)
    assert all("contested" in p.get_attribute("class") for p in pieces)


def test_topic_page_shows_quotes_with_context_and_a_chart(browser, base_url):
    browser.get(f"{base_url}/topics/nsaid-avoid-after.html")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.claims tbody tr")
    assert len(rows) == 4
    assert any("Continue avoiding NSAIDs for 3 weeks" in row.text for row in rows)
    assert all(row.find_elements(By.CSS_SELECTOR, ".quote-context") for row in rows)
    chart = browser.find_element(By.CSS_SELECTOR, "svg.interval-chart")
    assert chart.find_element(By.TAG_NAME, "title").get_attribute("textContent").startswith("Avoiding NSAIDs after treatment")
    assert len(chart.find_elements(By.CSS_SELECTOR, ":scope > rect")) == 4
    assert chart.size["width"] > 400


def test_source_page_marks_contested_passages_apart(browser, base_url):
    browser.get(f"{base_url}/sources/004.html")
    links = browser.find_elements(By.CSS_SELECTOR, ".source-text mark a")
    assert len(links) >= 25 and all("/topics/" in link.get_attribute("href") for link in links)
    contested = browser.find_elements(By.CSS_SELECTOR, ".source-text mark.contested")
    assert 0 < len(contested) < len(browser.find_elements(By.CSS_SELECTOR, ".source-text mark"))
    colours = {m.value_of_css_property("background-color") for m in browser.find_elements(By.CSS_SELECTOR, ".source-text mark")}
    assert len(colours) == 2
    assert "Clinic page A" in browser.find_element(By.CSS_SELECTOR, "ul.rivals").text


def test_conflicts_filter_works_without_a_server_and_keeps_its_state_in_the_address(browser, base_url):
    browser.get(f"{base_url}/conflicts.html")
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.finding")
    count = browser.find_element(By.CSS_SELECTOR, "output.filter-count")
    wait(browser, lambda d: count.text == f"{len(rows)} of {len(rows)} findings shown")
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=severity]")).select_by_visible_text("high")
    visible = [r for r in rows if r.is_displayed()]
    assert 0 < len(visible) < len(rows) and {r.get_attribute("data-severity") for r in visible} == {"high"}
    assert count.text == f"{len(visible)} of {len(rows)} findings shown"
    assert "severity=high" in browser.current_url
    sections = {s.get_attribute("aria-labelledby"): s.is_displayed() for s in browser.find_elements(By.CSS_SELECTOR, "section.filter-group")}
    assert sections == {"high-severity": True, "medium-severity": False, "low-severity": False}  # empty groups hidden
    browser.refresh()
    wait(browser, lambda d: Select(d.find_element(By.CSS_SELECTOR, "select[name=severity]")).first_selected_option.text == "high")
    assert {r.get_attribute("data-severity") for r in browser.find_elements(By.CSS_SELECTOR, "tr.finding") if r.is_displayed()} == {"high"}


def test_filters_are_restored_from_the_address(browser, base_url):
    browser.get(f"{base_url}/conflicts.html?scope=within&sources=003")
    select = Select(browser.find_element(By.CSS_SELECTOR, "select[name=scope]"))
    wait(browser, lambda d: select.first_selected_option.text == "within one source")
    shown = [r for r in browser.find_elements(By.CSS_SELECTOR, "tr.finding") if r.is_displayed()]
    assert shown and {(r.get_attribute("data-scope"), r.get_attribute("data-sources")) for r in shown} == {("within", "003")}
    cards = [c for c in browser.find_elements(By.CSS_SELECTOR, "details.conflict") if c.is_displayed()]
    assert len(cards) == len(shown)


def test_a_permalink_opens_scrolls_to_and_highlights_its_target(browser, base_url):
    browser.get(f"{base_url}/conflicts.html")
    card = browser.find_elements(By.CSS_SELECTOR, "details.conflict")[-1]
    anchor = card.get_attribute("id")
    browser.get(f"{base_url}/conflicts.html#{anchor}")
    card = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, f"details[id='{anchor}'].is-target"))
    assert card.get_attribute("open") is not None
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", card)
    assert 0 <= top < viewport_height(browser)
    assert card.value_of_css_property("outline-style") == "solid"
    button = card.find_element(By.CSS_SELECTOR, "button.copy-link")
    button.click()
    wait(browser, lambda d: button.text == "Copied")
    browser.get(f"{base_url}/topics/nsaid-avoid-after.html#004-nsaid-avoid-after")  # a claim's row too
    row = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "tr[id='004-nsaid-avoid-after'].is-target"))
    assert 0 <= browser.execute_script("return arguments[0].getBoundingClientRect().top", row) < viewport_height(browser)


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1366", "390"])
def test_no_page_overflows_sideways_outside_its_scroll_boxes(at_width, base_url, size):
    browser = at_width(size)
    wide = []
    for page in PAGES:
        browser.get(f"{base_url}/{page}")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        if width > size[0]:
            wide.append(f"{page}: {width} px")
    assert wide == []


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1366", "390"])
def test_matrix_last_column_is_reachable_with_its_header_and_topic_in_view(at_width, base_url, size):
    browser = at_width(size)
    browser.get(f"{base_url}/matrix.html")
    box = browser.find_element(By.CSS_SELECTOR, ".matrix-wrap")
    browser.execute_script("arguments[0].scrollIntoView(); arguments[0].scrollLeft = arguments[0].scrollWidth;"
                           "arguments[0].scrollTop = arguments[0].scrollHeight;", box)
    geometry = browser.execute_script("""
        const box = arguments[0].getBoundingClientRect();
        const heads = arguments[0].querySelectorAll('thead th');
        const last = heads[heads.length - 1].getBoundingClientRect();
        const rows = arguments[0].querySelectorAll('tbody tr:not(.matrix-group) th');
        const topic = rows[rows.length - 1].getBoundingClientRect();
        return {box: [box.left, box.top, box.right, box.bottom], last: [last.left, last.top, last.right],
                topic: topic.left, text: heads[heads.length - 1].textContent};""", box)
    left, top, right, bottom = geometry["box"]
    assert geometry["last"][2] <= right + 1 and geometry["last"][0] >= left, geometry  # last column in view
    assert abs(geometry["last"][1] - top) <= 2, geometry  # header stuck to the top after scrolling down
    assert abs(geometry["topic"] - left) <= 2, geometry  # topic column stuck to the left after scrolling right
    assert "Vinings FAQ" in geometry["text"]


@pytest.mark.parametrize("page", ["topics/nsaid-avoid-after.html", "timeline.html"])
def test_chart_text_is_at_least_11_px_on_a_phone(at_width, base_url, page):
    browser = at_width(PHONE)
    browser.get(f"{base_url}/{page}")
    sizes = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg.interval-chart text')).map(t => t.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 11, min(sizes)
    clipped = browser.execute_script("""
        const svg = document.querySelector('svg.interval-chart').getBoundingClientRect();
        return Array.from(document.querySelectorAll('svg.interval-chart text'))
          .filter(t => t.getBoundingClientRect().right > svg.right + 1).map(t => t.textContent);""")
    assert clipped == []


def test_two_sources_side_by_side_from_a_file(browser, real_site):
    page = (real_site / "compare.html").as_uri()
    browser.get(f"{page}?a=002&b=004")
    row = wait(browser, lambda d: next(r for r in d.find_elements(By.CSS_SELECTOR, "tr.compare-row")
                                       if r.is_displayed() and "Avoiding NSAIDs after treatment" in r.text))
    assert row.find_element(By.CSS_SELECTOR, ".compare-a").text == "3 weeks"
    assert row.find_element(By.CSS_SELECTOR, ".compare-b").text == "4 days; 3 weeks"
    assert row.find_element(By.CSS_SELECTOR, ".compare-relation").text == "contradiction"
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=a]")).select_by_value("000")
    shown = [r for r in browser.find_elements(By.CSS_SELECTOR, "tr.compare-row") if r.is_displayed()]
    assert shown and all({"000", "004"} <= set(r.get_attribute("data-sources").split()) for r in shown)
    assert browser.find_element(By.CSS_SELECTOR, "th.compare-name-a").text == "MSC protocol"
    assert browser.find_element(By.CSS_SELECTOR, "output.compare-count").text == f"{len(shown)} topics both address"


def test_timeline_from_a_file_has_a_text_alternative(browser, real_site):
    browser.get((real_site / "timeline.html").as_uri())
    svg = browser.find_element(By.CSS_SELECTOR, "svg.timeline")
    assert svg.get_attribute("role") == "img"
    description = svg.find_element(By.TAG_NAME, "desc").get_attribute("textContent")
    assert "Avoiding NSAIDs after treatment, Vinings FAQ: 4 days after treatment (contradicts another claim)" in description
    rows = browser.find_elements(By.CSS_SELECTOR, "table.claims tbody tr")
    assert len(rows) == len(svg.find_elements(By.CSS_SELECTOR, "text.chart-label")) > 10


def search(browser, base_url, words):
    """The pages a search for `words` lists, best first, as paths under the site."""
    browser.get(f"{base_url}/index.html")
    if SITE_BUILDER == "zensical":
        builder_difference("search is a dialog in a shadow DOM opened by .md-search__button; results are a[role=option]")
        browser.find_element(By.CSS_SELECTOR, ".md-search__button").click()
        host = wait(browser, lambda d: d.execute_script("return Array.from(document.querySelectorAll('body > div')).find(e => e.shadowRoot)"))
        field = wait(browser, lambda d: host.shadow_root.find_element(By.CSS_SELECTOR, "input[role=combobox]"))
        field.send_keys(words)
        links = wait(browser, lambda d: host.shadow_root.find_elements(By.CSS_SELECTOR, "a[role=option]"))
    else:
        browser.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()
        field = wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
        wait(browser, lambda d: "Initializing search" not in d.find_element(By.CSS_SELECTOR, ".md-search-result__meta").text, 30)
        field.send_keys(words)
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))
        links = browser.find_elements(By.CSS_SELECTOR, ".md-search-result__item a, a.md-search-result__link")
    return [urlsplit(a.get_attribute("href")).path.lstrip("/") for a in links]


@pytest.mark.parametrize("words, topic", [("NSAIDs after", "nsaid-avoid-after"), ("alcohol", "alcohol-smoking-before"),
                                          ("washing hair after", "hair-wash-after")])
def test_search_ranks_the_topic_page_first_for_a_reviewers_words(browser, base_url, words, topic):
    found = search(browser, base_url, words)
    assert found[0] == f"topics/{topic}.html", found[:5]
    assert "matrix.html" not in found[:5]


def test_print_leaves_out_navigation_and_carries_the_build_and_version(browser, base_url):
    browser.get(f"{base_url}/topics/nsaid-avoid-after.html")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        browser.execute_script("window.dispatchEvent(new Event('beforeprint'))")
        hidden = browser.execute_script("""return ['.md-header', '.md-tabs', '.md-sidebar--primary', '.md-footer', '.copy-link']
            .map(s => document.querySelector(s)).filter(e => e && getComputedStyle(e).display !== 'none').map(e => e.className)""")
        assert hidden == []
        meta = browser.find_element(By.CSS_SELECTOR, ".build-meta").text
        assert "knowledge base version " in meta
        if SITE_BUILDER == "zensical":
            builder_difference("templates get no build_date_utc: the footer says 'Build date not given by this builder'")
            assert "Build date not given by this builder" in meta
        else:
            assert "Built " in meta
        assert all(d.get_attribute("open") is not None for d in browser.find_elements(By.CSS_SELECTOR, "details.conflict"))
        pdf = base64.b64decode(browser.print_page())
        assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


@pytest.mark.parametrize("page", PAGES + ["sources/003.html", "topics/index.html"])
def test_no_serious_accessibility_violations(browser, base_url, page):
    browser.get(f"{base_url}/{page}")
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script("const done = arguments[arguments.length - 1]; axe.run().then(done);")
    serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(serious)


def test_no_request_leaves_the_machine(browser, base_url):
    browser.get_log("performance")  # discard earlier entries
    for page in ["index.html", "topics/nsaid-avoid-after.html", "sources/002.html", "conflicts.html"]:
        browser.get(f"{base_url}/{page}")
    host = urlsplit(base_url).netloc
    urls = [json.loads(entry["message"])["message"]["params"]["request"]["url"]
            for entry in browser.get_log("performance")
            if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"]
    outside = [u for u in urls if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != host]
    assert urls and outside == []
